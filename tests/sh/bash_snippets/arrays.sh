### literal_and_index
a=(one two three); echo ${a[0]} ${a[1]} ${a[2]}; echo $a
### all_elements_quoted
a=("x y" z ""); for e in "${a[@]}"; do echo "[$e]"; done
### all_elements_unquoted
a=("x y" z); for e in ${a[@]}; do echo "[$e]"; done
### star_joins_with_ifs
a=(a b c); IFS=,; echo "${a[*]}"; IFS=:; echo "${a[*]}"
### count_and_length
a=(one two three); echo ${#a[@]} ${#a[*]} ${#a[1]} ${#a}
### append_elements
a=(1); a+=(2 3); a+=("4 5"); echo ${#a[@]}; printf '<%s>' "${a[@]}"; echo
### append_to_element
a=(x y); a[1]+=z; a+=w; echo "${a[@]}"
### assign_by_index
a[3]=d; a[0]=a; echo "${a[@]}" ${#a[@]}; echo "${!a[@]}"
### sparse_indices
a=([2]=two [5]=five); a[9]=nine; echo "${!a[@]}"; echo "${a[@]}"
### negative_index
a=(1 2 3 4); echo ${a[-1]} ${a[-2]}; a[-1]=last; echo "${a[@]}"
### negative_index_out_of_range
a=(1 2); echo ${a[-3]}; echo status=$?
### arithmetic_index
a=(zero one two three); i=1; echo ${a[i+1]} ${a[$i]} ${a[i*3]}
### unset_element
a=(a b c d); unset 'a[1]'; echo "${a[@]}" ${#a[@]}; echo "${!a[@]}"
### unset_whole_array
a=(a b); unset a; echo "[${a[@]}]" ${#a[@]}
### slice
a=(a b c d e); echo "${a[@]:1:3}"; echo "${a[@]:2}"; echo "${a[@]: -2}"; echo "${a[@]:1:0}"
### element_ops
a=(apple banana cherry); echo "${a[@]/a/A}"; echo "${a[@]//a/A}"; echo "${a[@]#*a}"; echo "${a[@]%a*}"
### element_case_ops
a=(foo Bar); echo "${a[@]^^}" "${a[@],,}" "${a[@]^}"
### array_from_cmdsubst
a=($(echo "one two"; echo three)); echo ${#a[@]} "${a[2]}"
### array_from_glob
touch b.txt a.txt c.log; a=(*.txt); echo ${#a[@]} "${a[@]}"
### copy_array
a=("1 2" 3); b=("${a[@]}"); echo ${#b[@]} "${b[0]}"
### array_in_arith
a=(10 20 30); echo $(( a[0] + a[2] )); (( a[1] += 5 )); echo ${a[1]}
### arith_assign_element
i=2; (( b[i] = 7, b[0] = 1 )); echo "${b[@]}"; echo "${!b[@]}"
### declare_a
declare -a arr=(x y); arr+=(z); declare -p arr
### declare_p_formats
a=(1 "two words" '$x'); declare -p a
### declare_p_empty
declare -a e; declare -p e; e=(); declare -p e
### loop_over_indices
a=(x y z); for i in "${!a[@]}"; do echo "$i=${a[$i]}"; done
### read_a
read -r -a parts <<< "alpha beta  gamma"; echo ${#parts[@]} ${parts[2]}
### read_a_ifs
IFS=, read -r -a parts <<< "a,b,,c"; echo ${#parts[@]}; printf '[%s]' "${parts[@]}"; echo
### mapfile_basic
printf 'l1\nl2\nl3\n' > f; mapfile -t lines < f; echo ${#lines[@]} "${lines[1]}"
### mapfile_keeps_newline
printf 'a\nb\n' | { mapfile arr; printf '%q ' "${arr[@]}"; echo; }
### readarray_alias
readarray -t x <<< $'p\nq'; echo "${x[@]}"
### array_length_of_unset
echo ${#nope[@]}; echo "${nope[@]}" end
### element_default
a=(); echo "${a[0]:-empty}"; a=(x); echo "${a[0]:-empty}"
### positional_to_array
set -- "a b" c; arr=("$@"); echo ${#arr[@]}; echo "${arr[0]}"
### array_join_function
join() { local IFS="$1"; shift; echo "$*"; }; a=(x y z); join - "${a[@]}"
### scalar_as_array
s=hello; echo ${s[0]} ${#s[@]} "${s[@]}"; s[1]=world; echo "${s[@]}"
### array_assignment_resets
a=(1 2 3); a=(9); echo "${a[@]}" ${#a[@]}
### index_with_spaces_in_key
a=([0]="zero" [1]="one"); echo "${a[1]}"
### array_in_string
a=(1 2 3); echo "v=${a[@]}" "w=${a[*]}"
### quoted_at_with_prefix
a=(1 2); for x in "p${a[@]}s"; do echo "$x"; done
### empty_array_quoted_at
a=(); for x in "${a[@]}"; do echo "got $x"; done; echo "n=${#a[@]}"
### unset_last_and_append
a=(1 2 3); unset 'a[2]'; a+=(4); echo "${!a[@]}"
### nested_index_var
idx=(2 0); v=(a b c); echo ${v[${idx[0]}]}${v[idx[1]]}
### element_substring
a=(abcdef); echo ${a[0]:2:3}
### array_length_element
a=(short "much longer"); echo ${#a[1]}
### local_array_in_function
f() { local -a xs=(1 2 3); echo ${#xs[@]}; }; f; echo "[${xs[@]}]"
### array_keys_star
a=(a b c); echo "${!a[*]}"
### bad_subscript
a=(1); echo ${a[}
### printf_array_loop
files=(one.txt two.txt); printf -- '- %s\n' "${files[@]}"
### array_sort_via_pipe
a=(pear apple fig); sorted=($(printf '%s\n' "${a[@]}" | sort)); echo "${sorted[@]}"
### contains_element
a=(x y z); want=y; for e in "${a[@]}"; do [[ $e == "$want" ]] && echo found; done
### array_index_arith_expr
a=(0 1 2 3 4 5); n=2; echo "${a[n*2]}" "${a[${#a[@]}-1]}"
### unset_array_element_var_index
a=(a b c); i=0; unset "a[$i]"; echo "${a[@]}"
### array_append_in_loop
out=(); for i in 1 2 3; do out+=("item$i"); done; echo "${out[*]}"
### plus_equals_scalar
s=ab; s+=cd; s+=(ef); echo "${s[@]}"
### array_subscript_unset_var
a=(x y); echo "${a[$undefined]}"
### declare_a_then_scalar_assign
declare -a q; q=5; echo "${q[@]}" ${#q[@]}
