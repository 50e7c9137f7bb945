### define_call
f() { echo "in f"; }; f
### args
f() { echo "$# $1 $2"; }; f a "b c"
### positional_restored
set -- x y; f() { echo $1; }; f z; echo $1 $#
### return_status
f() { return 3; }; f; echo $?
### return_default_last
f() { false; return; }; f; echo $?
### return_large
f() { return 300; }; f; echo $?
### implicit_status
f() { false; }; f; echo $?
### globals_visible
x=1; f() { x=2; y=3; }; f; echo $x $y
### local_vars
x=1; f() { local x=2 y; y=3; echo $x $y; }; f; echo $x ${y-unset}
### local_nested_dynamic
x=g; f() { local x=f; g; }; g() { echo $x; }; f; g
### local_outside_function
local x=1; echo after
### recursion
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }; fact 5
### function_redefine
f() { echo one; }; f; f() { echo two; }; f
### function_with_redirect
f() { echo out; echo err >&2; } ; f 2>/dev/null; f >/dev/null 2>&1; echo done
### function_body_redirect
f() { echo inside; } > f.txt; f; cat f.txt
### function_subshell_body
x=1; f() ( x=2; echo $x ); f; echo $x
### function_simple_body
f() echo simple; f
### function_prefix_assign_temporary
f() { echo $x; }; x=2 f; echo "[$x]"
### function_dollar_zero
f() { echo $0; }; f
### unset_function
f() { echo f; }; unset -f f; f; echo $?
### function_return_in_loop
f() { for i in 1 2 3; do [ $i = 2 ] && return 7; echo $i; done; }; f; echo $?
### function_names_with_dash_digits
my_func2() { echo ok; }; my_func2
### function_calls_function
a() { echo a; b; }; b() { echo b; }; a
### function_exit_exits_shell
f() { exit 5; }; f; echo never
### function_in_subshell_not_leak
(g() { echo g; }); g; echo $?
### return_top_level
echo before; return 4; echo after
### function_shift
f() { shift; echo "$@"; }; f a b c
### function_set_positional
f() { set -- q r; echo $#; }; f a; echo $#
