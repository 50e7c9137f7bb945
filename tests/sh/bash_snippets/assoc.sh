### basic
declare -A m; m[a]=1; m[b]=2; echo ${m[a]} ${m[b]} ${#m[@]}
### literal
declare -A m=([one]=1 [two]=2 [three]=3); echo ${m[two]} ${#m[@]}
### keys_order
declare -A m=([a]=1 [b]=2 [c]=3 [d]=4 [e]=5); echo "${!m[@]}"; echo "${m[@]}"
### keys_order_words
declare -A m; for k in apple banana cherry date elderberry fig grape; do m[$k]=${#k}; done; echo "${!m[@]}"
### keys_order_numbers
declare -A m; for k in 1 2 3 10 11 20 100; do m[$k]=x; done; echo "${!m[@]}"
### keys_with_spaces
declare -A m; m["a b"]=1; m[c]=2; for k in "${!m[@]}"; do echo "[$k]=${m[$k]}"; done
### declare_p
declare -A m=([x]=1 [y]="two words"); declare -p m
### unset_key
declare -A m=([a]=1 [b]=2); unset 'm[a]'; echo ${#m[@]} "${!m[@]}"
### missing_key
declare -A m=([a]=1); echo "[${m[zz]}]" "${m[zz]:-dflt}"
### key_test
declare -A m=([a]=1); [[ -v m[a] ]] && echo has-a; [[ -v m[b] ]] || echo no-b
### count_words
declare -A n; for w in a b a c b a; do n[$w]=$(( ${n[$w]:-0} + 1 )); done; for k in a b c; do echo $k=${n[$k]}; done
### arith_increment
declare -A n; ((n[x]++)); ((n[x]++)); ((n[y]+=5)); echo ${n[x]} ${n[y]}
### var_key
declare -A m; k=key; m[$k]=val; echo ${m[key]} ${m[$k]}
### assoc_plus_equals
declare -A m=([a]=x); m[a]+=y; m+=([b]=z); echo ${m[a]} ${m[b]}
### local_assoc
f() { local -A h=([k]=v); echo ${h[k]}; }; f; echo "[${h[k]}]"
### typeset_A
typeset -A t; t[1]=one; echo ${t[1]}
### assoc_without_declare_is_indexed
m[foo]=1; m[bar]=2; echo ${m[foo]} ${#m[@]}; declare -p m
### reassign_whole
declare -A m=([a]=1); m=([b]=2); echo "${!m[@]}"
### assoc_at_quoted_values
declare -A m=([k1]="v 1"); for v in "${m[@]}"; do echo "<$v>"; done
### declare_A_empty_p
declare -A e; declare -p e
### iterate_sorted_keys
declare -A m=([zeta]=1 [alpha]=2 [mid]=3); for k in $(printf '%s\n' "${!m[@]}" | sort); do echo $k ${m[$k]}; done
### key_with_dash_and_dot
declare -A m; m[a-b]=1; m[c.d]=2; echo ${m[a-b]} ${m[c.d]}
