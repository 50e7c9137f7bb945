#!/bin/sh
set -eu
echo "0=$(basename "$0") n=$#"
for a in "$@"; do echo "arg=<$a>"; done
echo "pwd=$(pwd)"
