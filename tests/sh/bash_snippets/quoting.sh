### ansi_c_in_assignment
x=$'a\nb'; echo "$x"; printf '%q\n' "$x"
### ansi_c_concat
echo $'one'"two"'three'
### locale_string
echo $"plain"
### backslash_newline_in_dq
echo "a\
b"
### single_in_double
echo "it's" 'say "hi"'
### escape_dollar
echo \$HOME "\$HOME" '$HOME'
### printf_q_roundtrip
v=$'x y\t"z"'; q=$(printf '%q' "$v"); eval "w=$q"; [[ $v == "$w" ]] && echo roundtrip; echo "$q"
### quoted_array_index
a=([1]=one); echo "${a["1"]}"
### tilde_expansions
echo ~ ~/x ~root; x=~; echo $x; y=a:~/b; echo $y
### word_splitting_ifs_custom
IFS=:; v="a:b::c"; for w in $v; do echo "[$w]"; done
### empty_string_args
f() { echo $#; }; f "" ''; f $nothing; f "$nothing"
### dollar_at_vs_star
set -- "a b" c; for x in "$@"; do echo "@[$x]"; done; for x in "$*"; do echo "*[$x]"; done
### nested_quotes_cmdsubst
echo "$(echo "a "b" c")"
### backticks
echo `echo back` "`echo tick`"
### dollar_brace_quoted_pattern
v='a*b'; echo "${v/\*/x}" "${v/'*'/y}"
### unicode_passthrough
s='héllo wörld'; echo "${s^^}" ${#s}
### utf8_locale_characters
LANG=C.UTF-8; v=héllo; echo ${#v} ${v^^} ${v:1:2} ${v^}; printf '%q\n' é "a b"; w=ÉCOLE; echo ${w,,}; set -x; echo é
