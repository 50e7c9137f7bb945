### replace_first_all
v=banana; echo ${v/a/o} ${v//a/o} ${v/an/} ${v//an}
### replace_anchored
v=banana; echo ${v/#b/B} ${v/%a/A} ${v/#x/y} ${v/%n/N}
### replace_pattern
p=/usr/local/bin; echo ${p//\//:} ${p/\/*\//X} ${p//[aeiou]/_}
### replace_with_var
v=hello; r=J; echo ${v/h/$r} "${v/l/"L"}"
### replace_amp
v=abc; echo "${v/b/<&>}"
### replace_empty_pattern
v=abc; echo "${v//}" "${v/}"
### substring
v=abcdefgh; echo ${v:2} ${v:2:3} ${v: -3} ${v: -3:2} ${v:(-2)}
### substring_negative_length
v=abcdefgh; echo ${v:1:-2} ${v: -5:-1}
### substring_arith
v=abcdefgh; n=2; echo ${v:n} ${v:n*2:n} ${v:${#v}-1}
### substring_out_of_range
v=abc; echo "[${v:5}]" "[${v:1:10}]"
### substring_negative_length_error
v=abc; echo ${v:2:-2}; echo after
### substring_positional
set -- a b c d; echo ${@:2} ${@:2:2} ${*: -1}
### upper_lower
v="Hello World"; echo ${v^^} ${v,,} ${v^} ${v,}
### upper_lower_pattern
v=banana; echo ${v^^a} ${v^^[an]} ${v^b}
### lower_first
V=ABC; echo ${V,} ${V,,}
### indirect
name=target; target=found; echo ${!name}; ref=name; echo ${!ref}
### indirect_unset
name=nothing; echo "[${!name}]"
### indirect_array_elem
arr=(a b c); r='arr[1]'; echo ${!r}
### prefix_names
APP_A=1; APP_B=2; OTHER=3; echo ${!APP_*}; for v in "${!APP_@}"; do echo $v=${!v}; done
### length_chars
v=hello; echo ${#v}; e=; echo ${#e}
### default_forms
unset u; e=; echo "${u-a}" "${u:-b}" "${e-c}" "${e:-d}" "${u+e}" "${e+f}" "${e:+g}"
### assign_default
unset u; echo ${u:=set}; echo $u
### error_if_unset
unset u; echo ${u:?custom message}; echo not reached
### error_if_unset_default_msg
unset u; (echo ${u?}); echo st=$?
### trim
f=archive.tar.gz; echo ${f%.gz} ${f%%.*} ${f#*.} ${f##*.}
### transform_Q
v="it's a \$test"; echo ${v@Q}; n=42; echo ${n@Q}
### transform_U_L_u
v=hello; echo ${v@U} ${v@u}; w=HeLLo; echo ${w@L}
### transform_E
v='a\tb\n'; printf '%s|' "${v@E}"; echo
### transform_a
declare -i n=1; declare -a a; declare -A m; x=1; echo "${n@a}" "${a@a}" "${m@a}" "[${x@a}]"
### transform_A
v="two words"; echo "${v@A}"; declare -i n=3; echo "${n@A}"
### dollar_single_quote
printf '%q\n' $'a\tb' $'line1\nline2' $'\x41\102' $'it\'s' $'\u00e9' $'\e'
### dollar_single_unicode
printf '%s\n' $'\u263a' $'\U0001F600'
### dollar_single_ctrl
printf '%q\n' $'\cA\ca' $'\cZ'
### dollar_double_quote
x=1; echo $"value $x"
### case_mod_in_loop
for w in alpha BETA; do echo "${w^}" "${w,,}"; done
### bad_substitution_runtime
echo before; echo ${x!}
echo after
### bad_substitution_same_line
echo ${v@Z}; echo same-line
echo next-line
### bad_substitution_in_function
f() { echo ${x/}; echo ${1!}; echo in-f; }; f; echo after-f
### nested_default_expansion
unset a; b=B; echo ${a:-${b:-none}} ${a:-"${b} quoted"}
### pattern_in_var
pat='*.txt'; f=notes.txt; echo ${f%$pat}x ${f%"$pat"}x
### param_length_array_count
set -- a bb ccc; echo ${#@} ${#*} ${#1} ${#3}
### at_slice_from_zero
set -- a b; echo ${@:0:2}
### replace_in_positional
set -- foo bar; echo ${@/o/0} "${*/a/A}"
### upper_on_positional
set -- abc def; echo ${@^}
### indirect_positional
set -- x y z; n=2; echo ${!n}; echo ${!#}
### length_of_unicode_bytes
v=héllo; echo ${#v}
### replace_slash_in_replacement
p=a/b/c; echo ${p//\//\\}
### substr_of_number
n=12345; echo ${n:1:2}
### default_with_array_at
set --; echo "${@:-none}"; set -- x; echo "${@:-none}"
### case_conversion_on_array_star
a=(ab cd); echo "${a[*]^^}"
### length_on_special
echo ${#?} ${#-} ${##}
