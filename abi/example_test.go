package abi_test

import (
	"errors"
	"fmt"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// A host registers a Go helper under an id of its own, with the prototype
// the verifier checks calls against, and runs a program that calls it.
func Example() {
	const counterID = helpers.MaxID + 1
	var calls int
	set := helpers.Linux()
	err := set.Register(helpers.Prototype{
		ID:      counterID,
		Name:    "host_count",
		Ret:     helpers.RetInteger,
		Args:    [5]helpers.ArgType{helpers.ArgAnything},
		Release: -1, // releases no reference
	}, func(env *abi.Env, r1, _, _, _, _ uint64) uint64 {
		calls++
		if r1 == 0 {
			env.Stop(99) // end the program with r0 = 99
		}
		return r1 * 2
	})
	if err != nil {
		panic(err)
	}

	prog, err := asm.Assemble(fmt.Sprintf(`
		mov %%r1, 21
		call helper %d
		exit`, counterID))
	if err != nil {
		panic(err)
	}
	spec := &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{"prog": {Name: "prog", Type: progtype.Raw, Instructions: prog}},
		Maps:     map[string]*maps.Spec{},
	}
	coll, err := gbpf.NewCollection(spec, &gbpf.Options{Helpers: set})
	if err != nil {
		panic(err)
	}
	defer coll.Close()
	r0, err := coll.Programs["prog"].Run(nil)
	fmt.Println(r0, err, calls)
	// Output: 42 <nil> 1
}

// Run-time failures are matched with errors.Is and errors.As, through
// the errors that wrap them.
func ExampleFault() {
	prog, err := asm.Assemble(`
		mov %r1, 0
		ldxdw %r0, [%r1+0]
		exit`)
	if err != nil {
		panic(err)
	}
	spec := &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{"prog": {Name: "prog", Type: progtype.Raw, Instructions: prog}},
		Maps:     map[string]*maps.Spec{},
	}
	// The verifier rejects the load from address 0; Checked runs the
	// program on the checked interpreter, which stops it there.
	coll, err := gbpf.NewCollection(spec, &gbpf.Options{Checked: true})
	if err != nil {
		panic(err)
	}
	defer coll.Close()
	_, err = coll.Programs["prog"].Run(nil)
	var f *abi.Fault
	if errors.As(err, &f) {
		fmt.Println("fault at instruction", f.PC, errors.Is(err, abi.ErrMemory), errors.Is(err, abi.ErrBudget))
	}
	// Output: fault at instruction 1 true false
}
