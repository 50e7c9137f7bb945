### if_true
if true; then echo yes; else echo no; fi
### if_false_else
if false; then echo yes; else echo no; fi
### elif_chain
x=2; if [ $x = 1 ]; then echo one; elif [ $x = 2 ]; then echo two; elif [ $x = 3 ]; then echo three; else echo other; fi
### if_status_no_branch
if false; then :; fi; echo $?
### if_cond_status_visible
if false; then :; else echo "st=$?"; fi
### if_multiline
if true
then
  echo a
  echo b
fi
### for_words
for i in a b c; do echo $i; done
### for_no_in
set -- x y; for i; do echo $i; done
### for_empty_list
for i in; do echo never; done; echo "st=$?"
### for_var_after
for i in 1 2 3; do :; done; echo $i
### for_newline_in
for i in a b
do
echo $i
done
### for_do_on_same_line
for i in 1 2; do echo $i; done; for j in 3; do echo $j
done
### while_loop
i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done
### until_loop
i=0; until [ $i -ge 3 ]; do echo $i; i=$((i+1)); done
### while_false_status
while false; do :; done; echo $?
### loop_status_last_body
for i in 1 2; do false; done; echo $?
### break_simple
for i in 1 2 3 4; do [ $i = 3 ] && break; echo $i; done
### continue_simple
for i in 1 2 3 4; do [ $i = 2 ] && continue; echo $i; done
### break_nested
for i in 1 2; do for j in a b c; do [ $j = b ] && break 2; echo $i$j; done; done; echo end
### continue_nested
for i in 1 2; do for j in a b; do [ $j = a ] && continue 2; echo $i$j; done; echo never; done; echo end
### break_too_many
for i in 1 2; do break 5; done; echo ok
### break_outside_loop
break; echo still
### break_zero
for i in 1; do break 0; done; echo after
### break_in_function_breaks_loop
f() { break; }; for j in a b; do f; echo $j; done; echo done
### break_in_subshell
for i in 1 2; do (break); echo $i; done
### case_basic
case foo in bar) echo bar;; foo) echo foo;; esac
### case_patterns
for w in apple banana cherry 42 ''; do case $w in a*) echo "A $w";; *an*) echo "AN $w";; [0-9]*) echo "NUM $w";; '') echo empty;; *) echo "other $w";; esac; done
### case_alternatives
case b in a|b|c) echo abc;; esac; case x in (x|y) echo xy;; esac
### case_no_match_status
false; case z in a) :;; esac; echo $?
### case_last_no_dsemi
case a in a) echo x
esac
### case_quoted_pattern
case '*' in "*") echo lit;; esac; case abc in "*") echo no;; *) echo any;; esac
### case_var_pattern
p='a*'; case abc in $p) echo match;; esac; case abc in "$p") echo no;; *) echo nomatch;; esac
### case_bracket
case 5 in [0-9]) echo digit;; esac; case ']' in []]) echo br;; esac; case x in [!a-w]) echo notaw;; esac
### case_empty_body
case a in a) ;; esac; echo $?
### case_multiline
case "$1" in
  "")
    echo none
    ;;
  *)
    echo some
    ;;
esac
### case_status_from_body
case a in a) false;; esac; echo $?
### and_or_chain
true && echo a; false && echo b; false || echo c; true || echo d
### and_or_precedence
false && echo x || echo y; true || echo p && echo q
### negation
! true; echo $?; ! false; echo $?; ! (exit 3); echo $?
### pipeline_status
false | true; echo $?; true | false; echo $?
### pipeline_negated
! echo x | false; echo $?
### pipefail
set -o pipefail; false | true; echo $?; (exit 3) | (exit 4) | true; echo $?
### pipeline_subshell_vars
x=1; echo 2 | read x; echo $x
### pipeline_multi
printf 'b\na\nc\n' | sort | head -n 2
### subshell_isolation
x=1; (x=2; echo in $x); echo out $x
### subshell_cd_isolation
mkdir d; (cd d; pwd); pwd
### subshell_exit
(exit 3); echo $?; (echo a; exit 4; echo b); echo $?
### group_shares_state
x=1; { x=2; echo in $x; }; echo out $x
### group_redirect
{ echo a; echo b; } > f; cat f
### background
echo bg & wait; echo fg
### background_status
false & echo "st=$?"
### semicolon_newline_mix
echo a; echo b
echo c
### empty_lines_and_comments
# comment

echo x # trailing
   # indented comment
echo y
### nested_loops_case
for i in 1 2 3; do case $i in 2) continue;; esac; echo $i; done
### while_read_loop
printf 'l1\nl2\nl3\n' > f; while read line; do echo "got $line"; done < f
### while_break_status
while true; do break; done; echo $?
### deep_nesting
if true; then for i in 1; do while true; do case x in x) { (echo deep); }; esac; break; done; done; fi
### until_with_break
n=0; until false; do n=$((n+1)); [ $n -ge 3 ] && break; done; echo $n
