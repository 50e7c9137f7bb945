### test_no_args
test; echo $?; [ ]; echo $?
### test_one_arg
test a; echo $?; test ""; echo $?; test -n; echo $?; test !; echo $?
### test_strings
[ a = a ]; echo $?; [ a = b ]; echo $?; [ a != b ]; echo $?; [ a == a ]; echo $?
### test_z_n
[ -z "" ]; echo $?; [ -z x ]; echo $?; [ -n x ]; echo $?; [ -n "" ]; echo $?
### test_integers
[ 1 -eq 1 ]; echo $?; [ 2 -ne 2 ]; echo $?; [ 1 -lt 2 ]; echo $?; [ 2 -le 1 ]; echo $?; [ 3 -gt 2 ]; echo $?; [ 3 -ge 3 ]; echo $?
### test_int_spaces
[ " 1" -eq 1 ]; echo $?; [ 1 -eq " 1 " ]; echo $?; [ 01 -eq 1 ]; echo $?; [ -1 -lt 0 ]; echo $?
### test_bad_number
[ a -eq 1 ]; echo $?
### test_missing_bracket
[ a = a; echo $?
### test_not
[ ! a = b ]; echo $?; [ ! -z x ]; echo $?; [ ! ]; echo $?
### test_and_or
[ 1 = 1 -a 2 = 2 ]; echo $?; [ 1 = 2 -o 2 = 2 ]; echo $?; [ 1 = 2 -a 2 = 2 -o 3 = 3 ]; echo $?
### test_parens
[ \( a = a \) ]; echo $?; [ \( a = b -o b = b \) -a c = c ]; echo $?
### test_files
touch f; mkdir d; ln_free=1; [ -e f ]; echo $?; [ -f f ]; echo $?; [ -d f ]; echo $?; [ -d d ]; echo $?; [ -e nope ]; echo $?
### test_size
touch empty; echo x > full; [ -s empty ]; echo $?; [ -s full ]; echo $?
### test_rwx
touch f; [ -r f ]; echo $?; [ -w f ]; echo $?; [ -x f ]; echo $?
### test_errors
[ 1 -lt ]; echo $?; test 1 2; echo $?; test 5 -gt 3 -a; echo $?; [ 1 = 1 ] ]; echo $?
### test_string_compare
[ a \< b ]; echo $?; [ b \< a ]; echo $?; [ b \> a ]; echo $?
### test_unary_as_string
[ -f ]; echo $?; [ -z ]; echo $?; test -x; echo $?
### test_three_args_special
[ ! -n "" ]; echo $?; [ x -a "" ]; echo $?; [ "" -o x ]; echo $?
### test_equals_literal
[ = = = ]; echo $?; [ -n = ]; echo $?
### test_in_if
x=5; if [ "$x" -gt 3 ] && [ "$x" -lt 10 ]; then echo in range; fi
### test_directory_slash
mkdir d; [ -d d/ ]; echo $?; [ -f d/ ]; echo $?
### test_t
[ -t 0 ]; echo $?
### test_ef_nt
touch a; [ a -ef a ]; echo $?; [ a -ef b ]; echo $?
