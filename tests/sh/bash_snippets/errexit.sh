### cond_false_exits
set -e; [[ 1 == 2 ]]; echo not-reached
### cond_false_in_and_list
set -e; [[ 1 == 2 ]] && echo x; echo reached
### arith_false_exits
set -e; (( 0 )); echo not-reached
### arith_false_in_or
set -e; (( 0 )) || echo handled; echo reached
### function_failure_exits
set -e; f() { return 3; }; f; echo not-reached
### subshell_failure_exits
set -e; (false); echo not-reached
### cmdsubst_assignment_failure
set -e; x=$(false); echo not-reached
### cmdsubst_in_arg_no_exit
set -e; echo "x=$(false)"; echo reached
### local_masks_failure
set -e; f() { local x=$(false); echo "masked"; }; f
### errexit_not_inherited_in_cmdsubst
set -e; x=$(false; echo continued); echo "$x"
### inherit_errexit
set -e; shopt -s inherit_errexit; x=$(false; echo continued); echo "[$x]"
### negated_no_exit
set -e; ! true; echo reached
### while_cond_no_exit
set -e; while false; do :; done; echo reached
### errexit_in_brace_group
set -e; { false; echo nope; }; echo nope2
### set_e_via_option
set -o errexit; false; echo not-reached
### errexit_last_in_and_list
set -e; true && false; echo not-reached
### errexit_pipeline_last
set -e; false | true; echo reached; true | false; echo not-reached
### errtrace_accepted
set -E; set -T; set -eET; echo $-
### err_trap_with_e
set -e; trap 'echo "trap: $?"' ERR; false; echo not-reached
### exit_status_propagates
set -e; (exit 42); echo no
### if_condition_function
set -e; f() { false; echo inside; }; if f; then echo yes; fi
