### errexit_basic
set -e; echo a; false; echo b
### errexit_if_condition
set -e; if false; then echo no; fi; echo ok
### errexit_and_or_left
set -e; false && echo no; echo ok
### errexit_and_or_right
set -e; true && false; echo never
### errexit_or
set -e; false || echo recovered; echo ok
### errexit_negated
set -e; ! true; echo ok
### errexit_while_cond
set -e; while false; do :; done; echo ok
### errexit_subshell
set -e; (false); echo never
### errexit_subshell_inner
set -e; (false; echo inner); echo never
### errexit_cmdsubst_assign
set -e; x=$(false); echo never
### errexit_cmdsubst_arg
set -e; echo $(false) ok
### errexit_pipeline_last
set -e; false | true; echo ok; true | false; echo never
### errexit_pipefail
set -eo pipefail; false | true; echo never
### errexit_function_tested
set -e; f() { false; echo in; }; f || echo caught; echo end
### errexit_function_untested
set -e; f() { false; echo in; }; f; echo never
### errexit_group_or
set -e; { false; echo x; } || echo y
### errexit_case_body
set -e; case a in a) false;; esac; echo never
### errexit_exit_status
set -e; (exit 42); echo never
### errexit_disable
set -e; set +e; false; echo ok
### errexit_loop_body
set -e; for i in 1 2; do echo $i; false; done; echo never
### nounset_basic
set -u; echo $undefined; echo never
### nounset_default_ok
set -u; echo ${undefined:-dflt} ${undefined-x}
### nounset_at_ok
set -u; echo "$@" $# ok
### nounset_length
set -u; echo ${#undef}
### nounset_in_arith
set -u; echo $((undef + 1))
### xtrace_simple
set -x; echo "a b" c
### xtrace_quoting
set -x; echo "it's" '' 'a=b' x=y '$x' 'a*'
### xtrace_assignments
set -x; x=1 y="2 3"; z=4 true
### xtrace_compound
set -x; for i in 1; do :; done; if true; then :; fi; f() { :; }; f arg
### xtrace_cmdsubst
set -x; x=$(echo q)
### xtrace_redirect
set -x; echo hi 2>/dev/null >/dev/null
### xtrace_off
set -x; set +x; echo quiet
### xtrace_ps4
PS4='>> '; set -x; echo hi
### set_positional
set -- a b c; echo $# $2; set --; echo $#
### set_dashdash_options
set -- -e -x; echo "$1 $2"; echo $-
### set_o_listing
set -e; set -o pipefail; set -o; set +o
### errexit_in_cond_function
set -e; f() { false; return 0; }; if f; then echo yes; fi
### errexit_and_or_function
set -e; g() { false; echo g-continues; }; g && echo after
### errexit_last_in_and_list
set -e; false || false; echo never
