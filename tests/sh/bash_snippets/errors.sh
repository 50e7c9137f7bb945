### command_not_found
nosuchcmd; echo st=$?
### command_not_found_multiline
echo a
nosuch arg
echo st=$?
### unbound_variable_exits
set -u; echo start; echo $nope; echo not-reached
### unbound_variable_braces
set -u; echo ${nope}
### unbound_default_ok
set -u; echo "${nope:-default}" "${nope-x}" ${#@}
### unbound_positional
set -u; echo "$1"
### unbound_at_is_ok
set -u; echo "[$@]" "[$*]" $#
### unbound_array_element
set -u; a=(1); echo ${a[0]}; echo ${a[5]}
### unbound_array_all_empty_ok
set -u; a=(); echo "[${a[@]}]"
### unbound_in_function
set -u; f() { echo $undefined_thing; }; f; echo after
### nounset_length
set -u; echo ${#nope}
### syntax_unexpected_fi
echo a; fi
### syntax_unexpected_token_next_line
echo first
if then; fi
echo never
### syntax_eof_if
if true; then echo x
### syntax_eof_quote
echo "unterminated
### syntax_eof_single_quote
echo 'oops
### syntax_unexpected_paren
echo a )
### syntax_unexpected_done
done
### syntax_eof_brace_group
{ echo a
### syntax_eof_cmdsubst
echo $(echo a
### syntax_eof_param
echo ${a
### syntax_missing_do
for x in a b; echo $x; done
### syntax_unexpected_semicolon
; echo a
### syntax_double_semicolon
echo a;;
### syntax_in_second_line_runs_first
echo ran
while do; done
### syntax_case_missing_esac
case x in x) echo x;;
### syntax_error_line_three
echo one
echo two
echo three )
### readonly_assign_message
readonly X=1; X=2; echo after
### readonly_assign_in_command_prefix
readonly X=1; X=2 true; echo st=$?
### bad_variable_name_export
export 1abc=x; echo st=$?
### bad_name_declare
declare 'a b=1'; echo st=$?
### bad_array_subscript_assign
a=(); a[-1]=x; echo st=$?
### not_a_directory_cd
touch f; cd f; echo st=$?
### permission_denied_exec
touch script; ./script; echo st=$?
### no_such_file_exec
./missing; echo st=$?
### is_a_directory_exec
mkdir d; ./d; echo st=$?
### shift_bad_number
shift x; echo st=$?
### break_outside_loop
break; echo st=$?
### continue_bad_count
for i in 1; do continue 0; done; echo st=$?
### unset_readonly_function_var
readonly r=1; unset r; echo st=$? $r
### arith_syntax_message
echo $(( 1 + * 2 ))
echo next
### arith_bad_assign
echo $(( 1 = 2 ))
echo next
### arith_attempted_assignment_to_non_variable
(( 3++ )); echo st=$?
### arith_missing_paren
echo $(( (1 + 2 ))
echo next
### arith_unbalanced_close
echo $(( 1 + 2) )); echo same
### cmd_not_found_in_pipeline
nosuch | cat; echo "${PIPESTATUS[@]}"
### cmd_not_found_in_subshell
( nosuch ); echo st=$?
### error_in_cmdsubst
x=$(nosuch); echo "st=$? [$x]"
### bad_fd
echo x >&5; echo st=$?
### bad_substitution_message_forms
echo ${a[}; echo next1
echo ${#a:1}; echo next2
echo ${!}; echo next3
