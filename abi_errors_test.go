package gbpf

import (
	"errors"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// TestRunErrorsMatchABI checks that Program.Run's errors, which name the
// program, still match the engines' errors of package abi: ErrBudget with
// errors.Is and the *Fault with errors.As, on every engine.
func TestRunErrorsMatchABI(t *testing.T) {
	const loop = `
	mov %r0, 0
back:
	add %r0, 1
	jlt %r0, 100000, back
	exit
`
	for _, e := range budgetEngines {
		t.Run(e.name, func(t *testing.T) {
			p := loadRaw(t, loop, e.opts, 1000)
			_, err := p.Run(nil)
			var f *abi.Fault
			if !errors.Is(err, abi.ErrBudget) || !errors.As(err, &f) || f.Err != abi.ErrBudget {
				t.Fatalf("Run: %v, want a *abi.Fault wrapping abi.ErrBudget", err)
			}
			if !strings.HasPrefix(err.Error(), "program prog: ") {
				t.Errorf("Run: %q does not name the program", err)
			}
		})
	}
}

// TestLeakMatchesABI checks that a sanitized run's leak is a *abi.Fault
// wrapping abi.ErrLeak through Run's wrapping.
func TestLeakMatchesABI(t *testing.T) {
	p, err := asm.Assemble("mov %r0, %r10\nexit")
	if err != nil {
		t.Fatal(err)
	}
	spec := &CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{"prog": {Name: "prog", Type: progtype.Raw, Instructions: p}},
		Maps:     map[string]*maps.Spec{},
	}
	coll, err := NewCollection(spec, &Options{Checked: true, Sanitize: true})
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	_, err = coll.Programs["prog"].Run(nil)
	var f *abi.Fault
	if !errors.Is(err, abi.ErrLeak) || !errors.As(err, &f) {
		t.Errorf("Run: %v, want a *abi.Fault wrapping abi.ErrLeak", err)
	}
}

// TestOneErrNotSupported checks that the "not supported" errors of the
// JIT and of maps match the root package's ErrNotSupported, which is
// abi's.
func TestOneErrNotSupported(t *testing.T) {
	if ErrNotSupported != abi.ErrNotSupported {
		t.Error("gbpf.ErrNotSupported is not abi.ErrNotSupported")
	}
	for name, err := range map[string]error{
		"jit":  amd64.ErrNotSupported,
		"maps": maps.ErrNotSupported,
	} {
		if !errors.Is(err, ErrNotSupported) {
			t.Errorf("%s: %v does not match ErrNotSupported", name, err)
		}
	}
	//lint:ignore SA1032 maps.ErrInvalid is the error under test, ErrNotSupported the target.
	if errors.Is(maps.ErrInvalid, ErrNotSupported) {
		t.Error("maps.ErrInvalid matches ErrNotSupported")
	}

	// A map operation a map type lacks.
	m, err := maps.New(&maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.LookupAndDelete(make([]byte, 4), make([]byte, 4)); !errors.Is(err, ErrNotSupported) {
		t.Errorf("LookupAndDelete on an array: %v, want ErrNotSupported", err)
	}

	// An instruction the JIT does not compile (a kfunc call), on the JIT.
	kfunc := isa.Program{Insns: []isa.Instruction{{Op: isa.OpCall, Src: isa.PseudoCallKfunc, Imm: 7}, {Op: isa.OpExit}}}
	if code, err := amd64.Compile(kfunc, amd64.Options{}); !errors.Is(err, ErrNotSupported) {
		if err == nil {
			code.Close()
		}
		t.Errorf("a kfunc call on the JIT: %v, want ErrNotSupported", err)
	}
}
