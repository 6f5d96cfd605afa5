// Package layers holds the test that keeps gbpf's import graph in the
// direction the data flows: packages that name things (instructions,
// program types) import no implementation, the tcpdump-filter compiler
// links neither the JIT nor the assembler, and the verifier and loader link
// no engine. The rules, and the exceptions that remain until code moves,
// are the tables in layers_test.go; the test fails on a new violation and
// on an exception that no longer occurs, so the list only shrinks.
package layers
