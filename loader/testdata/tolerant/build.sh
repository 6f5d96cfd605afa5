#!/bin/sh
# build.sh rebuilds the small objects of loader's tolerance tests.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
$CLANG -g -O2 -target bpf -c unlinked.c -o unlinked.o
llvm-strip -g unlinked.o
