### docker_strict_mode
set -euxo pipefail; echo building; ls; cat </dev/null
### arch_mapping
TARGETARCH=arm64; case "$TARGETARCH" in amd64) ARCH=x86_64;; arm64) ARCH=aarch64;; *) echo "unsupported"; exit 1;; esac; echo "$ARCH"
### arch_mapping_cond
TARGETARCH=amd64; if [[ "$TARGETARCH" == "arm64" ]]; then A=aarch64; else A=x86_64; fi; echo $A
### version_split
VERSION=1.22.3; IFS=. read -r MAJ MIN PAT <<< "$VERSION"; echo "$MAJ/$MIN/$PAT"; echo "${VERSION%.*}"
### version_regex_check
V=v2.10.0-rc1; [[ $V =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)(-(.*))?$ ]] && echo "major=${BASH_REMATCH[1]} pre=${BASH_REMATCH[5]}"
### package_list_array
PKGS=(curl git "build-essential"); echo "installing ${#PKGS[@]}: ${PKGS[*]}"; for p in "${PKGS[@]}"; do echo "- $p"; done
### conditional_packages
DEV=1; pkgs=(base); [[ $DEV == 1 ]] && pkgs+=(dev-tools); echo "${pkgs[@]}"
### mkdir_brace_layout
mkdir -p /tmp/emush/w/app/{bin,lib,share/{doc,man}}; ls app app/share
### url_building
OS=linux ARCH=amd64 V=1.2.3; URL="https://example.com/tool-v${V}-${OS}-${ARCH}.tar.gz"; echo "${URL##*/}" "${URL%/*}"
### lowercase_env
ENV=Production; echo "${ENV,,}"; [[ ${ENV,,} == production ]] && echo prod
### default_args
: "${PORT:=8080}" "${HOST:=0.0.0.0}"; echo "$HOST:$PORT"
### here_string_parse
read -r user host <<< "$(echo 'admin example.org')"; echo "$user@$host"
### function_with_local_and_return
check() { local f=$1; [[ -f $f ]] || { echo "missing $f" >&2; return 1; }; echo "ok $f"; }; touch have; check have; check nothave; echo st=$?
### loop_with_index
ITEMS=(a b c); for i in "${!ITEMS[@]}"; do echo "$((i+1)). ${ITEMS[i]}"; done
### config_assoc
declare -A CFG=([port]=80 [host]=localhost); for k in host port; do echo "$k=${CFG[$k]}"; done
### retry_with_arith
n=0; until (( n >= 3 )); do (( n++ )) || true; echo "attempt $n"; done
### trap_cleanup_bash
cleanup() { echo "cleaning up"; }; trap cleanup EXIT; echo work
### pipefail_grep_like
set -o pipefail; printf 'a\nb\n' | while read -r l; do [[ $l == b ]] && echo found-b; done; echo st=$?
### join_array_printf
ARGS=(--flag1 --flag2=x); printf -v joined '%s,' "${ARGS[@]}"; echo "${joined%,}"
### string_contains_cond
s="hello world"; [[ $s == *world* ]] && echo has-world; [[ $s =~ o\ w ]] && echo regex-space
### trim_whitespace
s="   padded  "; s="${s#"${s%%[![:space:]]*}"}"; s="${s%"${s##*[![:space:]]}"}"; echo "[$s]"
### env_file_parse
printf 'A=1\n# comment\nB="two words"\n\n' > .env; while IFS='=' read -r k v; do [[ -z $k || $k == \#* ]] && continue; v=${v%\"}; v=${v#\"}; echo "$k -> $v"; done < .env
### command_exists_check
if command -v cat >/dev/null 2>&1; then echo has-cat; fi; if ! command -v nosuch >/dev/null 2>&1; then echo no-nosuch; fi
### counter_loop_cstyle
total=0; for ((i=1; i<=10; i++)); do (( total += i )); done; echo $total
### array_slice_args
set -- prog -v --x=1 file; args=("$@"); echo "${args[@]:1}"; echo "${#args[@]}"
### case_fallthrough
x=a; case $x in a) echo A;& b) echo B;; c) echo C;; esac; case $x in a) echo 1;;& *) echo 2;; esac
### select_version_from_list
vers=(1.0 1.2 2.0); latest=${vers[-1]}; echo latest=$latest; echo oldest=${vers[0]}
### string_repeat
printf -v line '%*s' 10 ''; echo "${line// /-}"
### upper_first_words
s="hello big world"; out=(); for w in $s; do out+=("${w^}"); done; echo "${out[*]}"
### json_like_output
name=app ver=1.0; printf '{"name":"%s","version":"%s"}\n' "$name" "$ver"
### exit_code_capture
set +e; (exit 3); rc=$?; if (( rc != 0 )); then echo "failed with $rc"; fi
### heredoc_in_function
gen() { cat <<EOF
[section]
key=$1
EOF
}; gen value
### apt_style_continuation
echo a \
  b \
  c
### nested_arrays_via_indirect
list_a=(1 2); list_b=(3); for n in a b; do ref="list_$n[@]"; echo "$n: ${!ref}"; done
### associative_counts_sorted
declare -A c; for w in x y x z x y; do ((c[$w]++)) || true; done; for k in x y z; do echo "$k ${c[$k]}"; done
### set_u_with_defaults
set -u; echo "${OPTIONAL:-none}"; arr=(); echo "${arr[@]+${arr[@]}}"end
