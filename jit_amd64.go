//go:build amd64

package gbpf

import (
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/isa"
)

// compileJIT compiles prog to x86-64 machine code.
func compileJIT(prog isa.Program) (engine.Program, error) {
	return amd64.Compile(prog, amd64.Options{})
}
