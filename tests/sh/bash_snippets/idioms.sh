### strict_mode_unset_guard
set -euo pipefail; : "${NAME:=default}"; [[ -z "${MISSING:-}" ]] && echo "missing is empty"; echo "$NAME"
### err_trap_line
set -eE; trap 'echo "failed at line $LINENO" >&2' ERR
echo start
false
echo never
### cleanup_trap_status
trap 'rc=$?; echo "exit $rc"' EXIT; (exit 3)
### command_guard_group
command -v nosuchtool >/dev/null 2>&1 || { echo >&2 "nosuchtool is required"; exit 1; }; echo unreachable
### read_lines_ifs_empty
printf '  indented\n\ttabbed\n' > f; while IFS= read -r line; do echo "[$line]"; done < f
### loop_files_nullglob
shopt -s nullglob; touch a.conf b.conf; for f in *.conf *.none; do echo "conf: $f"; done
### arr_from_string_split
CSV="x,y,z"; IFS=',' read -r -a parts <<< "$CSV"; echo "${#parts[@]} ${parts[-1]}"; for p in "${parts[@]}"; do printf '%s;' "$p"; done; echo
### unique_sorted
printf '%s\n' b a b c a | sort | { mapfile -t u; prev=; for x in "${u[@]}"; do [[ $x != "$prev" ]] && echo "$x"; prev=$x; done; }
### path_manipulation
PATH="/opt/tool/bin:$PATH"; echo "${PATH%%:*}"; IFS=: read -ra dirs <<< "$PATH"; echo "${#dirs[@]}"
### semver_compare
ver_ge() { local IFS=.; local -a a=($1) b=($2); for i in 0 1 2; do (( ${a[i]:-0} > ${b[i]:-0} )) && return 0; (( ${a[i]:-0} < ${b[i]:-0} )) && return 1; done; return 0; }; ver_ge 1.10.0 1.9.3 && echo newer; ver_ge 1.2 1.2.1 || echo older
### arch_map_assoc
declare -A ARCH=([amd64]=x86_64 [arm64]=aarch64); T=arm64; echo "${ARCH[$T]:-unknown}" "${ARCH[s390x]:-unknown}"
### retry_function
retry() { local n=0 max=$1; shift; until "$@"; do (( ++n >= max )) && return 1; echo "retry $n"; done; }; c=0; flaky() { (( ++c >= 3 )); }; retry 5 flaky && echo "ok after $c"
### heredoc_config_with_arrays
HOSTS=(a.example b.example); cat <<EOF
hosts = [${HOSTS[*]}]
first = ${HOSTS[0]}
count = ${#HOSTS[@]}
EOF
### indirect_env_defaults
for v in DB_HOST DB_PORT; do [[ -n ${!v:-} ]] || declare "$v=unset-$v"; done; echo "$DB_HOST $DB_PORT"
### join_with_printf
parts=(usr local bin); printf -v joined '/%s' "${parts[@]}"; echo "$joined"
### case_with_patterns_and_fallthrough
for f in a.tar.gz b.zip c.txt; do case $f in *.tar.gz|*.tgz) echo "tar $f";; *.zip) echo "zip $f";; *) echo "skip $f";; esac; done
### arithmetic_percent
total=7; done_=3; echo "$(( done_ * 100 / total ))%"
### string_functions
s="Hello, World"; echo "${#s} ${s:7} ${s,,} ${s//o/0} ${s%%,*}"
### set_x_with_functions
set -x; greet() { local who=$1; echo "hi $who"; }; greet there
### pipefail_status_message
set -o pipefail; if ! true | (exit 4); then echo "pipeline failed: ${PIPESTATUS[*]}"; fi
### getopts_with_local_optind
parse() { local OPTIND opt; while getopts ":vo:" opt; do case $opt in v) echo verbose;; o) echo "out=$OPTARG";; \?) echo "bad -$OPTARG";; :) echo "need arg -$OPTARG";; esac; done; shift $((OPTIND-1)); echo "rest: $*"; }; parse -v -o x -z y; parse -o
### brace_sequence_padded_files
touch log{01..03}.txt; echo log*.txt; rm log0{1,2}.txt; echo log*
### nested_functions_and_return_values
get() { echo "value-$1"; }; v=$(get 7); [[ $v == value-7 ]] && echo "got $v"
### unset_array_elements_in_loop
a=(1 2 3 4 5 6); for i in "${!a[@]}"; do (( a[i] % 2 )) && unset 'a[i]'; done; echo "${a[@]}" "${!a[@]}"
### mapfile_callback_free_count
mapfile -t lines < <(printf '%s\n' one two three); echo "${#lines[@]}: ${lines[*]}"
### local_nameref_array_return
fill() { local -n out=$1; out=(x y z); }; fill result; echo "${result[1]} ${#result[@]}"
### readonly_error_continues_next_line
readonly V=1
V=2
echo "after V=$V"
### exit_in_function_ends_shell
f() { exit 7; }; f; echo never
### subshell_exit_status_and_vars
x=1; (x=2; exit 3); echo "$? $x"
### noclobber_append_ok
set -C; echo a > f; echo b >> f; cat f
