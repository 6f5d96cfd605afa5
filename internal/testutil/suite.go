package testutil

import (
	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/internal/engine"
)

// SuiteBudget is the budget of RunSuite's runs, the conformance runner's.
const SuiteBudget = 1 << 26

// unwind is the conformance suite's helper 5: it returns r1 and, when r1
// is 0, stops the program with r0 = 0.
func unwind(env *abi.Env, r1, _, _, _, _ uint64) uint64 {
	if r1 == 0 {
		env.Stop(0)
	}
	return r1
}

// RunSuite runs an engine's program once by the conformance suite's
// conventions, below the root API, for the engines' own tests (their
// options the root API does not offer): a private copy of input in
// runtime memory (r1 its address, r2 its length, both 0 without input),
// helper 5 "unwind" and SuiteBudget. Everything else runs the suite
// through package conformance.
func RunSuite(prog abi.Program, input []byte) (uint64, error) {
	env := &engine.Env{Helpers: []abi.Helper{5: unwind}, Budget: SuiteBudget}
	if len(input) == 0 {
		return prog.Run(env, 0, 0)
	}
	mem, err := engine.Alloc(len(input))
	if err != nil {
		return 0, err
	}
	defer mem.Free()
	copy(mem.Bytes(), input)
	env.Regions = []engine.Region{mem.Region(true)}
	return prog.Run(env, mem.Addr(), uint64(len(input)))
}
