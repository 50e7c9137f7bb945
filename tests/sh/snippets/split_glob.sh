### ifs_default
x="  a  b  c  "; set -- $x; echo $#; echo "[$1][$3]"
### ifs_colon
IFS=:; x="a:b::c:"; set -- $x; echo $#; for i; do echo "[$i]"; done
### ifs_mixed_ws
IFS=" :"; x=" a : b :: c "; set -- $x; echo $#; for i; do echo "[$i]"; done
### ifs_leading_nonws
IFS=:; x=":a"; set -- $x; echo $#; echo "[$1][$2]"
### ifs_adjacent_literal
x=" a "; set -- [$x]; echo $#; echo "$@"
### ifs_empty_no_split
IFS=; x="a b c"; set -- $x; echo $#
### ifs_empty_drops_empty
x=; set -- $x "" $x; echo $#
### ifs_unset
unset IFS; x="a	b
c"; set -- $x; echo $#
### ifs_custom_char_in_literal
IFS=-; echo a-b; x=a-b; echo $x
### split_cmdsubst
set -- $(printf 'a b\nc'); echo $#
### no_split_in_assignment
x="a b"; y=$x; set -- $y; echo $#
### no_split_quoted
x="a b"; set -- "$x"; echo $#
### star_ifs_empty
set -- a "b c"; IFS=; set -- $*; echo $#
### glob_star
touch b a c .hidden; echo *
### glob_question
touch a1 a2 a10; echo a?
### glob_bracket
touch a b c d; echo [ab] [!ab] [b-c]
### glob_no_match
echo nomatch* x?y [z]
### glob_dotfiles
touch .a b; echo .*
### glob_dirs
mkdir d1 d2; touch f; echo */
### glob_subdir
mkdir d e; touch d/1 e/2 d/3; echo */* ./d/*
### glob_quoted_part
touch 'a*b' axb; echo "a*"b a"*"b
### glob_in_var
touch x1 x2; p='x*'; echo $p "$p"
### glob_escaped_var
touch '*' a; x='\*'; echo $x
### glob_noglob
touch a b; set -f; echo *; set +f; echo *
### glob_sorted
touch B a C b; echo *
### glob_char_class
touch a1 b2 C3; echo [[:upper:]]* [[:digit:]]* [[:lower:]][0-9]
### glob_absolute
mkdir -p d/e; touch d/e/f; echo $PWD/d/*/f; echo /tmp/emush/w/d/e/* | tr / :
### glob_for_loop
touch z y x; for f in *; do echo "file $f"; done
### glob_in_case_not_expanded
touch abc; case x in *) echo star;; esac
### unclosed_bracket
touch '[ab'; echo [ab
