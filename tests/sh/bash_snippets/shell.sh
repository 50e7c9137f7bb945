### nested_bash_c
bash -c 'echo "nested $0 $1"' name arg
### nested_bash_options
bash -o pipefail -c 'false | true; echo $?'
### nested_bash_eux
bash -eux -o pipefail -c 'echo a; false; echo b'; echo st=$?
### nested_bash_e_pipefail_combined
bash -eo pipefail -c 'false | true'; echo st=$?
### nested_bash_x_stderr
bash -xc 'echo traced' 2>&1
### nested_bash_flags_dollar_dash
bash -euc 'echo $-'; bash -c 'set -o pipefail; echo $-'
### nested_bash_login_norc
bash --norc --noprofile -c 'echo ok'; bash -l -c 'echo login' >/dev/null; echo st=$?
### nested_bash_O_shopt
bash -O extglob -c 'shopt -p extglob'; bash +O extglob -c 'shopt -p extglob' 2>/dev/null
### nested_bash_script_file
printf '#!/bin/bash\necho "script $0 $# $1"\n[[ 1 == 1 ]] && echo bashism\n' > s.sh; bash s.sh one
### script_file_shebang_exec
printf '#!/bin/bash\narr=(a b c)\necho "${arr[1]} $0"\n' > run.sh; /bin/bash ./run.sh
### stdin_script
echo 'echo from-stdin $#' | bash
### stdin_script_s_args
echo 'echo "args: $*"' | bash -s x y
### bash_c_missing_arg
bash -c; echo st=$?
### bash_invalid_option
bash -Z -c 'echo x'; echo st=$?
### bash_invalid_o
bash -o nosuch -c 'echo x'; echo st=$?
### bash_version_vars
echo "$BASH_VERSION" "${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}" ${#BASH_VERSINFO[@]}
### dollar_zero
echo $0
### dollar_dash
echo $-; set -e; echo $-; set -u -x; echo $- 2>/dev/null; set +x
### shellopts
echo $SHELLOPTS; set -o pipefail -e; echo $SHELLOPTS
### set_o_list
set -o | head -n 5
### set_o_output_human_full
set -o | while read -r n v; do printf '%s=%s ' "$n" "$v"; done; echo
### shlvl
echo $SHLVL; bash -c 'echo $SHLVL'; true
### bash_var
[[ -n $BASH ]] && echo has-BASH; echo ${BASH##*/}
### nested_error_prefix
bash -c 'nosuch' 2>&1; bash -c 'nosuch' myname 2>&1
### nested_syntax_error
bash -c 'if' 2>&1; echo st=$?
### posix_mode_via_set_o
set -o posix; echo ${SHELLOPTS//:/ }
### subshell_bashpid_differs
[[ $BASHPID == $$ ]] && echo same-top; ( [[ $BASHPID != $$ ]] && echo differs-sub )
### exit_in_subshell
(exit 5); echo $?
### exec_replaces
bash -c 'exec echo exec-ed; echo never'
### set_dash_dash
set -- -x -y; echo "$1 $2"
### hostname_type_vars
echo $HOSTTYPE $OSTYPE $MACHTYPE
### uid_vars
echo $UID $EUID
### dollar_underscore
echo one two; echo "$_"
### histchars_not_interactive
echo "a!b" 'c!d'
### seconds_is_number
[[ $SECONDS =~ ^[0-9]+$ ]] && echo seconds-ok
### ifs_default
printf '%q\n' "$IFS"
### pwd_var
echo $PWD; cd /; echo $PWD $OLDPWD
### random_unseeded_range
r=$RANDOM; (( r >= 0 && r <= 32767 )) && echo in-range
