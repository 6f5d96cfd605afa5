// Package abi is the interface between gbpf's execution engines and the Go
// code around them: the helper functions a program calls (Helper), the
// environment of one run that a helper sees (Env), the memory a run may
// touch (Region), and the errors that end a run (ErrBudget, ErrMemory,
// *Fault and the others).
//
// A host that embeds gbpf writes its own helpers against these types and
// registers them with a helpers.Set, giving each a prototype the verifier
// checks calls against; it matches run-time failures of gbpf.Program.Run
// with errors.Is and errors.As:
//
//	_, err := prog.Run(opts)
//	var f *abi.Fault
//	switch {
//	case errors.Is(err, abi.ErrBudget): // ran too long
//	case errors.As(err, &f):           // stopped at instruction f.PC
//	}
//
// Every engine (the interpreter, the checked interpreter and the JIT) runs
// a program against an Env; any difference in what they compute is a bug.
//
// ErrNotSupported is the one error for a feature gbpf lacks: every
// package's "not supported" errors match it with errors.Is.
package abi

import (
	"context"
	"errors"
	"fmt"
)

// StackSize is the size of one BPF stack frame.
const StackSize = 512

// MaxCallDepth is the deepest bpf-to-bpf call nesting, counting the main
// program's frame.
const MaxCallDepth = 8

// DefaultBudget is the budget of a run whose Env sets none: 2^30 units,
// about a billion instructions.
//
// The budget is what bounds a run's time for a host that sets no other
// limit, so it is sized by the slowest work per unit: an instruction that
// loads or stores on the interpreters (about 3 ns), and a callback on the
// JIT (60 ns, which CallbackCost makes 33 units). Measured in CPU time on
// a loaded machine (TestDefaultBudgetTime), the default ends nested
// bpf_loop callbacks after 0.8 s on the interpreters and 2 s on the JIT,
// and a loop of loads and stores after 3.5 s on the checked interpreter
// (0.2 s on the JIT): a few seconds on every engine. It still leaves room
// for the largest programs Linux accepts: a million-instruction straight
// line, or a bpf_loop of 2^23 (the most Linux allows) callbacks of up to
// 90 instructions. The former default, 2^32, let nested callbacks run for
// a minute on the interpreter and several on the JIT.
const DefaultBudget = 1 << 30

// CallbackCost is what entering a callback (Env.CallFunc) charges to the
// budget on top of the callback's instructions: a callback costs as much
// time as tens of instructions, and nested callbacks (bpf_loop inside
// bpf_loop) would otherwise multiply the time a budget allows. The
// interpreter charges exactly that; the JIT charges CallbackCost plus one
// for the callback's last instruction, which none of its charge points
// counts, so it never charges more than the interpreter.
const CallbackCost = 32

// Helper is the Go function behind a helper call. It receives r1 to r5 and
// returns the value for r0. A helper that must end the program calls
// env.Stop.
type Helper func(env *Env, r1, r2, r3, r4, r5 uint64) uint64

// Env is the environment of one run: the helpers a program may call, the
// memory it may touch besides its own stack, and its instruction budget.
// An Env is used by one run at a time; reuse it across runs to avoid
// allocation.
type Env struct {
	// Helpers is indexed by helper id (Linux numbering); a nil entry or an
	// id past the end is an unknown helper.
	Helpers []Helper
	// Regions lists the memory outside the stack that a checked run may
	// touch: the input, the context, map values.
	Regions []Region
	// Packet is the packet that the legacy packet loads (BPF_LD_ABS and
	// BPF_LD_IND, which the verifier allows socket filter and tc programs)
	// read; the zero Packet for runs without one.
	Packet Packet
	// Budget is the most a run may spend, in units of one executed
	// instruction, with CallbackCost more for each callback; 0 means
	// DefaultBudget. Exceeding it ends the run with ErrBudget: exactly
	// on the interpreter; on the JIT never early and at most a known
	// amount late (see the JIT's package documentation).
	Budget uint64
	// Context, if not nil, lets the host cancel the run: once it is done
	// the run ends, within a millisecond, with a *Fault wrapping
	// Context.Err() (so errors.Is(err, context.Canceled) holds). Engines
	// look at it where they check the budget, so a run without a Context
	// pays nothing for it. A run whose Context is already done does not
	// start.
	Context context.Context
	// Host is free for the embedder's helpers to use.
	Host any

	// Stack is set by the engine for the length of a run: the memory of
	// the run's BPF stack (all frames), for helpers that check pointer
	// arguments of unverified programs.
	Stack Region
	// CallFunc is set by the engine for the length of a run, or nil if
	// the engine cannot call back into a program. It runs the function of
	// the running program that starts at slot pc with r1 to r5, on a new
	// stack frame, and returns its r0: helpers such as bpf_loop call
	// their callbacks with it. A pc that is not a function's first slot,
	// a call nested too deep or a fault in the callback is an error.
	CallFunc func(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error)

	stopped bool
	stopRet uint64
}

