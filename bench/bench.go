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
	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/isa"
)

// Engines are the engines the benchmarks run on.
var Engines = []conformance.Engine{
	{Name: "interp", Compile: func(p isa.Program) (engine.Program, error) {
		return interp.Compile(p, interp.Options{})
	}},
	{Name: "interp-checked", Compile: func(p isa.Program) (engine.Program, error) {
		return interp.Compile(p, interp.Options{Checked: true})
	}},
}
