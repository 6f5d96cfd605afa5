package interp

import (
	"sync"

	"github.com/gbpf/gbpf/internal/engine"
)

// stackBytes holds every frame a run can have: the main program's and
// MaxCallDepth-1 nested bpf-to-bpf calls.
const stackBytes = engine.MaxCallDepth * engine.StackSize

// frame is what a bpf-to-bpf call saves: the callee-saved registers r6-r9
// and the slot to return to.
type frame struct {
	saved [4]uint64
	ret   int
}

// machine is the state of one run. Machines are pooled: a run takes one,
// and gives it back with its stack cleared.
type machine struct {
	stack  *engine.Block
	top    uint64 // r10 of the main frame: the end of stack
	lo     uint64 // the bottom of the current frame: [lo, top) is live
	frames [engine.MaxCallDepth]frame
	// depth is the current bpf-to-bpf call depth (0 in the main program),
	// maxDepth the deepest one of the run.
	depth, maxDepth int
	env             engine.Env // used when Run is given no Env

	// The run in progress, for callbacks (engine.Env.CallFunc): its
	// program and Env, the depth at which exec returns, the caller's
	// frame pointer at the latest helper call and the budget left: budget
	// in the current quantum, rest after it (see refill).
	prog   *Program
	envp   *engine.Env
	base   int
	r10    uint64
	budget uint64
	rest   uint64
	done   <-chan struct{} // env.Context.Done() of the run, if not nil
	ret    int             // the slot to continue at after a call out of the loop
	call   func(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error)
	san    *sanitizer // the shadow state of sanitized runs, made by the first one
}

var machines = sync.Pool{New: func() any {
	b, err := engine.Alloc(stackBytes)
	if err != nil {
		return err
	}
	m := &machine{stack: b, top: b.Addr() + uint64(b.Len())}
	m.call = m.callFunc
	return m
}}

// getMachine returns a machine from the pool.
func getMachine() (*machine, error) {
	switch v := machines.Get().(type) {
	case *machine:
		return v, nil
	case error:
		return nil, v
	}
	panic("unreachable")
}

// putMachine clears the frames a run used (the deepest one included) and
// returns m to the pool, so that no run sees another's stack. A run of a
// program that cannot write memory (no store, atomic or helper call) left
// the stack as it found it, zero, so dirty is false and nothing is cleared.
func putMachine(m *machine, depth int, dirty bool) {
	if dirty {
		clear(m.stack.Bytes()[stackBytes-(depth+1)*engine.StackSize:])
	}
	m.depth = 0
	machines.Put(m)
}
