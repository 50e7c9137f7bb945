### echo_options
echo -n a; echo b; echo -e 'x\ty'; echo -E 'x\ty'; echo -ne 'n\n'; echo -- -n; echo -nx
### echo_escapes_e
echo -e 'a\tb\x41\0101\101\c' x; echo after
### echo_no_interpret
echo 'a\nb' "c\td"
### printf_basic
printf '%s-%d|%5s|%-5s|%05d\n' a 42 ab cd 7
### printf_reuse
printf '%s\n' a b c; printf '%s %s\n' 1 2 3
### printf_numbers
printf '%x %X %o %u %i\n' 255 255 8 3 -3; printf '%d\n' 0x10 010 "'A" -5 +3
### printf_floats
printf '%.2f %5.1f %e %g %g\n' 3.14159 2.25 12345.678 0.0001 100000
### printf_escapes
printf 'a\tb\n\101\x42\n%%\n'
### printf_b
printf '%b|%s\n' 'a\tb' 'c\td'; printf '%b\n' 'x\cy'; echo after
### printf_invalid_number
printf '%d\n' abc; echo "st=$?"
### printf_missing_args
printf '%s|%d|\n' a; echo "st=$?"
### printf_no_args
printf; echo "st=$?"
### printf_no_newline
printf abc; printf '\n'
### printf_precision_string
printf '[%.2s][%10.3s][%-3c]\n' abcdef xyzw q
### printf_star
printf '[%*d][%-*s]\n' 5 3 4 ab
### printf_invalid_format
printf '%q\n' a; echo "st=$?"
### cd_basic
mkdir -p a/b; cd a/b; pwd; cd ..; pwd; cd; pwd
### cd_dash
mkdir d; cd d; cd -; cd - > /dev/null; pwd; echo $OLDPWD
### cd_nonexistent
cd /nonexistent/dir; echo "st=$?"
### cd_not_dir
touch f; cd f; echo "st=$?"
### cd_logical_symlink
mkdir -p real/sub; cd real; cd ..; pwd; echo $PWD
### pwd_physical
pwd -P
### export_env
export A=1 B; B=2; echo $A $B; export -p; sh -c 'echo $A $B'
### export_bad_name
export 1x=2; echo never
### readonly_var
readonly r=1; echo $r; r=2; echo never
### readonly_unset
readonly r=1; unset r; echo never
### readonly_listing
readonly a=1 b='x y'; readonly -p
### unset_var
x=1; unset x; echo "${x-gone}"; unset nonexistent; echo $?
### shift_basic
set -- a b c d; shift; echo $@; shift 2; echo $@
### shift_too_many
set -- a; shift 3; echo "st=$? $#"
### shift_bad
shift abc; echo never
### read_basic
echo "a b c" | { read x y; echo "[$x][$y]"; }
### read_raw
printf 'a\\b\n' | { read -r x; echo "[$x]"; read y; echo "[$y]"; }
### read_backslash
printf 'a\\b c\\\nd\n' | { read x y; echo "[$x][$y]"; }
### read_eof_status
printf 'last' | { read x; echo "$? [$x]"; }; printf '' | { read x; echo "$? [$x]"; }
### read_ifs
printf '  a:b:c:  \n' | { IFS=: read x y; echo "[$x][$y]"; }
### read_reply
echo "whole line" | { read; echo "[$REPLY]"; }
### read_more_vars
echo "one" | { read a b c; echo "[$a][$b][$c]"; }
### read_bad_name
echo x | { read 1x; echo "st=$?"; }
### read_multiple_lines
printf '1\n2\n3\n' | { read a; read b; echo "$a $b"; cat; }
### eval_basic
x='echo hi'; eval $x; eval 'y=5'; echo $y
### eval_quoting
eval "set -- 'a b' c"; echo $#; eval echo '$1'
### eval_syntax_error
eval 'if'; echo never
### eval_status
eval false; echo $?; eval; echo $?
### dot_source
echo 'sv=sourced; echo in file' > lib.sh; . ./lib.sh; echo $sv
### dot_missing
. ./nope.sh; echo never
### dot_not_in_path
. nope.sh; echo never
### dot_return
printf 'echo a\nreturn 3\necho b\n' > r.sh; . ./r.sh; echo "st=$?"
### source_args
echo 'echo "$# $1"' > s.sh; . ./s.sh x y; echo "$#"
### getopts_loop
set -- -a -b val -c rest; while getopts ab: o; do echo "$o ${OPTARG-unset} $OPTIND"; done; shift $((OPTIND-1)); echo "$@"
### getopts_silent
set -- -b; getopts :b: o; echo "$? [$o] [$OPTARG]"; set -- -z; OPTIND=1; getopts :b o; echo "$? [$o] [$OPTARG]"
### getopts_combined
set -- -ab -cfoo x; while getopts abc: o; do echo "$o ${OPTARG-}"; done; echo $OPTIND
### true_false_colon
true; echo $?; false; echo $?; :; echo $?; : ignored args; echo $?
### umask_builtin
umask; umask 077; umask; umask -S; umask 022; > f; ls
### trap_exit
trap 'echo bye' EXIT; echo hi
### trap_exit_status
trap 'echo "bye $?"' EXIT; false
### trap_exit_on_exit
trap 'echo trap' EXIT; exit 3
### trap_subshell
(trap 'echo sub' EXIT; echo in); echo out
### trap_reset
trap 'echo no' EXIT; trap - EXIT; echo done
### exec_command
echo replaced > f; exec cat f; echo never
### wait_builtin
wait; echo $?; false & wait $!; echo $?
### type_builtins
type cd echo :
### command_builtin
command echo via-command; f() { echo func; }; command -v f
### alias_basic
alias hi='echo hello'; alias; alias hi; unalias hi; alias
### times_and_hash
hash; echo $?
### pwd_after_cd_dotdot
mkdir -p x/y; cd x/y/..; pwd
### export_listing
export Z=1; export -p
### set_dash_x_listing_off
set -ex; set +ex; echo $-
### shift_in_loop
set -- a b c; while [ $# -gt 0 ]; do echo $1; shift; done
### unset_positional_err
unset 1; echo "st=$?"
