### pipefail_off
false | true; echo $?
### pipefail_on
set -o pipefail; false | true; echo $?; true | false | true; echo $?
### pipefail_rightmost_failure
set -o pipefail; (exit 2) | (exit 3) | true; echo $?
### pipestatus
true | false | (exit 3); echo "${PIPESTATUS[@]}"
### pipestatus_single
false; echo "${PIPESTATUS[@]}"; true; echo "${PIPESTATUS[0]}"
### pipestatus_count
echo a | cat | cat >/dev/null; echo ${#PIPESTATUS[@]}
### pipestatus_negated
! false | true; echo "$? ${PIPESTATUS[@]}"
### pipestatus_copy
false | true; st=("${PIPESTATUS[@]}"); echo "${st[0]} ${st[1]}"
### pipestatus_after_compound
if false; then :; fi; echo "${PIPESTATUS[@]}"
### pipefail_with_errexit
set -eo pipefail; echo start; false | true; echo not-reached
### pipefail_errexit_in_if
set -eo pipefail; if false | true; then echo yes; else echo no; fi; echo after
### pipe_stderr
{ echo out; echo err >&2; } |& cat > both; cat both
### pipe_stderr_status
set -o pipefail; { echo x >&2; exit 4; } |& cat; echo $?
### pipeline_subshell_vars
x=1; echo 5 | read x; echo $x
### lastpipe
shopt -s lastpipe; set +m; echo 5 | read x; echo $x
### set_o_listing_pipefail
show() { set -o | while read -r n v; do [[ $n == pipefail ]] && echo "$n $v"; done; }; set -o pipefail; show; set +o pipefail; show
### set_plus_o_output
set -o pipefail; set +o | while read -r l; do [[ $l == *@(pipefail|errexit) ]] && echo "$l"; done
### negation
! true; echo $?; ! false; echo $?
### pipeline_in_cmdsubst
x=$(echo a | tr a b); echo $x
### time_not_used
echo a | { read v; echo got $v; }
### time_keyword
time true; time -p false; echo st=$?
