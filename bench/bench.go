// Package bench holds gbpf's engine benchmarks: the six workloads of the
// shared benchmark suite, and microbenchmarks of each instruction class. It
// has no API of its own beyond the helpers the benchmarks share.
//
//	go test -bench . -benchmem ./bench
//
// Each benchmark runs on every engine in Engines. An engine package adds
// itself from an init function in a file of its own in this package.
package bench

import (
	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/isa"
)

// Engine is an engine the benchmarks run on. The benchmarks run the
// project's own workloads and instruction sequences, written for the
// engines, and the verifier rejects some of them (they read past the input
// size it assumes, or exceed its complexity limit), so Compile takes them
// unverified; the engines that users choose compile only verified
// programs.
type Engine struct {
	Name    string
	Compile func(isa.Program) (abi.Program, error)
}

// Engines are the engines the benchmarks run on: the interpreter in both
// modes; the JIT and its variants join from jit_test.go.
var Engines = interpreters()

func interpreters() []Engine {
	return []Engine{
		{Name: "interp", Compile: func(p isa.Program) (abi.Program, error) {
			return interp.Compile(p, interp.Options{})
		}},
		{Name: "interp-checked", Compile: func(p isa.Program) (abi.Program, error) {
			return interp.Compile(p, interp.Options{Checked: true})
		}},
	}
}
