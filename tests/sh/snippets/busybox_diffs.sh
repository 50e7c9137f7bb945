### funcname_colon_is_bad
:() { echo x; }; echo not reached
### funcname_special_builtins_are_bad
for f in export local set a-b f.x 1f; do sh -c "$f() { :; }; echo defined $f"; echo "$f: $?"; done; cd() { echo mine; }; cd; true() { echo T; }; true; echo() { :; }; echo not printed
### test_nt_ot_with_a_missing_file
touch f; [ f -nt missing ]; echo $?; [ missing -ot f ]; echo $?; [ missing -nt f ]; echo $?; [ f -ot missing ]; echo $?; [ f -ef f ]; echo $?; [ f -ef missing ]; echo $?; test f -nt nope; echo $?
### test_L_with_trailing_slash
mkdir d; ln -s d dl; [ -L dl/ ]; echo $?; [ -L dl ]; echo $?; test -L dl/; echo $?; [ -d dl/ ]; echo $?
### glob_over_a_symlink_loop
mkdir d d/s; ln -s loop d/loop; touch d/a; echo d/*; echo d/*/; echo d/*/x; echo d/*/*; echo */loop/*; for f in d/*; do [ -e "$f" ] || echo "not there: $f"; done
### glob_over_a_link_cycle
mkdir d; ln -s b d/a; ln -s a d/b; ln -s d/a top; echo d/*; echo d/*/; echo d/?/*; echo t*/
### printf_c_of_empty_is_nul
printf '%c' '' > nul; printf '<%c>' '' abc > two
### sh_c_inherits_umask
umask 077; sh -c umask; (sh -c umask); umask 002; sh -c 'umask; sh -c umask'
### kill_term_self_trapped
sh -c 'trap "echo term-trap" TERM; trap "echo exit-trap" EXIT; kill -TERM $$; echo "after $?"'; echo "rc=$?"
### kill_term_self_untrapped_skips_exit_trap
sh -c 'trap "echo exit-trap" EXIT; kill -TERM $$; echo after'; echo "rc=$?"
### kill_self_default_signals
sh -c 'kill $$; echo after'; echo "rc=$?"; sh -c 'kill -INT $$'; echo "rc=$?"; sh -c 'kill -9 $$'; echo "rc=$?"; sh -c 'kill -s HUP $$'; echo "rc=$?"; sh -c 'kill -SIGUSR1 $$'; echo "rc=$?"
### kill_self_ignored_and_harmless
sh -c 'trap "" TERM; kill $$; echo ignored; kill -CHLD $$; echo alive; kill -0 $$; echo "zero $?"; trap "echo once" TERM; kill -TERM $$ $$; echo end'
### kill_subshell_kills_its_shell
sh -c '(kill $$; echo in-subshell); echo after'; echo "rc=$?"
### kill_usage_and_errors
kill; echo "rc=$?"; kill -FOO 1; echo "rc=$?"; kill -s TERM; echo "rc=$?"; kill 99999; echo "rc=$?"; kill -l 15 TERM 9; kill -l | head -n 3
### kill_nested_subshell_reaches_the_shell
sh -c 'trap "echo trapped" USR1; ( (kill -USR1 $$; echo inner); echo outer ); echo after'; echo "rc=$?"
