package main

import (
	"errors"
	"io"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/isa"
)

// The JIT registers two engines:
//
//   - "jit" compiles to x86-64 machine code, and falls back to the
//     interpreter where the JIT cannot run the program (another
//     architecture, or an instruction the JIT does not compile);
//   - "jit-always" never falls back: such a program is an error, as with
//     the kernel's CONFIG_BPF_JIT_ALWAYS_ON.
//
// It also provides the machine code listing of "disasm --jit".
func init() {
	engines["jit"] = func(p isa.Program) (engine.Program, error) {
		prog, err := amd64.Compile(p, amd64.Options{})
		if errors.Is(err, amd64.ErrNotSupported) {
			return interp.Compile(p, interp.Options{})
		}
		if err != nil {
			return nil, err
		}
		return prog, nil
	}
	engines["jit-always"] = func(p isa.Program) (engine.Program, error) {
		prog, err := amd64.Compile(p, amd64.Options{})
		if err != nil {
			return nil, err
		}
		return prog, nil
	}
	jitListing = func(w io.Writer, p isa.Program) error {
		return amd64.WriteListing(w, p, amd64.Options{}, amd64.SyntaxIntel)
	}
}
