//go:build !(linux && amd64)

package gbpf

import (
	"fmt"
	"runtime"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// compileJIT reports that the JIT runs only on linux/amd64, where its
// fault handler contains faults in machine code (see RATIONALE.md).
func compileJIT(isa.Program, int) (engine.Program, error) {
	return nil, fmt.Errorf("JIT on %s/%s: %w", runtime.GOOS, runtime.GOARCH, ErrNotSupported)
}

// jitCallbacks: there is no JIT.
func jitCallbacks() bool { return false }

// haveJIT: there is no JIT.
func haveJIT() bool { return false }

// jitProgram and jitRunner stand for JIT code and its memory, which
// there are not.
type (
	jitProgram = *struct{}
	jitRunner  = *struct{}
)

// jitCode: there is no JIT code.
func jitCode(engine.Program) jitProgram { return nil }

// runJIT is never called: no program has JIT code.
func (c *cpu) runJIT(p *Program, env *engine.Env, r1, r2 uint64) (uint64, error) {
	return p.code.Run(env, r1, r2)
}

// jitLeaf stands for the direct entry of a JIT leaf program.
type jitLeaf = func(r1, r2 uint64) (uint64, struct{})

// leafEntry: there is no JIT, so no leaf.
func leafEntry(engine.Program) jitLeaf { return nil }

// runLeaf is never called: no program is a leaf.
func runLeaf(p *Program, in *input) (uint64, error) { return p.code.Run(&engine.Env{}, in.r1, in.r2) }
