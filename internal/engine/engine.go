// Package engine holds what every gbpf execution engine shares: the memory
// that programs touch (owned by the runtime, outside the Go heap), the
// helper-call ABI, and the per-run environment.
//
// The interpreter (internal/interp) and the JIT (internal/jit/amd64) both
// run an isa.Program against an Env; any difference in what they compute is
// a bug.
package engine

import (
	"errors"
	"fmt"
)

// StackSize is the size of one BPF stack frame.
const StackSize = 512

// MaxCallDepth is the deepest bpf-to-bpf call nesting, counting the main
// program's frame.
const MaxCallDepth = 8

// DefaultBudget is the number of instructions a run may execute when the
// Env sets no budget.
const DefaultBudget = 1 << 32

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
	// Budget is the most instructions a run may execute; 0 means
	// DefaultBudget. Exceeding it ends the run with ErrBudget.
	Budget uint64
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

// Errors that end a run.
var (
	// ErrBudget: the program executed more instructions than its budget.
	ErrBudget = errors.New("instruction budget exhausted")
	// ErrCallDepth: bpf-to-bpf calls nested deeper than MaxCallDepth.
	ErrCallDepth = errors.New("call stack too deep")
	// ErrUnknownHelper: a call to a helper id the Env does not provide.
	ErrUnknownHelper = errors.New("unknown helper")
	// ErrMemory: a checked run touched memory outside its regions.
	ErrMemory = errors.New("invalid memory access")
	// ErrLeak: a sanitized run turned an address into data the program
	// can observe (see internal/interp's Options.Sanitize).
	ErrLeak = errors.New("address leak")
)

// Fault is a run-time error of a program: where it happened and why. It
// wraps one of the errors above.
type Fault struct {
	PC  int    // instruction slot
	Err error  // the cause
	Msg string // details, such as the address
}

func (f *Fault) Error() string {
	if f.Msg == "" {
		return fmt.Sprintf("instruction %d: %v", f.PC, f.Err)
	}
	return fmt.Sprintf("instruction %d: %v: %s", f.PC, f.Err, f.Msg)
}

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