// Packet is where a run's legacy packet loads read, as Linux's
// bpf_skb_load_helper does: a non-negative offset counts from Data (the
// skb's data), an offset from SKF_NET_OFF (-0x100000) from Net (the
// network header) and one from SKF_LL_OFF (-0x200000) from MAC (the
// link-layer header). A load must lie between Start and End; one that
// does not ends the program with r0 = 0.
type Packet struct {
	Start, End uint64 // the bytes a load may read: the frame
	Data       uint64 // skb->data
	MAC, Net   uint64 // the link-layer and network headers
}

// Offsets of the legacy packet loads' special areas, as in Linux's
// linux/filter.h.
const (
	SKFNetOff = -0x100000
	SKFLLOff  = -0x200000
)

// Addr returns the address of the size bytes a legacy packet load at
// offset off reads, or false when they are not all in the packet (or
// there is no packet).
func (p *Packet) Addr(off int32, size int) (uint64, bool) {
	var base uint64
	k := int64(off)
	switch {
	case k >= 0:
		base = p.Data
	case k >= SKFNetOff:
		base, k = p.Net, k-SKFNetOff
	case k >= SKFLLOff:
		base, k = p.MAC, k-SKFLLOff
	default:
		return 0, false
	}
	if base == 0 || base < p.Start || base > p.End || uint64(k) > p.End-base || uint64(size) > p.End-base-uint64(k) {
		return 0, false
	}
	return base + uint64(k), true
}

// Canceled returns the fault that ends a run at slot pc whose Context is
// done, or nil if it is not.
func (e *Env) Canceled(pc int) error {
	if e.Context == nil {
		return nil
	}
	if err := e.Context.Err(); err != nil {
		return &Fault{PC: pc, Err: err}
	}
	return nil
}

// Stop ends the running program as if it had exited with r0.
func (e *Env) Stop(r0 uint64) {
	e.stopped = true
	e.stopRet = r0
}

// Stopped reports whether a helper called Stop during the current call, and
// the r0 it gave. Engines call it after every helper call.
func (e *Env) Stopped() (bool, uint64) { return e.stopped, e.stopRet }

// Reset clears the stop flag; engines call it at the start of a run.
func (e *Env) Reset() { e.stopped = false }

// Helper returns the helper with the given id, or nil.
func (e *Env) Helper(id int64) Helper {
	if id < 0 || id >= int64(len(e.Helpers)) {
		return nil
	}
	return e.Helpers[id]
}

// Contains reports whether the n bytes at addr are memory the run owns
// and may write if write is set: its stack or one of its Regions. Helpers
// check their pointer arguments with it when the program was not verified
// (the verifier proves them right for the others).
func (e *Env) Contains(addr, n uint64, write bool) bool {
	if n == 0 || e.Stack.Contains(addr, n, write) {
		return true
	}
	for _, r := range e.Regions {
		if r.Contains(addr, n, write) {
			return true
		}
	}
	return false
}

// Region is a range of runtime-owned memory [Start, End) that a program may
// touch.
type Region struct {
	Start, End uint64
	Writable   bool
}

// Contains reports whether the n bytes at addr lie inside r, and may be
// written if write is set.
func (r Region) Contains(addr, n uint64, write bool) bool {
	return addr >= r.Start && addr <= r.End && n <= r.End-addr && (r.Writable || !write)
}

// ErrNotSupported is the error, or the error wrapped by the error, of any
// gbpf package for a feature it does not have here: the JIT on an
// architecture without one, a map operation a map type lacks, a kernel
// feature the running kernel lacks.
var ErrNotSupported = errors.New("not supported")

// Errors that end a run.
var (
	// ErrBudget: the program spent more than its budget (Env.Budget).
	ErrBudget = errors.New("instruction budget exhausted")
	// ErrCallDepth: bpf-to-bpf calls nested deeper than MaxCallDepth.
	ErrCallDepth = errors.New("call stack too deep")
	// ErrUnknownHelper: a call to a helper id the Env does not provide.
	ErrUnknownHelper = errors.New("unknown helper")
	// ErrMemory: a checked run touched memory outside its regions.
	ErrMemory = errors.New("invalid memory access")
	// ErrLeak: a sanitized run (the checked interpreter's leak
	// sanitizer) turned an address into data the program can observe.
	ErrLeak = errors.New("address leak")
)

// Fault is a run-time error of a program: where it happened and why. It
// wraps one of the errors above.
type Fault struct {
	PC  int    // instruction slot
	Err error  // the cause
	Msg string // details, such as the address
}

// Error returns the fault's text: "instruction PC: cause[: details]".
func (f *Fault) Error() string {
	if f.Msg == "" {
		return fmt.Sprintf("instruction %d: %v", f.PC, f.Err)
	}
	return fmt.Sprintf("instruction %d: %v: %s", f.PC, f.Err, f.Msg)
}

// Unwrap returns the cause.
func (f *Fault) Unwrap() error { return f.Err }

// Program is a program prepared by an engine, ready to run any number of
// times, from any number of goroutines at once.
type Program interface {
	// Run executes the program with r1 and r2 set (r10 points at the top of
	// a fresh stack) and returns r0. A run-time error is a *Fault.
	Run(env *Env, r1, r2 uint64) (uint64, error)
	// Close releases the engine's resources (such as JIT code memory).
	Close() error
}
