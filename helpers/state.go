package helpers

import (
	"io"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/internal/engine"
)

// MaxTailCalls is the most tail calls one run may make, as Linux's
// MAX_TAIL_CALL_CNT: the 34th program in a chain is not entered.
const MaxTailCalls = 33

// maxDynamicRegions bounds the map values, ring buffer records and
// callback arguments that a checked run may collect as regions.
const maxDynamicRegions = 1024

// Task is the identity of the task an event happened in, as the
// get_current_* helpers report it.
type Task struct {
	PID  uint32   // the thread id (the kernel's pid)
	TGID uint32   // the process id (the kernel's tgid)
	UID  uint32   // real user id
	GID  uint32   // real group id
	Comm [16]byte // the command name, NUL-padded
}

// TailCallPolicy decides whether a run may go on in another program.
type TailCallPolicy interface {
	// AllowTailCall reports whether the running program may tail-call
	// into prog, a value that a program array holds. When it returns
	// false, bpf_tail_call fails as it does for an empty slot: it returns
	// an error and the calling program goes on.
	AllowTailCall(prog any) bool
}

// State is what the builtin helpers know about the run they are called
// from. The runtime puts a *State in abi.Env.Host, fills the event's
// fields before each run (Begin) and reads the outcome afterwards (a
// pending tail call). A State belongs to one run at a time, like its Env.
type State struct {
	// Task is the task the event is attributed to.
	Task Task
	// CPU is the processor number the run is on: per-CPU maps use its
	// copy, and no other run uses the same CPU at the same time.
	CPU int
	// NUMANode is what get_numa_node_id returns.
	NUMANode int
	// Trace receives the lines of trace_printk; nil discards them.
	Trace io.Writer
	// Checked is set for runs of unverified programs: the helpers then
	// check every pointer argument against the run's regions and stack,
	// and add the memory they hand out (map values, ring buffer records)
	// to env.Regions so that the checked engine lets the program use it.
	Checked bool
	// Ctx is the run's context pointer (R1 on entry), for tail calls.
	Ctx uint64
	// TailPolicy vets the programs bpf_tail_call hands the run to. A
	// State without one refuses every tail call: only the runtime that
	// runs the next program knows whether it fits the run.
	TailPolicy TailCallPolicy

	tailCalls int
	tailNext  any
	err       error
	reserved  []reservation
	// recent are the last map values and records handed to a verified
	// run, so that probe_read and %s can read them (checked runs keep
	// theirs in env.Regions).
	recent  [8]engine.Region
	nrecent uint
	base    int // len(env.Regions) that the runtime set up
	buf     []byte
	scratch *engine.Block
}

// Begin prepares s for a run on env: it forgets the previous run's tail
// calls and dynamic regions. The runtime calls it before each run (the
// first program of a tail call chain), after setting env.Regions to the
// run's fixed regions.
func (s *State) Begin(env *abi.Env, ctx uint64) {
	s.Ctx = ctx
	s.tailCalls = 0
	s.tailNext = nil
	s.err = nil
	s.EnterTailCall(env) // forget the regions handed out, as every program of the chain does
}

// End finishes the run that Begin started: it discards ring buffer
// records the program reserved and never submitted (only an unverified
// program can leave one open).
func (s *State) End() {
	if len(s.reserved) > 0 {
		s.releaseReservations()
	}
}

// Err returns the error that ended the run from inside a helper, such as
// a fault in a bpf_loop callback, or nil.
func (s *State) Err() error { return s.err }

// fail ends the run with err.
func (s *State) fail(env *engine.Env, err error) {
	if s.err == nil {
		s.err = err
	}
	env.Stop(0)
}

// TailCall returns the program that the run asked to tail-call into, or
// nil, and clears the request. The runtime runs it with the same context
// and then asks again, until no tail call is pending. Before it runs the
// next program it points env at that program (helpers, regions) and calls
// EnterTailCall.
func (s *State) TailCall() any {
	next := s.tailNext
	s.tailNext = nil
	return next
}

