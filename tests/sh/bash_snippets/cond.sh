### string_equal
x=abc; [[ $x == abc ]] && echo eq; [[ $x = abc ]] && echo eq1; [[ $x != abd ]] && echo ne
### pattern_match
f=file.tar.gz; [[ $f == *.gz ]] && echo gz; [[ $f == *.zip ]] || echo not-zip; [[ $f == f?le* ]] && echo q
### quoted_pattern_literal
p='*.gz'; f=x.gz; [[ $f == $p ]] && echo pat; [[ $f == "$p" ]] || echo literal
### no_word_splitting
v="a b c"; [[ $v == "a b c" ]] && echo same; [[ -n $v ]] && echo nonempty
### empty_var_no_quotes
e=; [[ -z $e ]] && echo empty; [[ $e == "" ]] && echo eq-empty; [[ $unset_var ]] || echo unset-false
### and_or_not
a=1; b=2; [[ $a == 1 && $b == 2 ]] && echo both; [[ $a == 0 || $b == 2 ]] && echo either; [[ ! $a == 0 ]] && echo not
### grouping
a=1; [[ ( $a == 1 || $a == 2 ) && ! ( $a == 3 ) ]] && echo grouped
### precedence
[[ 1 == 1 || 1 == 2 && 1 == 3 ]] && echo or-lower
### regex_basic
v=abc123; [[ $v =~ [0-9]+ ]] && echo "match ${BASH_REMATCH[0]}"
### regex_groups
v=release-1.22.3; if [[ $v =~ ^release-([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]} n=${#BASH_REMATCH[@]}"; fi
### regex_no_match_clears
[[ ab =~ (a)(b) ]]; echo ${#BASH_REMATCH[@]}; [[ xy =~ (a) ]]; echo "n=${#BASH_REMATCH[@]} rc=$?"
### regex_alternation
for w in cat dog cow; do [[ $w =~ ^(cat|dog)$ ]] && echo "pet $w" || echo "not $w"; done
### regex_quoted_literal
v='a.c'; [[ abc =~ "a.c" ]] || echo no-literal; [[ a.c =~ "a.c" ]] && echo literal; [[ abc =~ a.c ]] && echo regex
### regex_from_variable
re='^[a-z]+@[a-z]+\.com$'; [[ joe@example.com =~ $re ]] && echo email; [[ bad@ =~ $re ]] || echo bad
### regex_bracket_space
re='^a b$'; [[ "a b" =~ $re ]] && echo spaced; [[ "a b" =~ ^a\ b$ ]] && echo escaped
### regex_optional_group
[[ v1 =~ ^v([0-9]+)(\.([0-9]+))?$ ]] && echo "[${BASH_REMATCH[1]}][${BASH_REMATCH[3]}]"
### regex_invalid
re='('; [[ a =~ $re ]]; echo rc=$?
### string_compare_lt_gt
[[ apple < banana ]] && echo lt; [[ b > a ]] && echo gt; [[ B < a ]] && echo upper-first
### integer_compare
[[ 10 -gt 9 ]] && echo gt; [[ 010 -eq 8 ]] && echo octal; [[ 2+3 -eq 5 ]] && echo arith; x=4; [[ x -lt 5 ]] && echo var
### integer_compare_error
[[ abc -eq 1 ]]; echo rc=$?; [[ 1.5 -eq 1 ]]; echo rc=$?
### file_tests
touch f; mkdir d; [[ -f f ]] && echo file; [[ -d d ]] && echo dir; [[ -e nope ]] || echo missing; [[ -s f ]] || echo empty; echo x > g; [[ -s g ]] && echo nonempty
### file_tests_perm
touch f; [[ -r f ]] && echo reads; [[ -w f ]] && echo writes; [[ -x f ]] || echo not-exec; [[ -L f ]] || echo not-link
### var_set_test
x=1; e=; [[ -v x ]] && echo x-set; [[ -v e ]] && echo e-set; [[ -v nope ]] || echo nope-unset
### option_test
set -e; [[ -o errexit ]] && echo errexit-on; [[ -o nounset ]] || echo nounset-off
### nt_ot
touch a; [[ a -nt missing ]] && echo newer; [[ missing -ot a ]] && echo older
### status_codes
[[ 1 == 1 ]]; echo $?; [[ 1 == 2 ]]; echo $?
### in_if_and_while
n=0; while [[ $n -lt 3 ]]; do n=$((n+1)); done; if [[ $n == 3 ]]; then echo three; fi
### multiline
x=5
if [[ $x -gt 1 &&
      $x -lt 10 ]]; then echo in-range; fi
### glob_not_expanded
touch a.txt; [[ *.txt == *.txt ]] && echo literal-star; [[ a.txt == *.txt ]] && echo matches
### nocasematch
shopt -s nocasematch; [[ ABC == abc ]] && echo ci; case Hello in hello) echo case-ci;; esac
### extglob_in_cond
[[ foo.js == *.@(js|ts) ]] && echo ext; [[ x == +([0-9]) ]] || echo notnum; [[ 123 == +([0-9]) ]] && echo num
### negated_extglob
[[ abc == !(*.txt) ]] && echo not-txt
### tilde_in_cond
[[ ~ == /root ]] && echo home
### test_builtin_still_posix
[ a = a ] && echo eq; [ "a b" != a ] && echo ne; test -z "" && echo z
### test_bash_errors
[ a = ]; echo rc=$?; [ 1 -eq a ]; echo rc=$?; [ a b c ]; echo rc=$?; [ a; echo rc=$?
### test_double_equal
[ a == a ] && echo eqeq; test a == b || echo neq
### cond_with_arith_index
a=(5 6); [[ ${a[1]} -eq 6 ]] && echo six
### unary_n_z_on_expansion
s="  "; [[ -n $s ]] && echo nonempty-spaces; [[ -z ${s// /} ]] && echo blank
### cond_backslash_pattern
[[ 'a*b' == a\*b ]] && echo esc; [[ axb == a\*b ]] || echo not-glob
### cond_in_function_return
is_num() { [[ $1 =~ ^[0-9]+$ ]]; }; is_num 42 && echo yes; is_num x4 || echo no
### rematch_in_loop
for s in k8s=1 foo=22; do [[ $s =~ ^([a-z0-9]+)=([0-9]+)$ ]] && echo "${BASH_REMATCH[1]}:${BASH_REMATCH[2]}"; done
### cond_syntax_error
[[ 1 -eq ]]
echo after
### cond_missing_close
[[ a == a
echo after
