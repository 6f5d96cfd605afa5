//go:build linux && amd64

package gbpf

import (
	"sync"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/isa"
)

// compileJIT compiles prog to x86-64 machine code; stackDepth is the stack
// the verifier proved its first function uses, or -1.
func compileJIT(prog isa.Program, stackDepth int) (engine.Program, error) {
	return amd64.Compile(prog, amd64.Options{StackDepth: stackDepth, StackDepthKnown: stackDepth >= 0})
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

// jitProgram is JIT code, jitRunner the memory a CPU runs it in.
type (
	jitProgram = *amd64.Program
	jitRunner  = *amd64.Runner
)

// jitCode returns code if it is JIT code, or nil.
func jitCode(code engine.Program) jitProgram {
	p, _ := code.(*amd64.Program)
	return p
}

// runJIT runs p's JIT code on c's runner, which it makes on first use.
func (c *cpu) runJIT(p *Program, env *engine.Env, r1, r2 uint64) (uint64, error) {
	if c.jit == nil {
		r, err := amd64.NewRunner()
		if err != nil {
			return 0, err
		}
		c.jit = r
	}
	//lint:ignore SA1012 a nil ctx is "take env.Context".
	return c.jit.Run(nil, p.jit, env, r1, r2)
}

// jitLeaf is the direct entry of a JIT leaf program (one that calls
// nothing and cannot loop).
type jitLeaf = func(r1, r2 uint64) (uint64, amd64.LeafFault)

// leafEntry returns the direct entry of code if it is a JIT leaf, or nil.
// The runtime calls it without the JIT's own count of runs in flight:
// Program.Close waits for the runtime's CPUs to leave a program before it
// closes the code.
func leafEntry(code engine.Program) jitLeaf {
	if p, ok := code.(*amd64.Program); ok {
		return p.LeafAddrFunc()
	}
	return nil
}

// runLeaf runs p, a JIT leaf, on in.
func runLeaf(p *Program, in *input) (uint64, error) {
	r0, f := p.leaf(in.r1, in.r2)
	if f.Faulted(r0) {
		return 0, p.jit.LeafError(r0, f)
	}
	return r0, nil
}
