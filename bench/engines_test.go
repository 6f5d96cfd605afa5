package bench

import (
	"fmt"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/isa"
)

// Engine is an engine the benchmarks run on. It compiles the project's own
// workloads and instruction sequences unverified (see the package doc);
// it exists in the tests alone, and the engines users choose compile only
// verified programs.
type Engine struct {
	Name    string
	Compile func(isa.Program) (abi.Program, error)
}

// Engines are the engines the benchmarks run on: the interpreter in both
// modes; the JIT and its variants join from jit_test.go.
var Engines = interpreters()

func interpreters() []Engine {
	return []Engine{
		{Name: "interp", Compile: func(p isa.Program) (abi.Program, error) {
			return interp.Compile(p, interp.Options{})
		}},
		{Name: "interp-checked", Compile: func(p isa.Program) (abi.Program, error) {
			return interp.Compile(p, interp.Options{Checked: true})
		}},
	}
}

// Runner runs one workload on one engine, over and over.
type Runner struct {
	w    *Workload
	prog engine.Program
	mem  *engine.Block
	env  engine.Env
	r1   uint64
	r2   uint64
}

// NewRunner compiles w with e and fills a fresh buffer.
func NewRunner(w *Workload, e Engine) (*Runner, error) {
	prog, err := e.Compile(w.Program)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", w.Name, e.Name, err)
	}
	r := &Runner{w: w, prog: prog}
	if len(w.Input) > 0 {
		r.mem, err = engine.Alloc(len(w.Input))
		if err != nil {
			prog.Close()
			return nil, err
		}
		copy(r.mem.Bytes(), w.Input)
		r.env.Regions = []engine.Region{r.mem.Region(true)}
		r.r1, r.r2 = r.mem.Addr(), uint64(len(w.Input))
	}
	return r, nil
}

// Run runs the workload once and checks its result.
func (r *Runner) Run() error {
	r0, err := r.prog.Run(&r.env, r.r1, r.r2)
	if err != nil {
		return err
	}
	if r0 != r.w.Result {
		return fmt.Errorf("%s: r0 = %#x, want %#x", r.w.Name, r0, r.w.Result)
	}
	return nil
}

// Env returns the environment the runner runs with.
func (r *Runner) Env() *abi.Env { return &r.env }

// Args returns the r1 and r2 the runner passes.
func (r *Runner) Args() (uint64, uint64) { return r.r1, r.r2 }

// Program returns the compiled program.
func (r *Runner) Program() abi.Program { return r.prog }

// Close releases the program and the buffer.
func (r *Runner) Close() {
	r.prog.Close()
	if r.mem != nil {
		r.mem.Free()
	}
}
