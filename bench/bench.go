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
	"github.com/gbpf/gbpf/internal/engines"
)

// Engines are the engines the benchmarks run on: the interpreter in both
// modes; the JIT and its variants join from jit_test.go.
var Engines = []conformance.Engine{mustEngine("interp"), mustEngine("interp-checked")}

// mustEngine returns a named engine; the names above always exist.
func mustEngine(name string) conformance.Engine {
	e, err := engines.Lookup(name)
	if err != nil {
		panic(err)
	}
	return e
}
