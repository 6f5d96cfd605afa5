package gbpf

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/maps"
)

// RuntimeOptions configure a Runtime.
type RuntimeOptions struct {
	// CPUs is how many programs may run at once, each on its own CPU
	// number (per-CPU maps hold one value per CPU, and no two runs share
	// one). Zero means maps.NumCPU().
	CPUs int
	// Trace receives bpf_trace_printk output, one line per call; nil
	// discards it.
	Trace io.Writer
	// Task is the task identity the get_current_* helpers report for runs
	// that do not give one; the zero value means this process.
	Task *helpers.Task
}

// Runtime runs programs: it owns the per-CPU run states (the engine
// environment, the helper state and the memory that contexts and packets
// are built in) and the hooks. It is safe for concurrent use.
type Runtime struct {
	cpus  cpuPool
	trace io.Writer
	task  helpers.Task

	mu    sync.Mutex
	hooks map[string]*Hook
	// pins is the runtime's pin registry (see pin.go): maps pinned by
	// name, by pin path.
	pins map[string]*Map
}

// NewRuntime creates a runtime.
func NewRuntime(opts *RuntimeOptions) (*Runtime, error) {
	if opts == nil {
		opts = &RuntimeOptions{}
	}
	n := opts.CPUs
	if n == 0 {
		n = maps.NumCPU()
	}
	if n < 1 || n > maps.NumCPU() {
		return nil, fmt.Errorf("runtime: %d CPUs: want 1 to %d, the CPUs per-CPU maps are made for (see maps.SetNumCPU)", n, maps.NumCPU())
	}
	rt := &Runtime{
		trace: opts.Trace,
		hooks: make(map[string]*Hook),
	}
	if opts.Task != nil {
		rt.task = *opts.Task
	} else {
		rt.task = currentTask()
	}
	rt.cpus.init(n)
	for _, c := range rt.cpus.cpus {
		c.state.CPU = c.id
		c.state.Trace = rt.trace
		c.env.Host = &c.state
	}
	return rt, nil
}

// NumCPU returns the number of CPUs of the runtime.
func (rt *Runtime) NumCPU() int { return len(rt.cpus.cpus) }

var (
	defaultOnce    sync.Once
	defaultRuntime *Runtime
	defaultErr     error
)

// DefaultRuntime returns the process's default runtime, with maps.NumCPU()
// CPUs and trace output discarded.
func DefaultRuntime() (*Runtime, error) {
	defaultOnce.Do(func() {
		defaultRuntime, defaultErr = NewRuntime(nil)
	})
	return defaultRuntime, defaultErr
}

// acquire takes a free CPU for a run of p (nil: not known yet), waiting
// for one if every CPU is running a program.
func (rt *Runtime) acquire(p *Program) *cpu {
	var mark uint64
	if p != nil {
		mark = p.id << 1
	}
	return rt.cpus.acquire(mark)
}

// release gives c back, without the context and the program of the run
// it had, which c must not keep alive.
func (rt *Runtime) release(c *cpu) {
	if c.env.Context != nil {
		c.env.Context = nil
	}
	c.cur = nil
	rt.cpus.release(c)
}

// cpu is the state of one CPU: what a run needs besides the program.
type cpu struct {
	// word is 0 while the CPU is free and 1|id<<1 while a run holds it,
	// id being that of the program it runs (Program.id; 0 before it
	// starts one): cpuPool takes a CPU with a compare-and-swap of its own
	// word, and Program.Close waits for the CPUs running the program.
	word  atomic.Uint64
	id    int
	env   engine.Env
	state helpers.State
	// regions is the backing array of env.Regions.
	regions []engine.Region
	// cur is the program running (nil once c is released), ctxLen the
	// size of the run's context: what AllowTailCall, c's state's
	// TailPolicy, checks a tail call against.
	cur    *Program
	ctxLen int
	// jit is the memory JIT code runs in, made on first use.
	jit jitRunner
	// seq counts the inputs prepared on the CPU; envIn, envSeq and
	// envProg are the input and program env was last set up for (see
	// setEnv), envProg nil when env must be set up again.
	seq     uint64
	envIn   *input
	envSeq  uint64
	envProg *Program
	// in is the input of the run in progress.
	in input
	// packet holds the headroom and the packet of network programs; ctx
	// holds the context. Both lie below 4 GiB and grow as needed.
	packet *engine.Block
	ctx    *engine.Block
	// The pad keeps the next CPU's busy flag off this CPU's last cache
	// line.
	_ [64]byte
}

// currentTask describes this process, for get_current_* helpers.
func currentTask() helpers.Task {
	t := helpers.Task{
		PID:  uint32(os.Getpid()),
		TGID: uint32(os.Getpid()),
		UID:  uint32(os.Getuid()),
		GID:  uint32(os.Getgid()),
	}
	name := "gbpf"
	if exe, err := os.Executable(); err == nil {
		name = exe
		for i := len(exe) - 1; i >= 0; i-- {
			if exe[i] == '/' {
				name = exe[i+1:]
				break
			}
		}
	}
	copy(t.Comm[:15], name)
	return t
}

// lowBlock returns b if it holds at least n bytes, or a new zeroed block
// below 4 GiB that does.
func lowBlock(b *engine.Block, n int) (*engine.Block, error) {
	return growBlock(b, n, engine.AllocLow)
}

// ctxBlock is lowBlock for memory whose address no u32 field holds (raw
// input, tracing contexts): where the system cannot map memory below 4 GiB
// (darwin/arm64) it takes memory anywhere.
func ctxBlock(b *engine.Block, n int) (*engine.Block, error) {
	nb, err := growBlock(b, n, engine.AllocLow)
	if err != nil && errors.Is(err, ErrNotSupported) {
		return growBlock(b, n, engine.Alloc)
	}
	return nb, err
}

// growBlock returns b if it holds at least n bytes, or a new block from
// alloc that does (a power of two, at least a page), freeing b.
func growBlock(b *engine.Block, n int, alloc func(int) (*engine.Block, error)) (*engine.Block, error) {
	if b != nil && b.Len() >= n {
		return b, nil
	}
	size := 4096
	for size < n {
		size *= 2
	}
	nb, err := alloc(size)
	if err != nil {
		return nil, err
	}
	if b != nil {
		_ = b.Free()
	}
	return nb, nil
}
