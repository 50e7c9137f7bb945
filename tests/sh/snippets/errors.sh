### not_found
nosuchcmd; echo "st=$?"
### not_found_path
/no/such/cmd; echo "st=$?"
### not_found_relative
./nope; echo "st=$?"
### not_found_in_pipeline
nosuch | cat; echo "st=$?"
### syntax_unexpected_fi
echo a; fi
### syntax_later_line
echo first
echo second; fi
echo never
### syntax_eof_if
if true; then echo x
### syntax_eof_while
while true; do echo
### syntax_expecting_then
if true; echo; fi
### syntax_expecting_do
for x in a b; echo; done
### syntax_expecting_done
while true; do echo; fi
### syntax_unexpected_paren
echo )
### syntax_empty_subshell
( )
### syntax_empty_group
{ }
### syntax_pipe_eof
echo a |
### syntax_andand_eof
echo a &&
### syntax_leading_pipe
| echo
### syntax_semicolon
;
### syntax_double_semicolon
echo a;;
### syntax_unterminated_quote
echo "abc
### syntax_unterminated_single
echo 'abc
### syntax_missing_brace
echo ${x
### syntax_bad_substitution
echo ${x!}
### syntax_empty_brace
echo ${}
### syntax_missing_arith_close
echo $((1+2)
### syntax_backquote_eof
echo `echo
### syntax_cmdsubst_eof
echo $(echo
### syntax_bad_for_var
for 1 in a; do :; done
### syntax_case_eof
case x in
### syntax_case_expect
case a in a) echo;; b) echo; fi
### syntax_redirect_eof
echo >
### syntax_redirect_op
echo > ;
### syntax_redirection_redirection
echo > >
### syntax_paren_after_args
echo a (b)
### syntax_funcdef_missing_body
f() { :; }; f ( )
### syntax_if_semicolon
if; then :; fi
### syntax_empty_then
if true; then fi
### syntax_test_as_funcdef
[ ( a = a ) ]
### exit_codes
(exit 0); echo $?; (exit 255); echo $?; (exit 256); echo $?
### exit_value
exit 3
### exit_large
exit 300
### exit_bad
exit abc; echo never
### exit_no_arg_last_status
false; exit
### exit_in_subshell_only
(exit 1); echo still here
### exit_from_cmdsubst
x=$(exit 4); echo $?
### echo_cmdsubst_status
echo $(exit 4); echo $?
### assignment_status_cmdsubst
x=$(false); echo $?; x=$(true); echo $?
### readonly_assign_in_func
readonly r=1; f() { r=2; }; f; echo never
### error_prefix_builtin
cd /nope
cd /nope2
### error_line_in_function
f() {
  cd /missing
}
f
### not_found_status_and
nosuch && echo yes || echo no
### permission_not_exec
echo 'echo hi' > script.sh; ./script.sh; echo "st=$?"
### directory_not_exec
mkdir dd; ./dd; echo "st=$?"
### sh_c_nested
sh -c 'echo nested $0 $1' a b; sh -c 'exit 5'; echo $?
### sh_missing_script
sh /nonexistent/script; echo $?
### sh_runs_script_file
printf 'echo from file $1\nexit 3\n' > s.sh; sh s.sh arg; echo $?
### sh_stdin
echo 'echo from stdin' | sh
### sh_errexit_flag
sh -e -c 'false; echo never'; echo $?
