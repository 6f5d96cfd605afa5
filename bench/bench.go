// Package bench holds gbpf's engine benchmarks: the six workloads of the
// shared benchmark suite, and microbenchmarks of each instruction class. It
// has no API of its own beyond the helpers the benchmarks share.
//
//	go test -bench . -benchmem ./bench
//
// Each benchmark runs on every engine of the test files' engine list. The
// benchmarks run the project's own workloads, some of which the verifier
// rejects (they read past the input size it assumes, or exceed its
// complexity limit), so the engines compile them unverified: that
// plumbing lives in the test files alone, and this package has no API
// that runs a program.
package bench
