// Package examples holds gbpf's example BPF programs: C sources in bpf/,
// compiled with clang -O2 -g -target bpf into the committed .o files beside
// them (see bpf/Makefile; the only build dependency is clang), and the tests
// that load each one with gbpf, run it on packets, tracepoint records or raw
// input, and check its results and map contents.
//
// bpf/include/gbpf.h is a small hand-written header with the types, map
// macros and helper declarations the programs use, numbered as in Linux so
// that the objects also load into the kernel.
package examples

//go:generate make -C bpf
