// Package engines names the execution engines a user can choose. The
// --engine flags of the CLI, the conformance plugin and the conformance
// runner all take their engines from here.
//
// An engine compiles only programs the verifier accepted: Engine.Compile
// takes a *Verified, which only Verify makes. A program that was not
// verified, or that the verifier rejected, can only be prepared with
// CompileUnverified, which is the checked interpreter whatever engine was
// chosen. The plain interpreter and the JIT trust the verifier's proof and
// check no memory access, so this is what keeps an unverified program from
// touching the host's memory.
package engines

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/verifier"
)

// Verified is a program the verifier accepted. It holds its own copy of
// the instructions, taken before verification, so that changing the
// caller's program afterwards does not change what runs.
type Verified struct {
	prog isa.Program
}

// Verify runs the verifier on p with opts and returns the proof that it
// accepted p, or the verifier's error (a *verifier.Error when the program
// is unsafe). The proof holds for runs that give the program what opts
// promise: for a Raw program, at least CtxSize bytes of input.
func Verify(p isa.Program, opts verifier.Options) (*Verified, error) {
	v := &Verified{prog: isa.Program{Insns: slices.Clone(p.Insns)}}
	if _, err := verifier.Verify(v.prog, opts); err != nil {
		return nil, err
	}
	return v, nil
}

// Engine is an execution engine: a name for flags and reports and a
// compiler for verified programs.
type Engine struct {
	// Name is the engine's name, as --engine takes it.
	Name    string
	compile func(isa.Program) (engine.Program, error)
}

// New returns an engine called name that prepares programs with compile.
// compile only ever receives the instructions of a Verified program (a copy
// it may modify), so it may trust the verifier's proof.
func New(name string, compile func(isa.Program) (engine.Program, error)) Engine {
	return Engine{Name: name, compile: compile}
}

// errNoEngine is the error of the zero Engine.
var errNoEngine = errors.New("no engine")

// Compile prepares the verified program v to run on e.
func (e Engine) Compile(v *Verified) (engine.Program, error) {
	if e.compile == nil {
		return nil, errNoEngine
	}
	if v == nil {
		return nil, errors.New("engines: Compile needs a verified program")
	}
	return e.compile(isa.Program{Insns: slices.Clone(v.prog.Insns)})
}

// Checked is the name of the engine that checks every memory access, the
// only one that runs programs the verifier did not accept.
const Checked = "interp-checked"

// CompileUnverified prepares p, which was not verified or which the
// verifier rejected, on the checked interpreter: every memory access is
// checked against what the program may touch, and one outside it stops
// the run with an error naming the instruction. It is the only way to
// prepare a program without a *Verified.
func CompileUnverified(p isa.Program) (engine.Program, error) {
	return compileChecked(p)
}

func compileChecked(p isa.Program) (engine.Program, error) {
	return interp.Compile(p, interp.Options{Checked: true})
}

// all lists the engines in the order they are offered.
var all = []Engine{
	// interp runs programs the verifier accepted, with raw memory access.
	New("interp", func(p isa.Program) (engine.Program, error) {
		return interp.Compile(p, interp.Options{})
	}),
	// interp-checked checks every memory access, although the program
	// was verified.
	New(Checked, compileChecked),
	// jit compiles to x86-64 machine code and falls back to the interpreter
	// where it cannot (another architecture, or an instruction the JIT does
	// not compile).
	New("jit", func(p isa.Program) (engine.Program, error) {
		prog, err := amd64.Compile(p, amd64.Options{})
		if errors.Is(err, amd64.ErrNotSupported) {
			return interp.Compile(p, interp.Options{})
		}
		if err != nil {
			return nil, err
		}
		return prog, nil
	}),
	// jit-always never falls back: such a program is an error, as with
	// the kernel's CONFIG_BPF_JIT_ALWAYS_ON.
	New("jit-always", func(p isa.Program) (engine.Program, error) {
		prog, err := amd64.Compile(p, amd64.Options{})
		if err != nil {
			return nil, err
		}
		return prog, nil
	}),
}

// All returns every engine, in a fixed order.
func All() []Engine { return slices.Clone(all) }

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
func Lookup(name string) (Engine, error) {
	if name == "" {
		name = Default()
	}
	for _, e := range all {
		if e.Name == name {
			return e, nil
		}
	}
	return Engine{}, fmt.Errorf("unknown engine %q (known: %s)", name, strings.Join(Names(), ", "))
}
