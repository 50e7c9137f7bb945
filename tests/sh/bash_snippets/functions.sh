### function_keyword_braces
function greet { echo "hi $1"; }; greet there
### function_keyword_parens
function greet() { echo "hello $1"; }; greet you
### funcname
f() { echo "$FUNCNAME ${FUNCNAME[@]}"; g; }; g() { echo "${FUNCNAME[@]}"; }; f
### funcname_top_level
echo "[${FUNCNAME[@]}] [$FUNCNAME]"
### return_status
f() { return 3; }; f; echo $?
### return_default_status
f() { false; return; }; f; echo $?
### recursion
fact() { local n=$1; if (( n <= 1 )); then echo 1; else echo $(( n * $(fact $((n-1))) )); fi; }; fact 10
### local_a_function
f() { local -a list=("$@"); echo ${#list[@]}; }; f a b c
### function_with_redirect
f() { echo in-f; } > out.txt; f; cat out.txt
### function_subshell_body
f() ( x=inner; echo $x ); x=outer; f; echo $x
### function_overrides_builtin
echo() { builtin echo "wrapped: $*"; }; echo hi; unset -f echo; echo plain
### function_named_with_dash
my-func() { echo dash-ok; }; my-func
### function_keyword_name_with_dot
function a.b { echo dot-ok; }; a.b
### positional_inside_function
f() { echo "$# $1 ${@: -1}"; }; f x y z
### declare_f_output
f() { local x=1; echo "$x"; }; declare -f f
### type_function_output
g() { echo hi; }; type g
### nested_function_def
outer() { inner() { echo inner-defined; }; }; outer; inner
### return_in_loop
f() { for i in 1 2 3; do if [[ $i == 2 ]]; then return $i; fi; done; }; f; echo $?
### function_errexit_behaviour
set -e; f() { false; echo still-in-f; }; f || echo "f failed"; echo end
### local_var_in_recursion
r() { local d=$1; (( d > 0 )) && r $((d-1)); echo -n "$d "; }; r 3; echo
### funcnest_array_in_function
f() { local -n ref=$1; ref+=(added); }; arr=(x); f arr; echo "${arr[@]}"
### nameref_basic
x=10; declare -n r=x; r=20; echo $x ${!r}
### nameref_function_out_param
setv() { local -n out=$1; out="value from f"; }; setv result; echo "$result"
### function_exit_status_last
f() { true; false; }; f; echo $?
### export_function_child
hello() { echo "exported hello"; }; export -f hello; bash -c hello
### function_named_like_keyword_not_allowed
function if { echo x; }
### local_readonly
f() { local -r c=1; c=2; echo "c=$c"; }; f
### bash_source_top
echo "[${BASH_SOURCE[@]}]" "[${BASH_SOURCE}]"
### lineno_in_function
f() {
  echo "line $LINENO"
}
f
echo "top $LINENO"
### funcname_in_sourced
echo 'lib() { echo "${FUNCNAME[0]}"; }' > lib.sh; source ./lib.sh; lib
