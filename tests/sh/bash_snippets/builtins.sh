### declare_scalar
declare x=1 y="two words"; echo $x "$y"; declare -p x y
### declare_no_split
v="a   b"; declare w=$v; echo "$w"
### declare_p_quoting
x='it'"'"'s $HOME "q"'; declare -p x; y=$'tab\there'; declare -p y
### declare_p_unset_var
declare -p nosuch; echo st=$?
### declare_i_l_u
declare -l low=HeLLo; declare -u up=HeLLo; declare -i num=2+2; echo $low $up $num; low=ABC; echo $low
### declare_x_exports
declare -x EX=1; bash -c 'echo child=$EX'
### declare_plus_x
export E=1; declare +x E; bash -c 'echo "[${E-}]"'; echo $E
### declare_r
declare -r RO=1; RO=2; echo st=$? RO=$RO
### declare_in_function_is_local
f() { declare v=inner; echo $v; }; v=outer; f; echo $v
### declare_g
f() { declare -g G=global; }; f; echo $G
### declare_f_lists_function
f() { echo hi; }; declare -f f; declare -F f
### declare_F_all
a() { :; }; b() { :; }; declare -F
### typeset_same_as_declare
typeset -i t=3*3; echo $t
### local_outside_function
local x=1; echo st=$?
### local_dynamic_scope
f() { local v=f; g; }; g() { echo "g sees $v"; }; v=top; f; echo $v
### local_a_and_A
f() { local -a arr=(1 2); local -A m=([k]=v); echo ${arr[1]} ${m[k]}; }; f
### local_unset_shadows
x=global; f() { local x; echo "[${x-unset}]"; }; f
### local_inherits_with_value
x=1; f() { local x=$x; x=$((x+1)); echo $x; }; f; echo $x
### readonly_variable
readonly R=5; R=6; echo st=$?; echo $R
### readonly_unset
readonly R=1; unset R; echo st=$?
### readonly_array
readonly -a RA=(1 2); RA[0]=9; echo st=$? ${RA[0]}
### readonly_p
readonly A=1; readonly -p | while read -r l; do [[ $l == *A=* ]] && echo "$l"; done
### readonly_function_assignment_exits
readonly R=1; f() { R=2; echo in-f; }; f; echo after
### export_n
export V=1; export -n V; bash -c 'echo "[${V-unset}]"'; echo $V
### export_p_format
export Z=1; export -p | while read -r l; do [[ $l == *Z=* ]] && echo "$l"; done
### export_f_function
f() { echo from-f; }; export -f f; bash -c f
### unset_f_and_v
f() { :; }; v=1; unset -f f; unset -v v; type f 2>/dev/null || echo no-f; echo "[${v-unset}]"
### shopt_print
shopt nullglob dotglob globstar extglob; shopt -p nullglob
### shopt_set_unset
shopt -s nullglob; shopt -q nullglob && echo on; shopt -u nullglob; shopt -q nullglob || echo off
### shopt_invalid
shopt -s nosuchopt; echo st=$?
### shopt_o
shopt -o pipefail; shopt -so pipefail; shopt -o pipefail
### source_with_args
echo 'echo "args: $# $1"' > lib.sh; source ./lib.sh a b; . ./lib.sh
### source_return
printf 'echo one\nreturn 3\necho two\n' > r.sh; source ./r.sh; echo st=$?
### source_missing
source ./missing.sh; echo st=$?
### source_path_search_cwd
echo 'echo sourced-from-cwd' > inc.sh; source inc.sh
### printf_v
printf -v out '%05d' 42; echo $out; printf -v arr[1] '%s' x; echo ${arr[1]}
### printf_q
printf '%q ' 'a b' "it's" '$x' '' 'plain'; echo
### printf_b_and_percent
printf '%b|%%|%s\n' 'a\tb' x
### printf_reuse_format
printf '%s-%s\n' a b c
### printf_time_fixed
printf '%(%Y)T\n' 0
### echo_e_and_E
echo -e 'a\tb\x41\u00e9'; echo -E 'a\tb'; echo 'a\tb'
### echo_n
echo -n no-newline; echo
### type_outputs
f() { :; }; type echo f cd if; type -t echo f if ls
### type_p_and_a
type -P ls; type -t nosuch; echo st=$?
### command_v
command -v echo; command -v ls; command -v nosuch; echo st=$?
### command_V
command -V echo
### builtin_keyword
builtin echo via-builtin; builtin nosuch; echo st=$?
### caller_in_function
f() { caller 0 >/dev/null && echo has-caller; }; f
### pushd_popd
mkdir -p a/b; pushd a >/dev/null; pwd; pushd b >/dev/null; dirs; popd >/dev/null; pwd; popd >/dev/null; pwd
### dirs_stack
mkdir x; pushd x; popd
### read_n_and_d
read -n 3 a <<< abcdef; echo $a; read -d , b <<< "one,two"; echo $b
### read_p_prompt_ignored
read -p 'prompt> ' v <<< val; echo $v
### read_default_reply
read <<< "line with  spaces"; echo "[$REPLY]"
### read_t_timeout
read -t 1 v <<< fast; echo $v
### getopts_bash_message
f() { while getopts "a:" o; do echo "o=$o"; done; }; f -x; f -a
### set_positional_and_count
set -- a b c; echo $#; shift 2; echo $1
### shift_too_many
set -- a; shift 3; echo st=$?
### enable_help_not_needed
true; echo ok
### let_multiple
let a=1 b=a+1; echo $a $b
### exit_numeric_required
exit abc
### exit_status_wrap
bash -c 'exit 300'; echo $?
### return_outside_function
return 2; echo st=$?
### cd_errors
cd /nonexistent; echo st=$?; cd; pwd
### cd_dash
cd /tmp; cd /; cd - ; pwd
### pwd_after_cd
mkdir -p sub/dir; cd sub/dir; pwd; cd ../..; pwd
### hash_builtin
hash -r; echo st=$?
### trap_list
trap 'echo bye' EXIT; trap -p EXIT
### trap_exit_runs
trap 'echo cleanup' EXIT; echo body
### trap_err
trap 'echo "err trapped"' ERR; false; echo after
### wait_builtin
sleep_fn() { :; }; sleep_fn & wait; echo waited
### eval_quoting
cmd='echo "a  b"'; eval "$cmd"; eval 'x=(1 2)'; echo ${#x[@]}
### mapfile_from_cmd
mapfile -t a < <(printf 'x\ny\n'); echo "${a[@]}"
### mapfile_options
printf '%s\n' a b c d | { mapfile -s 1 -n 2 -t arr; echo "${arr[@]}"; }
### compgen_not_needed
true
### unset_array_var_function_same_name
x=1; x() { echo fx; }; unset x; x; unset x; type x 2>&1 | head -n 1
### true_false_colon
true; echo $?; false; echo $?; :; echo $?
