### default_unset
echo ${x-def} ${x:-def2}
### default_empty
x=; echo "[${x-def}]" "[${x:-def2}]"
### assign_default
echo ${x=one} $x; y=; echo ${y:=two} $y
### assign_default_no_colon_empty
y=; echo "[${y=two}]" "[$y]"
### alt_value
x=1; echo ${x+alt} "[${u+alt}]" ${x:+alt2}; e=; echo "[${e+set}]" "[${e:+nonnull}]"
### error_unset
echo ${x?} ; echo not reached
### error_unset_msg
echo ${x?custom message}; echo no
### error_null
x=; echo ${x:?}
### error_null_msg
x=; echo ${x:?is empty}
### error_set_ok
x=v; echo ${x?} ${x:?}
### length
x=hello; echo ${#x}; y=; echo ${#y}; echo ${#nope}
### length_positional
set -- a bb ccc; echo ${#} ${#1} ${#3}
### prefix_short
x=aXbXc; echo ${x#*X}
### prefix_long
x=aXbXc; echo ${x##*X}
### suffix_short
x=aXbXc; echo ${x%X*}
### suffix_long
x=aXbXc; echo ${x%%X*}
### strip_no_match
x=abc; echo ${x#z} ${x%z} ${x##q*} ${x%%*q}
### strip_literal
x=file.tar.gz; echo ${x%.gz} ${x%.*} ${x%%.*} ${x#file.}
### strip_path
p=/usr/local/bin/tool; echo ${p##*/} ${p%/*}
### strip_quoted_pattern
x='a*b'; echo ${x#"a*"} ${x#a*}
### strip_bracket
x=abc123; echo ${x%%[0-9]*} ${x##*[a-z]}
### strip_question
x=abcd; echo ${x#??} ${x%?}
### replace_first
x=aaa; echo ${x/a/b}
### replace_all
x=aaa; echo ${x//a/b}
### replace_glob
x=hello.world.txt; echo ${x/.*/!} ${x//o/0}
### replace_anchored
x=abcabc; echo ${x/#abc/X} ${x/%abc/Y} ${x/#b/Z}
### replace_delete
x=a-b-c; echo ${x//-/} ${x/-}
### substring
x=abcdef; echo ${x:2} ${x:1:3} ${x:0:1} ${x:4:10}
### substring_negative
x=abcdef; echo ${x: -2} ${x:(-3):2}
### substring_arith
x=abcdef; i=1; echo ${x:i+1:2}
### positional_params
set -- a b c d e f g h i j k; echo $1 $9 ${10} ${11} $#
### special_at_star
set -- "a b" c; for i in "$@"; do echo "[$i]"; done; for i in "$*"; do echo "<$i>"; done
### at_unquoted
set -- "a b" c; for i in $@; do echo "[$i]"; done
### star_ifs_join
set -- a b c; IFS=,; echo "$*"; IFS=; echo "$*"
### at_empty_quoted
set --; for i in "$@"; do echo x; done; echo "n=$#"
### at_with_prefix
set -- a b; for i in "x$@y"; do echo "[$i]"; done
### question_mark
true; echo $?; false; echo $?; (exit 7); echo $?
### dollar_zero
echo $0
### hyphen_flags
set -e; set -u; echo $-
### nested_default
x=; echo ${x:-${y:-${z:-deep}}}
### default_with_spaces_split
set -- ${x:-a b c}; echo $#; set -- "${x:-a b c}"; echo $#
### default_quoted_inner
x=; echo "${x:-'q'}" ${x:-'q'} "${x:-"d q"}"
### brace_escape_in_default
echo "${x:-a\}b}" ${y:-\}}
### param_adjacent_text
x=mid; echo pre${x}post pre$x.post "$x"s
### underscores_digits_names
a_1=v; _b=w; echo $a_1 $_b ${a_1}x
### unset_variable
x=1; unset x; echo "[${x-unset}]"
### linenumber
echo $LINENO
echo $LINENO
### var_with_newline
x='a
b'; echo "$x"; echo $x
### length_of_unicode
x=héllo; echo ${#x}
