//go:build linux && amd64

package gbpf

import (
	"sync"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/isa"
)

// compileJIT compiles prog to x86-64 machine code.
func compileJIT(prog isa.Program) (engine.Program, error) {
	return amd64.Compile(prog, amd64.Options{})
}

// haveJIT reports whether the JIT runs here.
func haveJIT() bool { return amd64.Supported }

// jitCallbacks reports whether the JIT sets engine.Env.CallFunc, which
// bpf_loop and bpf_for_each_map_elem need: it runs a program whose only
// helper looks.
var jitCallbacks = sync.OnceValue(func() bool {
	prog := isa.Program{Insns: []isa.Instruction{
		{Op: isa.OpCall, Src: isa.PseudoCallHelper, Imm: 1},
		{Op: isa.OpExit},
	}}
	code, err := amd64.Compile(prog, amd64.Options{})
	if err != nil {
		return false
	}
	defer code.Close()
	probe := func(env *engine.Env, _, _, _, _, _ uint64) uint64 {
		if env.CallFunc != nil {
			return 1
		}
		return 0
	}
	ret, err := code.Run(&engine.Env{Helpers: []engine.Helper{nil, probe}}, 0, 0)
	return err == nil && ret == 1
})
