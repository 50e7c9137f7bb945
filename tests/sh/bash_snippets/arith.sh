### arith_command
(( 1 + 1 )); echo $?; (( 0 )); echo $?; (( 5 > 3 )) && echo gt
### arith_command_assign
x=1; (( x += 4 )); (( y = x * 2 )); echo $x $y
### increment
i=0; (( i++ )); echo $? $i; (( i++ )); echo $? $i; (( ++i )); echo $i
### arith_for
for (( i = 0; i < 3; i++ )); do echo $i; done
### arith_for_no_spaces
for ((i=10;i>7;i--)); do printf '%d ' $i; done; echo
### arith_for_empty_parts
n=0; for ((;;)); do (( n++ >= 2 )) && break; done; echo $n
### arith_for_comma
for ((i=0, j=10; i<3; i++, j-=2)); do echo $i $j; done
### arith_for_body_braces
for ((i=0;i<2;i++)); { echo brace $i; }
### arith_for_break_continue
for ((i=0;i<6;i++)); do ((i==1)) && continue; ((i==4)) && break; echo $i; done
### let
let x=2+3 y=x*2; echo $x $y; let "z = (x + 1) * 2"; echo $z; let 0; echo $?
### short_circuit
x=0; (( 0 && (x=1) )); echo $x; (( 1 || (x=2) )); echo $x; echo $(( 1 ? 5 : (x=3) )) $x
### ternary_nested
a=5; echo $(( a > 3 ? a > 4 ? 2 : 1 : 0 ))
### exponent
echo $(( 2 ** 10 )) $(( 3 ** 0 ))
### bases
echo $(( 16#ff )) $(( 2#101 )) $(( 0x10 )) $(( 010 )) $(( 64#_ ))
### unset_is_zero
echo $(( nope + 1 )); (( nope2++ )); echo $nope2
### string_var_recursive
a=b; b=c; c=7; echo $(( a + 1 ))
### dollar_inside
x=3; echo $(( $x * 2 )) $(( x * 2 ))
### negative_modulo
echo $(( -7 % 3 )) $(( -7 / 2 ))
### division_by_zero_command
(( 1 / 0 )); echo status=$?
### division_by_zero_expansion
echo $(( 5 / 0 )); echo same-line
echo next-line
### syntax_error_operand
echo $(( 1 + )); echo same
echo next
### syntax_error_in_command
(( 2 ** )); echo st=$?
### invalid_number
echo $(( 09 ))
echo next
### value_too_great
echo $(( 2#3 ))
echo next
### arith_assign_in_expansion
echo $(( n = 5 )) $n
### comparison_chain
echo $(( 1 < 2 )) $(( 2 <= 1 )) $(( 3 == 3 )) $(( 3 != 3 ))
### bit_ops
echo $(( 5 & 3 )) $(( 5 | 3 )) $(( 5 ^ 3 )) $(( ~0 )) $(( 1 << 4 )) $(( 256 >> 4 ))
### overflow_wraps
echo $(( 9223372036854775807 + 1 ))
### arith_in_if
n=4; if (( n % 2 == 0 )); then echo even; fi
### arith_while
i=3; while (( i-- )); do echo tick $i; done
### arith_with_array_length
a=(1 2 3); echo $(( ${#a[@]} * 2 ))
### declare_i
declare -i n=5; n+=3; echo $n; n="2*4"; echo $n; n=abc; echo $n
### declare_i_var_ref
declare -i n; x=6; n=x+1; echo $n
### errexit_arith_zero
set -e; i=0; (( i++ )); echo not-reached
### errexit_arith_ok
set -e; i=1; (( i++ )); echo reached $i
### arith_command_quoted
x=2; (( "x" == 2 )) && echo q
### nested_parens
echo $(( (1 + 2) * (3 + (4 - 1)) ))
### unary_ops
x=5; echo $(( -x )) $(( +x )) $(( !x )) $(( !0 ))
### pre_post_decrement
x=5; echo $(( x-- )) $x $(( --x )) $x
### assignment_ops_all
x=10; (( x -= 3, x *= 2, x /= 7, x %= 3, x <<= 4, x >>= 1, x |= 1, x &= 7, x ^= 2 )); echo $x
### unbound_in_arith
set -u; echo $(( nosuch + 1 ))
echo next
### arith_expansion_in_string
n=3; echo "total: $(( n * 10 ))%"
### base_number_in_var
v=0x1f; echo $(( v + 1 ))
### let_exit_status
let "1 == 2"; echo $?; let "3"; echo $?
### random_seeded
RANDOM=42; a=$RANDOM; b=$RANDOM; RANDOM=42; c=$RANDOM; [[ $a == $c ]] && echo repeatable; echo $a $b
### random_range
for i in 1 2 3; do r=$RANDOM; (( r >= 0 && r < 32768 )) || echo bad; done; echo ok
### arith_space_in_var
x=' 3 '; echo $(( x + 1 ))
