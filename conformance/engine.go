package conformance

import (
	"errors"
	"fmt"
	"sync"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

// Engine is an execution engine under test: one of the root API's
// (gbpf.Engines), which verified programs run on. Programs the verifier
// rejects run on the checked interpreter whatever the engine.
type Engine = gbpf.Engine

// UnwindHelper is the helper id of the suite's "unwind" helper.
const UnwindHelper = 5

// Unwind is the suite's helper 5: it returns r1 and, when r1 is 0, stops the
// program with r0 = 0.
func Unwind(env *abi.Env, r1, _, _, _, _ uint64) uint64 {
	if r1 == 0 {
		env.Stop(0)
	}
	return r1
}

// Helpers returns a new helper set holding the suite's one helper,
// unwind, declared as taking any scalar and returning one. The verifier's
// default (unprivileged) rules refuse an address as such an argument, so
// a verified program cannot turn its stack's address into a number
// through it.
func Helpers() *helpers.Set {
	s := helpers.NewSet()
	err := s.Register(helpers.Prototype{ID: UnwindHelper, Name: "unwind", Ret: helpers.RetInteger, Args: [5]helpers.ArgType{helpers.ArgAnything}, Release: -1}, Unwind)
	if err != nil {
		panic(err) // the prototype is a constant
	}
	return s
}

// suiteHelpers is the Helpers the runner gives programs, made once.
var suiteHelpers = sync.OnceValue(Helpers)

// Budget is the instruction budget of a test run: far more than any test of
// the suite needs, little enough that a looping program ends quickly.
const Budget = 1 << 26

// NewProgram prepares p as the suite runs it, through the root API (see
// Prepare), verified and compiled for e. When the verifier rejects it,
// NewProgram prepares it unverified on the checked interpreter
// (gbpf.Options.Checked), which stops it at the first access outside its
// stack and input, and returns the verifier's error as rejected. name
// names the program in errors. The caller closes prog.
func NewProgram(name string, p isa.Program, input []byte, e Engine) (prog *gbpf.Program, rejected, err error) {
	prog, err = Prepare(name, p, input, &gbpf.Options{Engine: e})
	var ve *verifier.Error
	if !errors.As(err, &ve) {
		return prog, nil, err
	}
	prog, err = Prepare(name, p, input, &gbpf.Options{Checked: true})
	return prog, ve, err
}

// Prepare makes p a program of the root API as the suite runs it: a Raw
// program whose context is input (r1 its address, r2 its length),
// verified for that much memory unless opts.Checked, calling the suite's
// helpers when opts.Helpers is nil. opts may be nil (verified, on the
// default engine). The caller closes the program.
func Prepare(name string, p isa.Program, input []byte, opts *gbpf.Options) (*gbpf.Program, error) {
	o := gbpf.Options{}
	if opts != nil {
		o = *opts
	}
	if o.Helpers == nil {
		o.Helpers = suiteHelpers()
	}
	spec := &gbpf.CollectionSpec{Programs: map[string]*loader.ProgramSpec{
		name: {Name: name, Type: progtype.Raw, CtxSize: len(input), Instructions: p},
	}}
	coll, err := gbpf.NewCollection(spec, &o)
	if err != nil {
		return nil, err
	}
	prog, ok := coll.Programs[name]
	if !ok {
		coll.Close()
		return nil, fmt.Errorf("program %s: not in its collection", name)
	}
	return prog, nil
}

// EngineName is the name of the engine prog runs on, for reports: its
// engine, and "checked" for an unverified program.
func EngineName(prog *gbpf.Program) string { return prog.Engine().String() }

// Run runs prog once by the suite's conventions: on a private copy of
// input (r1 its address, r2 its length), with Budget.
func Run(prog *gbpf.Program, input []byte) (uint64, error) {
	return prog.Run(&gbpf.RunOptions{Data: input, Budget: Budget})
}
