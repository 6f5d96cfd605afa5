package conformance

import (
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// Engine is an execution engine under test: a name for reports and a
// function that prepares a program to run.
type Engine struct {
	Name    string
	Compile func(isa.Program) (engine.Program, error)
}

// UnwindHelper is the helper id of the suite's "unwind" helper.
const UnwindHelper = 5

// Unwind is the suite's helper 5: it returns r1 and, when r1 is 0, stops the
// program with r0 = 0.
func Unwind(env *engine.Env, r1, _, _, _, _ uint64) uint64 {
	if r1 == 0 {
		env.Stop(0)
	}
	return r1
}

// Helpers returns a new helper table holding the suite's helpers.
func Helpers() []engine.Helper {
	h := make([]engine.Helper, UnwindHelper+1)
	h[UnwindHelper] = Unwind
	return h
}

// Budget is the instruction budget of a test run: far more than any test of
// the suite needs, little enough that a looping program ends quickly.
const Budget = 1 << 26
