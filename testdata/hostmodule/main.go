// Command host is a program outside the gbpf module that embeds it: it
// registers a helper of its own, runs programs that call it, and matches
// run-time failures with errors.Is and errors.As. TestHostModule builds
// and runs it with a replace directive pointing at the repository.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

// sumID is the id of the host's helper, past the ids Linux uses.
const sumID = helpers.MaxID + 100

// sum returns the sum of the n bytes at ptr, which the verifier proved to
// be memory the program owns (the prototype says so); for programs that
// were not verified, env.Contains checks it.
func sum(env *abi.Env, ptr, n, _, _, _ uint64) uint64 {
	if !env.Contains(ptr, n, false) {
		return ^uint64(0)
	}
	var s uint64
	for _, b := range abi.Bytes(ptr, n) {
		s += uint64(b)
	}
	return s
}

// load assembles src into a Raw program and loads it with opts.
func load(src string, opts gbpf.Options) (*gbpf.Collection, error) {
	p, err := asm.Assemble(src)
	if err != nil {
		return nil, err
	}
	spec := &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{"prog": {Name: "prog", Type: progtype.Raw, Instructions: p}},
		Maps:     map[string]*maps.Spec{},
	}
	return gbpf.NewCollection(spec, &opts)
}

func run(src string, opts gbpf.Options) (uint64, error) {
	coll, err := load(src, opts)
	if err != nil {
		return 0, err
	}
	defer coll.Close()
	return coll.Programs["prog"].Run(nil)
}

func main() {
	set := helpers.Linux()
	err := set.Register(helpers.Prototype{
		ID:      sumID,
		Name:    "host_sum",
		Ret:     helpers.RetInteger,
		Args:    [5]helpers.ArgType{helpers.ArgPtrToMem, helpers.ArgConstSize},
		Release: -1,
	}, sum)
	if err != nil {
		fail("register", err)
	}
	// A builtin helper by name, with a Go function of the host's.
	err = set.Implement("get_prandom_u32", func(*abi.Env, uint64, uint64, uint64, uint64, uint64) uint64 { return 4 })
	if err != nil {
		fail("implement", err)
	}
	opts := gbpf.Options{Helpers: set}

	// A program that calls the helper on 8 bytes of its stack.
	r0, err := run(fmt.Sprintf(`
		lddw %%r1, 0x0000000004030201
		stxdw [%%r10-8], %%r1
		mov %%r1, %%r10
		add %%r1, -8
		mov %%r2, 8
		call helper %d
		exit`, sumID), opts)
	if err != nil {
		fail("sum", err)
	}
	fmt.Println("sum:", r0)

	r0, err = run(fmt.Sprintf("call helper %d\nexit", helpers.GetPrandomU32), opts)
	if err != nil {
		fail("prandom", err)
	}
	fmt.Println("prandom:", r0)

	// A scalar where the prototype wants memory: the verifier refuses it.
	_, err = load(fmt.Sprintf(`
		mov %%r1, 42
		mov %%r2, 8
		call helper %d
		exit`, sumID), opts)
	var verr *verifier.Error
	fmt.Println("wrong argument rejected:", errors.As(err, &verr))

	// An endless loop, which only the checked interpreter runs: it ends
	// with ErrBudget.
	checked := opts
	checked.Checked = true
	_, err = run(`
		mov %r0, 0
	back:
		add %r0, 1
		ja back
		exit`, checked)
	fmt.Println("budget:", errors.Is(err, abi.ErrBudget))

	// A load from address 0, which the checked interpreter stops with a
	// fault at instruction 1.
	_, err = run(`
		mov %r1, 0
		ldxdw %r0, [%r1+0]
		exit`, checked)
	var f *abi.Fault
	fmt.Println("fault:", errors.As(err, &f) && f.PC == 1 && errors.Is(err, abi.ErrMemory))

	// Not supported is one error whichever package reports it.
	_, err = load("mov %r0, 0\nexit", gbpf.Options{Checked: true, Engine: gbpf.EngineJIT})
	fmt.Println("not supported:", errors.Is(err, gbpf.ErrNotSupported) && errors.Is(err, abi.ErrNotSupported))
}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}
