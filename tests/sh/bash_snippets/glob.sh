### nullglob_off
echo *.none
### nullglob_on
shopt -s nullglob; echo start *.none end; for f in *.none; do echo never; done
### nullglob_array
shopt -s nullglob; files=(*.none); echo ${#files[@]}
### failglob
shopt -s failglob; echo *.none; echo st=$?
### dotglob
touch .hidden visible; echo *; shopt -s dotglob; echo *
### globstar
mkdir -p a/b/c; touch a/x.txt a/b/y.txt a/b/c/z.txt top.txt; shopt -s globstar; echo **/*.txt; echo a/**
### globstar_off
mkdir -p a/b; touch a/b/y.txt; echo **/*.txt
### extglob_patterns
shopt -s extglob
touch a.js b.ts c.css d.min.js; echo *.@(js|ts); echo !(*.js); echo +(a|b).*
### extglob_in_case
shopt -s extglob
for f in x.jpg y.png z.txt; do case $f in *.@(jpg|png)) echo "img $f";; *) echo "other $f";; esac; done
### extglob_param_trim
shopt -s extglob; v=aaab; echo ${v##+(a)}; w="   pad"; echo "[${w##+([[:space:]])}]"
### nocaseglob
touch README.md; shopt -s nocaseglob; echo readme*
### glob_character_classes
touch a1 b2 C3; echo [[:lower:]]? [[:upper:]]? [![:alpha:]]* 
### glob_sorted_c_locale
touch B a c A; echo *
### glob_in_quotes
touch a.x; echo "*.x" *.x
### globignore
touch a.txt b.txt c.log; GLOBIGNORE='a*'; echo *
### noglob
touch a; set -f; echo *; set +f; echo *
### bracket_literal
touch '[x]'; echo \[*
### shopt_globasciiranges
touch b B; echo [a-c]
### glob_dotdot_skip
echo .*; touch .a; echo .*
### star_star_without_globstar_equals_star
touch f1; echo ** 
