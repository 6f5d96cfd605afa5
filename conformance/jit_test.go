package conformance_test

import (
	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/isa"
)

// The JIT runs the same suite as the interpreter: plain, with constant
// blinding, and without the budget countdown.
func init() {
	if !amd64.Supported {
		return
	}
	engines = append(engines,
		conformance.Engine{Name: "jit", Compile: func(p isa.Program) (engine.Program, error) {
			return amd64.Compile(p, amd64.Options{})
		}},
		conformance.Engine{Name: "jit-blind", Compile: func(p isa.Program) (engine.Program, error) {
			return amd64.Compile(p, amd64.Options{Blind: true})
		}},
		conformance.Engine{Name: "jit-bounded", Compile: func(p isa.Program) (engine.Program, error) {
			return amd64.Compile(p, amd64.Options{Bounded: true})
		}},
	)
}