// EnterTailCall prepares s for the next program of a tail-call chain, once
// env.Regions holds that program's fixed regions: what helpers handed the
// previous program (map values, records) is not the new program's, which
// starts with nothing but its context, like the first program of a run.
func (s *State) EnterTailCall(env *abi.Env) {
	s.base = len(env.Regions)
	s.recent = [8]engine.Region{}
}

// TailCalls returns how many tail calls the run has made.
func (s *State) TailCalls() int { return s.tailCalls }

// state returns the State of env, or nil.
func state(env *engine.Env) *State {
	s, _ := env.Host.(*State)
	return s
}

// checked reports whether pointer arguments must be checked.
func checked(env *engine.Env) bool {
	s := state(env)
	return s != nil && s.Checked
}

// arg returns the n bytes at addr for a pointer argument: unchecked for
// verified programs, which the verifier proved right, and checked against
// the run's memory for unverified ones.
func arg(env *engine.Env, addr, n uint64, write bool) ([]byte, bool) {
	if checked(env) && !env.Contains(addr, n, write) {
		return nil, false
	}
	if n == 0 {
		return nil, true
	}
	return engine.Bytes(addr, n), true
}

// grant makes the n bytes at addr usable by a checked run.
func grant(env *engine.Env, addr, n uint64, writable bool) {
	s := state(env)
	if addr == 0 || s == nil {
		return
	}
	if !s.Checked {
		s.recent[s.nrecent%uint(len(s.recent))] = engine.Region{Start: addr, End: addr + n, Writable: writable}
		s.nrecent++
		return
	}
	if s.base > len(env.Regions) {
		s.base = len(env.Regions)
	}
	dyn := env.Regions[s.base:]
	for _, r := range dyn {
		if r.Start == addr && r.End == addr+n {
			return
		}
	}
	if len(dyn) >= maxDynamicRegions {
		// Forget the oldest: a run that touches this many values keeps
		// working on the ones it got most recently.
		copy(env.Regions[s.base:], env.Regions[s.base+1:])
		env.Regions = env.Regions[:len(env.Regions)-1]
	}
	env.Regions = append(env.Regions, engine.Region{Start: addr, End: addr + n, Writable: writable})
}

// cstring returns the NUL-terminated string at addr without its NUL,
// reading at most max bytes and never past the end of the region of the
// run that holds addr (runBytes). ok is false when no NUL is found there.
// The verifier's proof that a constant string ends in NUL is not trusted
// for the read: it held for the map's contents at load time.
func cstring(env *engine.Env, addr uint64, max int) (string, bool) {
	b, ok := runBytes(env, addr, uint64(max))
	if !ok {
		return "", false
	}
	for i, c := range b {
		if c == 0 {
			return unsafeString(b[:i]), true
		}
	}
	return "", false
}

// runBytes returns up to n bytes at addr inside one region of the run (or
// its stack, or a map value it was handed), whether or not the run is
// checked: for probe_read-style helpers, which may be given any address,
// and for every read whose length the verifier did not prove (strings,
// which end at a NUL). The bytes end where the region ends.
func runBytes(env *engine.Env, addr, n uint64) ([]byte, bool) {
	try := func(r engine.Region) ([]byte, bool) {
		if addr < r.Start || addr >= r.End {
			return nil, false
		}
		return engine.Bytes(addr, min(n, r.End-addr)), true
	}
	if b, ok := try(env.Stack); ok {
		return b, true
	}
	for _, r := range env.Regions {
		if b, ok := try(r); ok {
			return b, true
		}
	}
	if s := state(env); s != nil {
		for _, r := range s.recent {
			if b, ok := try(r); ok {
				return b, true
			}
		}
	}
	return nil, false
}

// scratchBytes returns n bytes of runtime memory owned by s, for keys that
// helpers pass to callbacks.
func (s *State) scratchBytes(n int) ([]byte, error) {
	if s.scratch == nil || s.scratch.Len() < n {
		b, err := engine.Alloc(max(n, 256))
		if err != nil {
			return nil, err
		}
		s.scratch = b
	}
	return s.scratch.Bytes()[:n], nil
}
