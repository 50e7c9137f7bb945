### single_quotes
echo 'a  b' 'c$d' '\n'
### double_quotes
x=1; echo "x=$x" "\$x" "a\\b" "q\"q" "\z"
### backslash_unquoted
echo \a\b \\ \$x a\ b \'
### mixed_quotes
echo 'a'"b"c"'d'"'"e"'
### empty_args
set -- "" '' a ""; echo $#
### dollar_literal
echo $ "$" a$ '$'x "x$"
### line_continuation
echo ab\
cd "ef\
gh"
### quote_in_dquote_param
x="it's"; echo "$x" $x
### backquote_basic
echo `echo hi` "`echo a  b`"
### backquote_escapes
echo `echo \$HOME` `echo '\\'`
### nested_cmdsubst
echo $(echo $(echo deep))
### cmdsubst_trailing_newlines
x=$(printf 'a\n\n\n'); echo "[$x]"
### cmdsubst_inner_newlines
x=$(printf 'a\n\nb\n'); echo "[$x]"
### cmdsubst_quoted_split
echo "$(echo a   b)" $(echo a   b)
### cmdsubst_case_inside
echo $(case a in a) echo yes;; esac)
### hash_not_comment
echo a#b #comment
echo '#x' "#y" \#z
### tabs_and_spaces
echo a	b     c
### semicolon_in_quotes
echo "a;b" 'c|d' e\&f
### glob_in_quotes_no_expand
touch a1 a2; echo "a*" 'a*' a\*
### escaped_newline_in_single
echo 'a\
b'
### special_chars_echo
echo '!' '{' '}' '[' ']' '~' '^' '%'
### braces_literal
echo {a,b} {} x{y}z
### unicode
echo 'héllo wörld' "ünï"
### dq_backslash_newline
echo "a\
b"
### assignment_with_spaces_quoted
x="a   b"; echo $x; echo "$x"
### assignment_no_split
y="1  2"; x=$y; echo "$x"
### assignment_glob_literal
touch f1 f2; x=f*; echo "$x"; echo $x
### tilde_expansion
echo ~ ~/x a~ ~root "~" '~' x=~
### tilde_in_assignment
HOME=/h; x=~:~/a; echo $x; y=a:~; echo $y
### tilde_unknown_user
echo ~nosuchuserxyz/a
