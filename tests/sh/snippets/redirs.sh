### write_file
echo hello > out; cat out
### append_file
echo a > f; echo b >> f; cat f
### truncate
echo long > f; echo s > f; cat f
### input_redirect
echo data > f; cat < f
### stderr_redirect
echo err >&2 2>/dev/null; { echo e >&2; } 2>/dev/null; echo ok
### stderr_to_file
{ echo out; echo err >&2; } 2> e.txt; cat e.txt
### stderr_to_stdout
{ echo out; echo err >&2; } 2>&1 | cat
### stdout_to_stderr
echo toerr >&2
### redirect_order
{ echo out; echo err >&2; } > f 2>&1; cat f
### redirect_order_reversed
{ echo err >&2; } 2>&1 > f; echo "[$(cat f)]"
### dev_null
echo gone > /dev/null; cat /dev/null; echo "st=$?"
### amp_redirect
{ echo o; echo e >&2; } &> both; cat both
### greater_amp_file
echo hi >&file; cat file
### fd_numbers
echo to1 1>f1; cat f1; echo x 2>f2 >&2; cat f2
### redirect_before_command
> f echo first; cat f
### redirect_only_creates
> empty; ls
### redirect_nonexistent_dir
echo x > nodir/f; echo "st=$?"
### redirect_to_dir
mkdir d; echo x > d; echo "st=$?"
### input_missing
cat < nofile; echo "st=$?"
### heredoc_basic
cat <<EOF
line1
line2
EOF
### heredoc_expand
x=world; cat <<EOF
hello $x $(echo sub) $((1+1))
\$x \\ \`
EOF
### heredoc_quoted
x=world; cat <<'EOF'
hello $x $(nope)
EOF
### heredoc_dquoted_delim
cat <<"E"
$HOME
E
### heredoc_strip_tabs
cat <<-EOF
	tabbed
		twice
	EOF
### heredoc_two
cat <<A; cat <<B
a
A
b
B
### heredoc_in_loop
for i in 1 2; do cat <<EOF
n=$i
EOF
done
### heredoc_to_file
cat > f <<EOF
content
EOF
cat f
### heredoc_pipe
cat <<EOF | tr a-z A-Z
shout
EOF
### heredoc_no_trailing_delim
cat <<EOF
unterminated
### heredoc_quotes_literal
cat <<EOF
"double" 'single'
EOF
### heredoc_backslash_newline
cat <<EOF
a\
b
EOF
### heredoc_in_function
f() { cat <<EOF
in func $1
EOF
}; f arg
### heredoc_read
read a b <<EOF
one two three
EOF
echo "$a|$b"
### here_string_rejected
cat <<< word
### write_multiple_files
for i in 1 2 3; do echo $i > f$i; done; cat f2
### append_in_loop
for i in a b c; do echo $i >> log; done; cat log
### loop_output_redirect
for i in 1 2; do echo $i; done > out; cat out
### while_input_redirect
printf '1\n2\n' > in; while read n; do echo "n$n"; done < in
### exec_redirect
exec > out; echo captured; exec 2>&1; echo more
### exec_fd_dup
exec 3>&1; echo via3 >&3
### bad_fd
echo hi >&7; echo "st=$?"
### close_stdout
echo a >&-; echo "st=$?"
### redirect_assignment_only
x=1 > f; echo $x; ls
### noclobber
echo a > f; set -C; echo b > f; echo "st=$?"; echo c >| f; cat f
### read_write_redirect
echo abc > f; cat <> f
### dev_stdout_stderr
echo out > /dev/stdout; echo err > /dev/stderr
### subshell_redirect
(echo a; echo b) > f; cat f
### cmdsubst_stderr_passes
x=$(echo err >&2; echo out); echo "[$x]"
### redirect_fd_order_stdin
echo in > f; exec 0<f; read line; echo "[$line]"
