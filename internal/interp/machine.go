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
	frames [engine.MaxCallDepth]frame
	env    engine.Env // used when Run is given no Env
}

var machines = sync.Pool{New: func() any {
	b, err := engine.Alloc(stackBytes)
	if err != nil {
		return err
	}
	return &machine{stack: b, top: b.Addr() + uint64(b.Len())}
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
// returns m to the pool, so that no run sees another's stack.
func putMachine(m *machine, depth int) {
	clear(m.stack.Bytes()[stackBytes-(depth+1)*engine.StackSize:])
	m.env = engine.Env{}
	machines.Put(m)
}
