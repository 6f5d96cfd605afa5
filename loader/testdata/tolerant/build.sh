#!/bin/sh
# build.sh rebuilds the small objects of loader's tolerance tests with the
# clang of the machine (CLANG), in the shapes older toolchains left.
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
$CLANG -g -O2 -target bpf -c unlinked.c -o unlinked.o
llvm-strip -g unlinked.o
# No -g: no BTF, as before clang 10.
$CLANG -O2 -target bpf -c legacy.c -o legacy.o
go run zerosyms.go legacy.o legacy_nosize.o
$CLANG -O2 -target bpf -c iproute2.c -o iproute2.o
$CLANG -g -O2 -target bpf -fno-builtin -c libcall.c -o libcall.o
llvm-strip -g libcall.o
