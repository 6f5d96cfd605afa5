// Package engines names the execution engines a user can choose. The
// --engine flags of the CLI, the conformance plugin and the benchmarks all
// take their engines from here.
package engines

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/isa"
)

// all lists the engines in the order they are offered.
var all = []conformance.Engine{
	// interp runs programs the verifier accepted, with raw memory access.
	{Name: "interp", Compile: func(p isa.Program) (engine.Program, error) {
		return interp.Compile(p, interp.Options{})
	}},
	// interp-checked checks every memory access against what the program
	// may touch, for programs that were not verified.
	{Name: "interp-checked", Compile: func(p isa.Program) (engine.Program, error) {
		return interp.Compile(p, interp.Options{Checked: true})
	}},
	// jit compiles to x86-64 machine code and falls back to the interpreter
	// where it cannot (another architecture, or an instruction the JIT does
	// not compile).
	{Name: "jit", Compile: func(p isa.Program) (engine.Program, error) {
		prog, err := amd64.Compile(p, amd64.Options{})
		if errors.Is(err, amd64.ErrNotSupported) {
			return interp.Compile(p, interp.Options{})
		}
		if err != nil {
			return nil, err
		}
		return prog, nil
	}},
	// jit-always never falls back: such a program is an error, as with
	// the kernel's CONFIG_BPF_JIT_ALWAYS_ON.
	{Name: "jit-always", Compile: func(p isa.Program) (engine.Program, error) {
		prog, err := amd64.Compile(p, amd64.Options{})
		if err != nil {
			return nil, err
		}
		return prog, nil
	}},
}

// All returns every engine, in a fixed order.
func All() []conformance.Engine { return append([]conformance.Engine(nil), all...) }

// Names returns the engines' names, in the order of All.
func Names() []string {
	names := make([]string, len(all))
	for i, e := range all {
		names[i] = e.Name
	}
	return names
}

// Default is the engine used when none is named: the JIT where it is
// supported, the interpreter elsewhere.
func Default() string {
	if amd64.Supported {
		return "jit"
	}
	return "interp"
}

// Lookup returns the engine called name; "" is Default.
func Lookup(name string) (conformance.Engine, error) {
	if name == "" {
		name = Default()
	}
	for _, e := range all {
		if e.Name == name {
			return e, nil
		}
	}
	return conformance.Engine{}, fmt.Errorf("unknown engine %q (known: %s)", name, strings.Join(Names(), ", "))
}
