package conformance_test

import (
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/engines"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/isa"
)

// The JIT also runs the suite with constant blinding, and without the
// budget countdown.
func init() {
	if !amd64.Supported {
		return
	}
	testEngines = append(testEngines,
		engines.New("jit-blind", func(p isa.Program) (engine.Program, error) {
			return amd64.Compile(p, amd64.Options{Blind: true})
		}),
		engines.New("jit-bounded", func(p isa.Program) (engine.Program, error) {
			return amd64.Compile(p, amd64.Options{Bounded: true})
		}),
	)
}
