### assign_with_equals
x=a=b=c; echo $x
### at_star_defaults
echo "${@:-x}" ${*} "${*:-y}"
### split_cmdsubst_words
set -- $(echo "a b"); echo $#
### cmdsubst_inner_quotes
echo "$(echo "inner quotes")"
### cmdsubst_subshell
echo $( ( echo nested ) )
### printf_at
printf '%s\n' "$@"; set -- 1 2; printf '[%s]\n' "$@"
### default_cmdsubst
x=${x:-$(echo d)}; echo $x
### postincrement_condition
i=0; while [ $((i++)) -lt 3 ]; do echo $i; done
### test_dash_a_string
[ -a = -a ]; echo $?; [ "-a" ]; echo $?
### shift_function_scope
f() { shift; echo $#; }; set -- a b c; f x y; echo $#
### cmdsubst_exit_status
x=$(exit 3; echo no); echo "$? [$x]"
### heredoc_dollar_alone
cat <<EOF
cost: $
${HOME}x
EOF
### case_escaped_space
case "a b" in *\ *) echo space;; esac
### length_at_star
echo ${#@} ${#*}
### arith_adjacent
echo $((1 + 2 ))$((3))
### ifs_empty_read
IFS=; read a b <<EOF
x y
EOF
echo "[$a][$b]"
### read_leading_spaces_heredoc
v="  lead"; read x <<EOF
$v
EOF
echo "[$x]"
### eval_indirect
x='$y'; y=1; echo $x "$x"; eval echo $x
### quotes_mixed_echo
echo \"quoted\" \' "it's" 'say "hi"'
### echo_dash_alone
echo -e; echo -n; echo -
### backslashes
echo '\' "\\" \\\\
### case_star_var
a='*'; case x in $a) echo m;; esac; case x in "$a") echo n;; esac
### group_in_pipeline_isolated
x=1; { x=2; } | cat; echo $x
### cmdsubst_multiline_join
echo $(echo a; echo b)
### backquote_nested_escaped
echo `echo \`echo inner\``
### brace_question
false; echo ${?}
### empty_alternatives
echo "${x:-}" "[${x:+}]"
### substring_edges
x=abc; echo ${x:5} "[${x:3}]" ${x:1:0}
### default_then_text
x=foo; echo ${x:-bar}baz "${x:+yes}"
### printf_percent_literal
printf "%s" "no newline"; echo; printf '%5.1f%%\n' 99.44
### printf_char_width
printf '%c%c\n' hello world; printf '%3c|\n' x
### printf_extra_args_cycle
printf '%d %d\n' 1 2 3
### printf_no_args_for_format
printf '%s\n'
### printf_alignment
printf '%-8s|%8s|\n' left right
### printf_alt_forms
printf '%o %x %X %#x %#o %#5o\n' 8 255 255 255 8 0
### printf_sign_flags
printf '%+d % d %05.1f\n' 5 5 3.14159
### funcname
f() { echo "$FUNCNAME"; }; f; echo "[$FUNCNAME]"
### replace_edge_cases
x=abc; echo ${x/b/} ${x//} ${x/a*/Z} ${x//[ac]/_}
### replace_slash_and_space
x="a.b.c"; echo ${x//./\/} ${x/./ }
### replace_star_patterns
x=aaa; echo ${x/*/X} ${x//a*/Y} ${x/#a/Z}
### substring_negative_length
x=hello; echo ${x:1:-1} ${x: -3:2}
### pwd_basename
echo ${PWD##*/}
### cd_root_oldpwd
cd /; echo $PWD $OLDPWD
### cd_oldpwd_chain
cd /tmp/emush; cd w; echo $OLDPWD
### arith_bases_sum
echo $((010 + 0x10 + 2#11))
### arith_indirect
a=1; b=a; echo $((b)) $(($b)) $((b + 1))
### arith_shift_precedence
echo $(( 1 << 2 + 1 ))
### arith_negative_bits
echo $(( -5 >> 1 )) $(( 7 & -8 ))
### arith_assign_ops_all
i=5; echo $(( i -= 2 )) $(( i <<= 2 )) $(( i |= 1 )) $((i ^= 3)) $((i &= 6)) $((i >>= 1))
### arith_bad_hex
echo $(( 0x ))
### arith_float_rejected
echo $((1e3))
### arith_var_bad_octal
x=08; echo $((x))
### arith_pow_overflow
echo $(( 2 ** 63 )) $(( 2 ** 64 )) $(( (-2) ** 63 ))
### arith_negate_min
echo $(( -(-9223372036854775807-1) ))
### arith_left_assoc
echo $(( 10 / 3 * 3 )) $(( 10 % 3 % 2 ))
### arith_multiline
echo $(( 1 +
2 ))
### redirect_dup_order_pipe
echo a 2>&1 1>/dev/null | cat
### redirect_swap_streams
{ echo 1; echo 2 >&2; echo 3; } 2>&1 >/dev/null | cat
### cat_twice_into_file
echo x > f; cat f f > g; cat g
### heredoc_then_command_same_line
cat <<EOF; echo after
in
EOF
### heredoc_cmdsubst_pipe
cat <<EOF | cat
$(echo one)
EOF
### heredoc_into_function
f() { cat; }; f <<EOF
piped heredoc
EOF
### heredoc_space_before_delim
cat << EOF
spaced
EOF
### heredoc_escaped_delim
cat <<E\OF
$x
EOF
### heredoc_keeps_tabs_without_dash
cat <<EOF
	keep tabs
EOF
### heredoc_quotes_not_special
x=1; cat <<EOF
${x}${x} $x$x "$x" '$x'
EOF
### read_loop_heredoc_spaces
while read l; do echo "[$l]"; done <<EOF
  leading
trailing  
EOF
### read_raw_heredoc
read -r a <<'EOF'
back\slash
EOF
echo "$a"
### read_cooked_heredoc
read a <<'EOF'
back\slash
EOF
echo "$a"
### exec_read_fd
echo 1 > f; exec 4<f; read x <&4; echo $x
### exec_fd_close_flushes
exec 3>out; echo a >&3; echo b >&3; exec 3>&-; cat out
### subshell_stderr_null
( echo sub >&2 ) 2>/dev/null; echo $?
### filename_with_space
echo > "with space"; ls
### filename_from_var
x=name; echo data > "$x.txt"; ls
### redirect_two_targets
: > a > b; ls
### read_from_file_two_vars
echo one two > f; read a b < f; echo "$b $a"
### exec_stderr_null
exec 2>/dev/null; nosuch; echo $?
### errexit_cmdsubst_inner_off
set -e; echo $(false; echo in-subst) end; echo "$(set -o | head -n 1)"
### errexit_return_in_and
set -e; f() { return 1; }; f && echo yes; echo after
### errexit_last_true
set -e; false; true
### errexit_subshell_or
set -e; (false) || echo caught
### errexit_if_subshell
set -e; if (false); then :; else echo else; fi
### errexit_break_after_false
set -e; while true; do false; break; done; echo after
### errexit_loop_or
set -e; for i in 1; do false; done || echo caught
### errexit_group_plain
set -e; { false; }; echo never
### errexit_negation_forms
set -e; ! (false); echo ok; ! false && false; echo reached
### errexit_assign_or
set -e; x=$(false) || echo caught; echo end
### errexit_trap_status
set -e; trap 'echo trapped $?' EXIT; false
### nounset_function_default
set -eu; f() { echo "${1:-none}"; }; f
### nounset_positional
set -u; set -- a; echo $1 $#; echo $2
### nounset_empty_ok
set -u; x=; echo "[$x]"
### nounset_specials_ok
set -u; echo ${#}; echo "$@"; echo "$*"
### nounset_alt_ok
set -u; : ${undef:+alt}; echo ok
### nounset_pattern_op
set -u; unset x; echo ${x%a}
### xtrace_assign_cmdsubst
set -x; a=$(echo 1) b=2; echo $a$b
### xtrace_test_and
set -x; [ 1 = 1 ] && echo yes
### xtrace_case
set -x; case x in x) echo match;; esac
### xtrace_loops_conditions
set -x; while false; do :; done; until true; do :; done
### xtrace_export
set -x; export A=1
### xtrace_cd
set -x; cd /tmp; pwd
### xtrace_function_reserved_word
set -x; f() { echo in; }; f "x y"; echo for if done select
### xtrace_colon_cmdsubst
set -x; : "$(echo nested)"
### errexit_not_found_in_function
set -e; cmd_fail() { nosuch; }; cmd_fail; echo never
### errexit_not_found_or
set -e; nosuch || true; echo ok
### errexit_prefix_not_found
set -e; x=1 nosuch; echo never
### set_o_long_names
set -o errexit -o nounset; echo $-
### set_plus_o
set +o errexit; set -o nounset; set +u; echo $-
### set_verbose_flag
set -v; echo verbose
### set_noexec
set -n; echo noexec
### set_flags_fC
set -f; set -C; echo $-
### set_allexport_child
set -a; X=1; sh -c 'echo $X'
### errexit_eval_false
set -e; eval false; echo never
### read_tab_split
printf 'a\tb\n' | { read x y; echo "[$x][$y]"; }
### read_trims_blanks
printf ' \t a b \t \n' | { read x; echo "[$x]"; }
### read_single_var_keeps_colons
printf 'a:b:c\n' | { IFS=: read x; echo "[$x]"; }
### read_empty_field
printf 'a::b\n' | { IFS=: read x y z; echo "[$x][$y][$z]"; }
### read_rest_to_last
printf 'a b c d\n' | { read x y; echo "[$y]"; }
### read_backslash_at_eof
printf 'x\\\n' | { read a; echo "[$a] $?"; }
### read_last_line_no_newline
printf 'one\ntwo' | { while read l; do echo "[$l]"; done; echo "[$l]"; }
### read_or_idiom
printf 'one\ntwo' | { while read l || [ -n "$l" ]; do echo "[$l]"; done; }
### read_n_chars
printf 'abcdef\n' | { read -n 3 x; echo "[$x]"; }
### read_delim
printf 'a,b\n' | { read -d , x; echo "[$x]"; }
### read_prompt_ignored
echo x | { read -p "prompt" v; echo "[$v]"; }
### read_no_input
read -r; echo $?
### read_ifs_empty_keeps_all
printf 'a b\n' | { IFS= read x; echo "[$x]"; } ; printf '  a  \n' | { IFS= read -r x; echo "[$x]"; }
### read_trailing_blanks_last
printf 'a b  \n' | { read x y; echo "[$x][$y]"; }
### read_trailing_delimiter
printf 'a:b:\n' | { IFS=: read x y; echo "[$x][$y]"; }; printf 'a:b::\n' | { IFS=: read x y; echo "[$x][$y]"; }
### read_trailing_delimiter_blanks
printf 'a:b : \n' | { IFS=': ' read x y; echo "[$x][$y]"; }; printf 'a:b: : \n' | { IFS=': ' read x y; echo "[$x][$y]"; }
### read_mixed_ifs
printf 'a b:c\n' | { IFS=' :' read x y z; echo "[$x][$y][$z]"; }
### read_escaped_space
printf '\\ a\n' | { read x; echo "[$x]"; }
### test_and_or_numbers
x=5; [ $x -gt 3 -a $x -lt 10 ] && echo ok; [ -n "" -o -n "x" ]; echo $?
### test_paren_strings
[ '(' = '(' ]; echo $?; [ ')' ]; echo $?; [ ! ! x ]; echo $?
### test_file_and
test -e /etc/passwd -a -f /etc/passwd; echo $?
### test_lonely_operators
[ -z ]; echo $?; [ -n ]; echo $?; [ ! -z ]; echo $?
### test_or_short_bad_number
[ 1 -eq 1 -o bad -eq 1 ]; echo $?
### test_strings_truthy
[ "" ]; echo $?; [ " " ]; echo $?; [ 0 ]; echo $?
### test_numeric_vs_string_compare
[ 2 -gt 10 ]; echo $?; [ 2 \> 10 ]; echo $?
### test_no_glob_compare
[ abc = 'a*' ]; echo $?; [ abc == abc ]; echo $?
### test_dir_not_file
[ -d /tmp -a ! -f /tmp ]; echo $?
### test_out_of_range
test 9999999999999999999 -gt 1; echo $?
### test_signed
test -1 -lt -0; echo $?; test +5 -eq 5; echo $?
### test_dangling_and
[ x -a ]; echo $?
### test_e_forms
[ -e ]; echo $?; [ -e -e ]; echo $?
### test_missing_right
test a -eq; echo $?
### test_paren_forms
[ \( ]; echo $?; [ \) ]; echo $?; [ \( x \) ]; echo $?; [ \( \) ]; echo $?
### test_bang_operand
[ ! = x ]; echo $?; [ x = ! ]; echo $?
### test_x_w
test -x /bin/sh; echo $?; test -x /etc; echo $?; test -w /; echo $?
### test_links
[ -h /nonexistent ]; echo $?; [ -L / ]; echo $?
### test_precedence_a_o
[ 1 -lt 2 -a 3 -gt 4 -o 5 -eq 5 ]; echo $?
### alias_same_line
alias e=echo; e hi
### alias_next_line
alias e=echo
e hi
f() { e in-func; }
f
### export_n_lists
export -n 2>/dev/null; echo $?
### readonly_export
x=1; readonly x; export x; echo $x; sh -c 'echo $x'
### unset_exported
export x=1; unset x; sh -c 'echo "[${x-unset}]"'
### cd_dotdot_path
cd /tmp/emush/w/../w; pwd
### cd_slashes
cd ///tmp; pwd; cd //; pwd
### cd_dot_components
cd /tmp/.; pwd; cd ./emush; pwd
### cd_cdpath
CDPATH=/tmp; cd emush; pwd
### cd_dash_status
mkdir a; cd a; cd ..; cd -; echo $?
### cd_empty
cd ''; echo $?; pwd
### cd_home
HOME=/tmp; cd; pwd; unset HOME; cd; echo $?; pwd
### oldpwd_initial
echo "[$OLDPWD]"; cd /; echo $OLDPWD
### umask_symbolic
umask 0; > f; umask a=rx; umask; umask u=rwx,g=rx,o=; umask
### umask_illegal
umask 999; echo $?
### umask_S_set
umask -S 022 2>&1; umask
### type_keyword_missing
type if; type nosuch; echo $?
### command_missing
command nosuch; echo $?
### command_v_keyword
command -v if; command -v nosuch; echo $?
### shift_zero_negative
shift 0; echo $?; set -- a; shift -1; echo $?
### eval_prefix_assign
x=1; x=2 eval 'echo $x'; echo $x
### eval_defines_function
eval 'f() { echo defined; }'; f
### eval_nested_quotes
eval "echo \"\$(echo a)\""
### eval_exit
eval 'exit 3'; echo never
### eval_break_outside
eval 'break' ; echo ok
### eval_continue_in_loop
for i in 1 2; do eval 'continue'; echo no; done; echo $i
### eval_set_split
x='a b'; eval "set -- $x"; echo $#
### eval_empty
eval; eval ''; echo $?
### source_positional
echo 'echo "in sourced: $1"' > s; . ./s; . ./s arg
### source_prefix_assign
echo 'x=sourced' > s; x=1 . ./s; echo $x
### source_return_in_function
echo 'return 5' > s; f() { . ./s; echo "after source $?"; }; f
### source_exit
echo 'exit 6' > s; . ./s; echo never
### source_from_path
mkdir bin; echo 'echo found-in-path' > bin/lib; PATH=$PWD/bin:$PATH; . lib
### trap_replace
trap 'echo one' EXIT; trap 'echo two' EXIT; echo main
### trap_other_signal_listing
trap 'echo int' INT; trap; echo $?
### trap_zero
trap 'echo bye' 0; exit
### trap_set_in_function
f() { trap 'echo fexit' EXIT; }; f; echo after-f
### trap_sees_late_vars
trap 'echo $x' EXIT; x=late
### trap_exit_overrides
trap 'exit 7' EXIT; exit 3
### dbl_basic
[[ a == a* ]] && echo dbl; [[ -n x && 1 -lt 2 ]] && echo and
### dbl_and_or
[[ -n x && 1 -lt 2 ]]; echo $?; [[ -z x && 1 -lt 2 ]]; echo $?; [[ -z x || 1 -lt 2 ]]; echo $?
### dbl_word_after_and
[[ -n x && nosuchcmd ]]; echo $?
### dbl_chain
[[ a == a ]] && [[ b == b ]] && echo both
### dbl_split
x="a b"; [[ -n $x ]]; echo $?
### dbl_glob
touch a1 a2; [[ a1 == a* ]]; echo $?
### dbl_missing
[[ x
### dbl_patterns
x="a b"; [[ abc == "a*" ]] && echo quoted-pattern; [[ abc == a* ]] && echo pattern; [[ abc = a?c ]] && echo q; [[ a != b ]] && echo ne
### dbl_empty
[[ ]]; echo $?; x=; [[ $x ]]; echo $?; [[ -z $x ]]; echo $?
### dbl_xtrace
set -x; [[ a == a ]]
### function_keyword
function f { echo kw; }; f; function g() { echo paren; }; g
### function_word_alone
echo function; function
### function_bad_name
function 1x { :; }
### dollar_single_quotes
echo $'\x41\n\101\u00e9' $'it\'s' "$'not'" $'\t|'
### double_paren_is_subshells
x=5; ((x++)); echo $x
### local_dash
f() { local -; set -e; }; f; echo $-
### heredoc_in_cmdsubst
x=$(cat <<EOF
inner heredoc
EOF
); echo "$x"
