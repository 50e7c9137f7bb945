### set_eux_idiom
set -eux; mkdir -p /tmp/emush/w/app/bin; cd app; echo built > bin/out; ls bin
### default_assign_idiom
: ${MODE:=release} ${LEVEL:=3}; echo "$MODE $LEVEL"
### is_set_idiom
if [ -z "${VAR+x}" ]; then echo unset; fi; VAR=; if [ -n "${VAR+x}" ]; then echo set-empty; fi
### or_exit_group
[ 1 = 2 ] || { echo "mismatch" >&2; exit 1; }; echo never
### path_append
export PATH="$PATH:/opt/bin"; echo $PATH
### strip_extension_loop
touch a.c b.c; for f in *.c; do echo "${f%.c}.o"; done
### while_read_heredoc
while read -r name value; do echo "$name=$value"; done <<EOF
alpha 1
beta two words
EOF
### config_file_write
cat > app.conf <<EOF
listen = ${PORT:-8080}
name = "my app"
EOF
cat app.conf
### conditional_mkdir
[ -d data ] || mkdir data; [ -d data ] || mkdir data; ls
### version_compare
v=1.2.3; major=${v%%.*}; rest=${v#*.}; minor=${rest%%.*}; echo $major $minor
### count_args_function
count() { echo $#; }; count a "b c" ''; count
### getopts_script
parse() { local OPTIND o; while getopts "vf:" o; do case $o in v) echo verbose;; f) echo "file=$OPTARG";; *) return 1;; esac; done; shift $((OPTIND-1)); echo "rest=$*"; }; parse -v -f x.txt a b
### retry_loop
n=0; until [ $n -ge 3 ]; do n=$((n+1)); echo "try $n"; [ $n -eq 2 ] && break; done
### case_os_detect
ID=alpine; case "$ID" in debian|ubuntu) echo apt;; alpine) echo apk;; *) echo unknown;; esac
### string_contains
s="hello world"; case "$s" in *world*) echo contains;; esac; case "$s" in *\ *) echo has-space;; esac
### join_with_ifs
set -- a b c; old=$IFS; IFS=,; joined="$*"; IFS=$old; echo "$joined"
### dirname_basename_params
p=/usr/share/doc/pkg/README.md; echo "${p%/*}" "${p##*/}" "${p##*.}"
### uppercase_via_tr
echo "make me loud" | tr a-z A-Z
### nested_cmdsubst_quotes
echo "$(echo "inner \"quoted\" $(echo deeper)")"
### subshell_in_cmdsubst
x=$( (echo from subshell) ); echo "$x"
### env_prefix_for_program
X=value sh -c 'echo "X=$X"'; echo "after=[${X-}]"
### export_to_child
export A=1; B=2; sh -c 'echo "${A-} ${B-unset}"'
### pipeline_while_counter
n=0; printf 'a\nb\n' | while read l; do n=$((n+1)); done; echo $n
### heredoc_with_cmdsubst_and_vars
name=x; cat <<EOF
name: $name
upper: $(echo $name | tr a-z A-Z)
literal: \$name
EOF
### sourced_functions
cat > lib.sh <<'EOF'
greet() { echo "hello $1"; }
EOF
. ./lib.sh; greet world
### exit_trap_cleanup
tmp=work.tmp; trap 'rm -f "$tmp"' EXIT; echo data > "$tmp"; cat "$tmp"
### seq_sum
s=0; for i in $(seq 1 10); do s=$((s+i)); done; echo $s
### printf_table
printf '%-5s|%3d\n' a 1 bb 22 ccc 333
### long_pipeline
seq 1 20 | sort | head -n 3 | tr 1 X
### test_file_then_source
echo 'V=loaded' > env.sh; if [ -f env.sh ]; then . ./env.sh; fi; echo $V
### find_free_name
i=0; while [ -e "file$i" ]; do i=$((i+1)); done; touch "file$i"; i=0; while [ -e "file$i" ]; do i=$((i+1)); done; echo "next=file$i"
### positional_loop_shift
set -- -a 1 -b 2; while [ $# -gt 0 ]; do case $1 in -a) echo "A=$2"; shift 2;; -b) echo "B=$2"; shift 2;; esac; done
### local_default_value
f() { local x; echo "[${x-unset}]"; x=1; }; x=g; f; echo $x
### return_value_capture
f() { echo result; return 3; }; v=$(f); echo "$v $?"
### command_override_function
cd() { echo "cd called with $1"; command cd "$@"; }; cd /tmp; pwd
### echo_function_shadow_builtin
echo() { printf 'shadow:%s\n' "$*"; }; echo a b
### unset_in_function_global
g=1; f() { unset g; }; f; echo "[${g-gone}]"
### readonly_in_subshell
readonly R=1; (R=2) ; echo "after $R $?"
### arithmetic_loop_cstyle
i=0; while [ $((i+=1)) -le 3 ]; do echo $i; done
### nested_functions_define
outer() { inner() { echo inner; }; inner; }; outer; inner
### assignment_chain_order
a=1 b=$a; echo $b; c=5; c=$((c+1)) d=$c; echo $d
### eval_multiline
eval 'x=1
y=2
echo $x$y'
### trap_listing
trap 'echo bye' EXIT; trap; trap - EXIT
### empty_cmdsubst
x=$(); echo "[$x]"; $(true); echo $?
### redirect_between_args
echo a > f b c; cat f
### stderr_pipe_order
{ echo out; echo err >&2; } 2>&1 | sort
### glob_no_match_loop
for f in *.nomatch; do echo "got [$f]"; done
### at_default
set --; echo "${@:-none}"; set -- x y; echo "${@:-none}"
### ifs_read_csv
echo "a,b,c" | { IFS=, read -r x y z; echo "$z $y $x"; }
### brace_group_pipeline_status
{ false; } | true; echo $?; true | { false; }; echo $?
### dollar_at_in_function_args
f() { for a in "$@"; do echo "<$a>"; done; }; f "a b" "" c
