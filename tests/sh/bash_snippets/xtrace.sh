### simple
set -x; echo hello world
### quoting
set -x; echo "a b" 'c' "it's" '' x\ y
### assignment
set -x; x=1 y="two words"; echo $x
### cmdsubst_nested
set -x; v=$(echo inner)
### cond_and_arith
set -x; x=5; [[ $x == 5 ]]; (( x > 1 ))
### arith_for
set -x; for (( i=0; i<2; i++ )); do :; done
### for_loop
set -x; for i in a b; do echo $i; done
### function_call
set -x; f() { echo "in $1"; }; f arg
### ps4
PS4='>> '; set -x; echo traced
### set_plus_x
set -x; echo on; set +x; echo off
### array_assign
set -x; a=(1 "2 3"); a+=(4)
### case_trace
set -x; case ab in a*) echo matched;; esac
### here_string_trace
set -x; cat <<< "text"
### declare_trace
set -x; declare -a arr=(x y); local_fn() { local v=1; }; local_fn
### unicode_in_trace
set -x; echo $'\t' é
