// Command host is a program outside the gbpf module that embeds it: it
// registers a helper of its own, runs programs that call it, matches
// run-time failures with errors.Is and errors.As, and loads an object
// with LoadAndAssign into the struct bpf2go generates (counter.go) on
// both backends, gbpf's runtime and the kernel, comparing what they
// return and what their maps hold. TestHostModule builds and runs it with
// a replace directive pointing at the repository.
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

	backends()
}

// packet is an Ethernet frame carrying an IPv4 header from src.
func packet(src [4]byte, size int) []byte {
	p := make([]byte, max(size, 34))
	p[12], p[13] = 0x08, 0x00 // IPv4
	p[14] = 0x45
	copy(p[26:30], src[:])
	return p
}

// result is what one backend made of the counter: its return values and
// the contents of its map.
type result struct {
	returns []uint64
	sources map[[4]byte][2]uint64
}

// runCounter loads hash_counter into a bpf2go struct with opts and feeds
// it packets.
func runCounter(opts *gbpf.Options) (result, error) {
	var objs counterObjects
	if err := loadCounterObjects(&objs, opts); err != nil {
		return result{}, err
	}
	defer objs.Close()
	if b := objs.CountSources.Backend(); b != opts.Backend {
		return result{}, fmt.Errorf("loaded into %v, not %v", b, opts.Backend)
	}
	var res result
	for i, src := range [][4]byte{{10, 0, 0, 1}, {10, 0, 0, 2}, {10, 0, 0, 1}, {192, 168, 1, 1}, {10, 0, 0, 1}} {
		ret, err := objs.CountSources.Run(&gbpf.RunOptions{Data: packet(src, 60+i)})
		if err != nil {
			return result{}, err
		}
		res.returns = append(res.returns, ret)
	}
	res.sources = map[[4]byte][2]uint64{}
	var key [4]byte
	var val [2]uint64
	it := objs.Sources.Iterate()
	for it.Next(&key, &val) {
		res.sources[key] = val
	}
	return res, it.Err()
}

// backends runs the counter on both backends and prints whether they
// agree, or why the kernel is unavailable.
func backends() {
	ours, err := runCounter(&gbpf.Options{})
	if err != nil {
		fail("gbpf backend", err)
	}
	kern, err := runCounter(&gbpf.Options{Backend: gbpf.Kernel})
	if errors.Is(err, gbpf.ErrNotSupported) || errors.Is(err, maps.ErrPermission) {
		fmt.Println("kernel unavailable:", err)
		return
	}
	if err != nil {
		fail("kernel backend", err)
	}
	same := fmt.Sprint(ours.returns) == fmt.Sprint(kern.returns) && len(ours.sources) == len(kern.sources)
	for k, v := range ours.sources {
		same = same && kern.sources[k] == v
	}
	fmt.Printf("backends agree: %v (%d runs, %d map elements)\n", same, len(ours.returns), len(ours.sources))
}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}
