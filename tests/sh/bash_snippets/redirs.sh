### here_string
cat <<< "hello world"
### here_string_var
v="a b"; read x y <<< "$v"; echo "$y|$x"
### here_string_adds_newline
wc -l <<< "one"; wc -l <<< ""
### here_string_expansion
n=3; cat <<< "n=$n $(echo sub) ~"
### here_string_unquoted_no_split
v="a   b"; cat <<< $v
### here_string_to_while
while read -r l; do echo "<$l>"; done <<< $'x\ny'
### process_substitution_read
cat <(echo from-procsub)
### process_substitution_loop
while read -r l; do echo "got $l"; done < <(printf '1\n2\n')
### process_substitution_two
cat <(echo a) <(echo b)
### process_substitution_vars_persist
n=0; while read -r l; do n=$((n+1)); done < <(seq 1 4); echo $n
### process_substitution_path
f=<(true); [[ $f == /dev/fd/* ]] && echo devfd
### amp_redirect
{ echo o; echo e >&2; } &> all.txt; cat all.txt
### amp_append
echo one &> f; echo two &>> f; cat f
### stderr_to_stdout_order
{ echo a; echo b >&2; } 2>&1 | cat
### redirect_fd_dup_close
exec 3> fd3.txt; echo to3 >&3; exec 3>&-; cat fd3.txt
### heredoc_basic
cat <<EOF2
x=$((1+1))
EOF2
### heredoc_quoted
cat <<'E'
$HOME `x`
E
### heredoc_dash
cat <<-E
	tabbed
	E
### noclobber
set -o noclobber; echo a > f; echo b > f; echo st=$?; echo c >| f; cat f
### redirect_missing_file
cat < nosuch; echo st=$?
### redirect_to_dir
echo x > /tmp; echo st=$?
### redirect_nonexistent_dir
echo x > nodir/file; echo st=$?
### dev_stderr
echo to-err > /dev/stderr; echo ok
### read_from_dev_null
read x < /dev/null; echo "st=$? [$x]"
### multiple_here_strings
cat <<< a; cat <<< b
### here_string_with_quotes
cat <<< 'single $x' ; cat <<< "double \$x"
### redirect_ambiguous
f="a b"; echo x > $f; echo st=$?; ls
### redirect_glob_target
touch one.log; echo hi > *.log; cat one.log
### read_file_substitution
echo 1.2.3 > VERSION; V=$(<VERSION); echo "v=$V"; W="$(< VERSION)"; echo "w=$W"
### read_file_substitution_missing
x=$(<nosuch); echo "st=$? [$x]"
### read_d_empty_heredoc
read -r -d '' MSG <<'END'
line one
line two
END
echo "st=$? [$MSG]"
