#!/bin/sh
# Builds scripts/bench/native/floor-shim.c into a shared library for `bench:floor --native LIB`.
# Usage: build.sh TREE_SITTER_LIB_DIR TREE_SITTER_GO_SRC_DIR OUT.so
# (for example, after `npm pack tree-sitter@0.25.0 tree-sitter-go@0.20.0` and unpacking both:
#  build.sh tree-sitter/package/vendor/tree-sitter/lib tree-sitter-go/package/src libfloor.so)
set -eu
lib=$1 go=$2 out=$3
here=$(dirname "$0")
gcc -O3 -march=native -flto -shared -fPIC -fvisibility=hidden -w \
  -I"$lib/include" -I"$lib/src" -I"$go" \
  -o "$out" "$lib/src/lib.c" "$go/parser.c" "$here/floor-shim.c"
