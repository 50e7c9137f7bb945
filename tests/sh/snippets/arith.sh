### basic_ops
echo $((1+2)) $((7-10)) $((6*7)) $((7/2)) $((7%3)) $((2**10))
### precedence
echo $((2+3*4)) $(((2+3)*4)) $((10-2-3)) $((2**3**2))
### negative_division
echo $((-7/2)) $((-7%2)) $((7/-2)) $((7%-2))
### comparisons
echo $((1<2)) $((2<1)) $((2<=2)) $((3>2)) $((2>=3)) $((1==1)) $((1!=1))
### logic
echo $((1&&0)) $((1||0)) $((!0)) $((!5)) $((0||0))
### bitwise
echo $((5&3)) $((5|3)) $((5^3)) $((~5)) $((1<<4)) $((256>>2))
### ternary
x=5; echo $((x>3?10:20)) $((x<3?10:20)) $((0?1:0?2:3))
### variables
x=4; y=5; echo $((x*y)) $(($x*$y)) $((x+undefined))
### assignment_ops
a=5; echo $((a+=2)) $((a-=1)) $((a*=3)) $((a/=2)) $((a%=4)) $a
### increment
a=3; echo $((a++)) $a $((++a)) $a $((a--)) $((--a)) $a
### hex_octal_base
echo $((0x1F)) $((010)) $((2#1010)) $((16#ff)) $((36#z))
### unary
echo $((-3)) $((+3)) $((- -3)) $((--3)) $((-2**2))
### comma
echo $((x=1, y=2, x+y)) $x $y
### recursive_var
x="1 + 1"; echo $((x*2)); y=x; echo $((y+1))
### whitespace
echo $((  1  +   2  )) $((
3
))
### overflow
echo $((9223372036854775807+1)) $((1<<63))
### divide_by_zero
echo $((1/0)); echo after
### modulo_by_zero
echo $((5%0))
### syntax_error
echo $((1+)); echo after
### bad_octal
echo $((09))
### exponent_negative
echo $((2**-1))
### recursion_loop
x=x; echo $((x))
### nested_parens
echo $(( ((1+2)) * (3) ))
### arith_in_string
echo "sum: $((2+2))"
### arith_cmdsubst
echo $(( $(echo 3) * 2 ))
### arith_assign_persists
: $((n=42)); echo $n
### arith_compare_strings_vars
a=10; b=9; [ $((a > b)) -eq 1 ] && echo bigger
### arith_nested_var_names
i=2; arr_2=7; eval "echo \$((arr_$i + 1))"
### let_builtin
let x=3+4; echo $x; let "y = x * 2" z=1; echo $y $z; let 0; echo $?
### arith_empty
echo $(( )) x
### arith_whitespace_value
x=" 12 "; echo $((x+1))
### arith_short_circuit_side_effect
a=0; echo $((0 && (a=1))) $a $((1 || (a=2))) $a
