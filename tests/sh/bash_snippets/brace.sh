### list
echo {a,b,c}
### prefix_suffix
echo pre{x,y}post a{1,2}
### range_numbers
echo {1..5} {5..1}
### range_step
echo {0..10..3} {10..0..4} {1..2..0}
### range_letters
echo {a..e} {e..a} {a..e..2}
### range_padded
echo {01..10} {1..010..3}
### range_negative
echo {-2..2} {3..-1}
### nested
echo {a,b{1,2},c}
### cartesian
echo {a,b}{1,2}
### mkdir_idiom
mkdir -p proj/{src,test}/{main,util}; ls proj proj/src
### quoted_not_expanded
echo "{a,b}" '{a,b}' \{a,b\}
### single_item_not_expanded
echo {a} {} {,} x{,}y
### with_variable
v=X; echo {$v,b} ${v}{1,2}
### variable_not_range
n=3; echo {1..$n}
### empty_elements
echo a{,-dev,-doc}
### in_assignment_not_expanded
x={a,b}; echo "$x"
### cp_backup_idiom
touch file.conf; for f in file.conf{,.bak}; do echo $f; done
### brace_and_glob
touch a1 a2 b1; echo {a,b}1 [ab]2
### comma_in_quotes_inside
echo {"a,b",c}
### brace_with_spaces_not_expanded
echo {a, b}
### range_mixed_invalid
echo {1..b} {a..3}
### in_for_loop
for i in {1..3}; do echo -n "$i "; done; echo
### set_plus_B
set +B; echo {a,b}; set -B; echo {a,b}
### dollar_brace_not_brace_expansion
x=1; echo ${x} "${x}"{a,b}
### many_levels
echo {{a,b},{c,d}}{1,2}
