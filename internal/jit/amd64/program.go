package amd64

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// Program is a program compiled to x86-64 machine code. It implements
// engine.Program; Run may be called from many goroutines at once.
type Program struct {
	code       *execMem
	base       uint64                                                 // address of the code
	entry      uint64                                                 // address of the entry code
	ret        uint64                                                 // address a run's outermost function returns to
	leafAddr   func(r1, r2 uint64) (uint64, LeafFault)                // a leaf program's direct entry; nil if not a leaf
	leafPtr    func(r1 unsafe.Pointer, r2 uint64) (uint64, LeafFault) // the same, r1 a Go pointer
	slots      []int32                                                // code offset of every slot; -1 for second slots of lddw
	bodyEnd    int32                                                  // code offset of the end of the last slot's code
	stackClear int                                                    // bytes below the top of a frame that a run may have written

	// Runs in progress. A leaf run counts itself in leafRuns; any other
	// run holds a state, taken with a compare-and-swap on the state's own
	// busy flag, so that concurrent runs share no lock or counter. Each
	// run marks itself before it looks at closed, and Close sets closed
	// before it looks at the marks: one of the two sees the other.
	leafRuns atomic.Int64
	closed   atomic.Bool
	states   atomic.Pointer[[]*state] // every state made, copied on growth
	hint     sync.Pool                // states as runs put them back, per processor
	mu       sync.Mutex               // serializes Close and the growth of states
}

// state is what one run needs for itself: an engine.Block holding the
// context, the BPF stack and the machine stack, and the run in progress.
type state struct {
	busy      atomic.Bool // held by a run (see Program.get)
	block     *engine.Block
	ctx       *vmContext
	addr      uint64 // of the context
	stackTop  uint64 // r10 of the first frame
	machTop   uint64
	callLimit uint64
	stack     engine.Region // the BPF stack, all frames

	// The run in progress, for callbacks (engine.Env.CallFunc).
	prog    *Program
	env     *engine.Env
	cx      context.Context // the run's context; nil if none
	done    <-chan struct{} // cx.Done(); nil if cx can never be done
	budget  uint64          // env.Budget, or the default
	used    uint64          // budget spent before the current quantum
	quantum uint64          // budget the countdown started from
	low     uint64          // lowest r10 of a callback's frame; stackTop if none
	sched   time.Duration   // since epoch, at the first yield or the last Gosched; 0 before
	ownEnv  engine.Env      // the Env of a run given none
	call    func(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error)
}

// ErrClosed is returned by Run after Close.
var ErrClosed = errors.New("jit: program closed")

// Compile validates p and compiles it to machine code.
func Compile(p isa.Program, opts Options) (*Program, error) {
	if !Supported {
		return nil, ErrNotSupported
	}
	if err := isa.Validate(p); err != nil {
		return nil, fmt.Errorf("jit: %w", err)
	}
	out, err := compile(p, opts)
	if err != nil {
		return nil, fmt.Errorf("jit: %w", err)
	}
	mem, err := newExecMem(out.code, out.fault)
	if err != nil {
		return nil, err
	}
	base := uint64(mem.addr())
	prog := &Program{
		code:       mem,
		base:       base,
		entry:      base + uint64(out.entry),
		ret:        base + uint64(out.ret),
		slots:      slotOffsets(p, out.offsets),
		bodyEnd:    out.offsets[len(p.Insns)],
		stackClear: out.stackClear,
	}
	if out.direct >= 0 {
		prog.leafAddr, prog.leafPtr = leafFuncs(base + uint64(out.direct))
	}
	runtime.AddCleanup(prog, func(m *execMem) { m.free() }, mem)
	return prog, nil
}

// Close releases the machine code. It fails while runs are in progress
// (and a Run that starts meanwhile may fail with ErrClosed); Run fails
// after it. Without Close, the code is released once p is unreachable.
func (p *Program) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return nil
	}
	p.closed.Store(true)
	n := int(p.leafRuns.Load())
	states := p.allStates()
	for _, s := range states {
		if s.busy.Load() {
			n++
		}
	}
	if n > 0 {
		p.closed.Store(false)
		return fmt.Errorf("jit: close: %d runs in progress", n)
	}
	for _, s := range states {
		s.block.Free()
	}
	p.states.Store(nil)
	return p.code.free()
}

// Run executes the program with r1 and r2 set and r10 at the top of a fresh
// stack, and returns r0. A run-time error is an *engine.Fault. A nil env
// runs with no helpers and the default budget. During the run, env.Stack is
// the BPF stack and env.CallFunc runs callbacks (see callFunc).
func (p *Program) Run(env *engine.Env, r1, r2 uint64) (uint64, error) {
	//lint:ignore SA1012 a nil ctx is run's "no context": Run pays no ctx.Done check.
	return p.run(nil, env, r1, r2)
}

// RunContext is Run with env.Context set to ctx: it ends the run with a
// fault wrapping ctx.Err() when ctx is done. The run notices at its next
// yield, callback or helper call, at most a few hundred microseconds
// later.
func (p *Program) RunContext(ctx context.Context, env *engine.Env, r1, r2 uint64) (uint64, error) {
	return p.run(ctx, env, r1, r2)
}

// Leaf reports whether p is a leaf program: one without loops, calls of
// any kind or references to functions. A leaf runs directly on the calling
// goroutine's stack, entered and left like a function, with none of the
// per-run state that helpers, callbacks, yields and the budget need: a
// run costs a few nanoseconds more than its instructions (see RunBytes).
func (p *Program) Leaf() bool { return p.leafAddr != nil }

// ErrNotLeaf is returned by RunBytes for a program that is not a leaf.
var ErrNotLeaf = errors.New("jit: not a leaf program")

// RunBytes runs a leaf program with r1 pointing at b's first byte (nil if
// b is empty), r2 = len(b) and r10 at the top of a fresh, zeroed stack
// frame, and returns r0. b may be ordinary Go memory: the run ends before
// the garbage collector or the stack copier can move or free anything.
//
// RunBytes is the fast path for small programs run very often, such as
// packet filters: it does not count runs in progress as Run does, so it
// must not overlap Close. A caller that never calls Close (the machine
// code is then released once p is unreachable) needs no care.
func (p *Program) RunBytes(b []byte) (uint64, error) {
	if p.leafPtr == nil {
		return 0, ErrNotLeaf
	}
	if p.closed.Load() {
		return 0, ErrClosed
	}
	r0, f := p.leafPtr(unsafe.Pointer(unsafe.SliceData(b)), uint64(len(b)))
	runtime.KeepAlive(p) // its code
	if f.Faulted(r0) {
		return 0, p.fault(f.sig, f.ip, f.addr)
	}
	return r0, nil
}

// LeafFunc returns a leaf program's machine code as a Go function taking r1
// (a Go pointer) and r2 and returning r0, or nil if p is not a leaf: the
// fastest way to run a small program very often, as RunBytes does without
// its checks. The caller must keep p reachable while it calls the function
// (runtime.KeepAlive), and must not call it once p is closed. If
// f.Faulted(r0) the machine code faulted and r0 is no result: LeafError
// says where.
func (p *Program) LeafFunc() func(r1 unsafe.Pointer, r2 uint64) (r0 uint64, f LeafFault) {
	return p.leafPtr
}

// run runs p until cx, or else env.Context, is done; a run whose context
// is already done does not start.
func (p *Program) run(cx context.Context, env *engine.Env, r1, r2 uint64) (uint64, error) {
	if cx == nil && env != nil {
		cx = env.Context
	}
	if cx != nil {
		if err := cx.Err(); err != nil {
			return 0, &engine.Fault{PC: 0, Err: err}
		}
	}
	if p.leafAddr != nil {
		return p.runLeaf(env, r1, r2)
	}
	s, err := p.get()
	if err != nil {
		return 0, err
	}
	defer p.put(s)
	return p.runOn(s, cx, env, r1, r2)
}

// Runner is the memory of one run at a time (the context, the BPF stack and
// the machine stack), for any program: a host that runs programs on slots
// of its own, one run per slot at a time, gives each slot a Runner, so that
// a run does not look for an idle state of the program's.
type Runner struct {
	s *state
}

// NewRunner allocates a Runner. Its memory is released once it is
// unreachable.
func NewRunner() (*Runner, error) {
	s, err := newState()
	if err != nil {
		return nil, err
	}
	return &Runner{s: s}, nil
}

// Run runs p on r as p.RunContext(cx, env, r1, r2) does (cx may be nil).
// The run is not counted as in progress: the caller must not start two
// runs on r at once, nor Close p while one of its runs is in progress.
func (r *Runner) Run(cx context.Context, p *Program, env *engine.Env, r1, r2 uint64) (uint64, error) {
	if cx == nil && env != nil {
		cx = env.Context
	}
	if cx != nil {
		if err := cx.Err(); err != nil {
			return 0, &engine.Fault{PC: 0, Err: err}
		}
	}
	if p.leafAddr != nil {
		return p.RunLeafUncounted(r1, r2)
	}
	r0, err := p.runOn(r.s, cx, env, r1, r2)
	p.scrub(r.s)
	return r0, err
}

// runOn runs p on the state s, which the caller holds.
func (p *Program) runOn(s *state, cx context.Context, env *engine.Env, r1, r2 uint64) (uint64, error) {
	if env == nil {
		s.ownEnv = engine.Env{}
		env = &s.ownEnv
	}
	env.Reset()
	c := s.ctx
	c.regs = [isa.MaxRegister + 1]uint64{isa.R1: r1, isa.R2: r2, isa.R10: s.stackTop}
	c.machSP = s.machTop
	c.resume = p.entry
	c.callLimit = s.callLimit
	s.prog, s.env = p, env
	if cx != nil {
		s.cx, s.done = cx, cx.Done() // until put
	}
	s.budget = env.Budget
	if s.budget == 0 {
		s.budget = engine.DefaultBudget
	}
	s.used = 0
	s.quantum = min(s.budget, yieldQuantum)
	c.count = int64(s.quantum)
	s.low = s.stackTop
	s.sched = 0
	env.Stack, env.CallFunc = s.stack, s.call
	r0, err := s.loop()
	env.Stack, env.CallFunc = engine.Region{}, nil
	s.prog, s.env = nil, nil
	return r0, err
}

// loop enters the machine code at the context's resume address and serves
// its exits to Go (helper calls, yields, faults) until the function it was
// entered in returns, which ends the run or a callback.
func (s *state) loop() (uint64, error) {
	c, env := s.ctx, s.env
	for {
		jitcall(uintptr(s.addr))
		switch c.exit {
		case exitDone:
			return c.regs[0], nil
		case exitHelper:
			id := int64(c.arg)
			h := env.Helper(id)
			if h == nil {
				return 0, &engine.Fault{PC: int(c.pc), Err: engine.ErrUnknownHelper, Msg: fmt.Sprintf("helper %d", id)}
			}
			if s.done != nil {
				// A loop of helper calls may spend more time between
				// yields than a loop of instructions.
				if err := s.canceled(); err != nil {
					return 0, err
				}
			}
			r0 := h(env, c.regs[1], c.regs[2], c.regs[3], c.regs[4], c.regs[5])
			if stopped, v := env.Stopped(); stopped {
				return v, nil
			}
			c.regs[0] = r0
		case exitYield:
			if err := s.settle(); err != nil {
				return 0, err
			}
		case exitCallDepth:
			return 0, &engine.Fault{PC: int(c.pc), Err: engine.ErrCallDepth, Msg: fmt.Sprintf("more than %d frames", engine.MaxCallDepth)}
		case exitFault:
			return 0, s.prog.fault(c.regs[0], c.resume, c.arg)
		case exitPacket + 1, exitPacket + 2, exitPacket + 4:
			v, ok := engine.LoadPacket(&env.Packet, int32(uint32(c.arg)), int(c.exit-exitPacket))
			if !ok {
				if env.Packet.End == 0 {
					return 0, &engine.Fault{PC: int(c.pc), Err: engine.ErrNoPacket}
				}
				return 0, nil // outside the packet: r0 = 0, as on Linux
			}
			c.regs[0] = v
		default:
			return 0, &engine.Fault{PC: int(c.pc), Err: fmt.Errorf("jit: bad exit code %d", c.exit)}
		}
	}
}

// settle is called when the countdown has gone below zero, at the
// instruction slot c.pc: it charges what the quantum spent to the budget,
// ends the run if the budget is spent or the run's context done, and
// otherwise starts the next quantum and yields.
func (s *state) settle() error {
	c := s.ctx
	s.used += s.quantum + uint64(-c.count)
	if s.used > s.budget {
		return &engine.Fault{PC: int(c.pc), Err: engine.ErrBudget, Msg: fmt.Sprintf("budget %d spent", s.budget)}
	}
	if s.done != nil {
		if err := s.canceled(); err != nil {
			return err
		}
	}
	s.quantum = min(s.budget-s.used, yieldQuantum)
	c.count = int64(s.quantum)
	s.yield()
	return nil
}

// canceled returns the fault that ends the run at slot c.pc if its
// context is done, and nil otherwise. It costs a few nanoseconds.
func (s *state) canceled() error {
	select {
	case <-s.done:
		return &engine.Fault{PC: int(s.ctx.pc), Err: s.cx.Err()}
	default:
		return nil
	}
}

// yield lets the Go scheduler in at a yield of the machine code: at every
// yield it may stop the goroutine for a garbage collection or preempt it
// (preemptible), and every goschedInterval of running the goroutine also
// steps aside for others (runtime.Gosched), such as the collector's mark
// workers. Gosched is not called at every yield: a fast loop yields every
// few tens of microseconds, and a Gosched costs tens of microseconds on a
// goroutine locked to its thread.
func (s *state) yield() {
	preemptible()
	now := time.Since(epoch)
	if s.sched == 0 {
		s.sched = now
	} else if now-s.sched >= goschedInterval {
		runtime.Gosched()
		s.sched = time.Since(epoch)
	}
}

// goschedInterval is how long a run may keep its thread before it calls
// runtime.Gosched; epoch is the origin of the times in state.sched.
const goschedInterval = time.Millisecond

var epoch = time.Now()

// preemptible is a safe point for the Go scheduler: like every call in Go
// code that can grow the stack, it checks on entry whether the runtime has
// asked the goroutine to stop (for a garbage collection, or because it has
// run for 10ms while others wait) and if so lets it. It costs a
// nanosecond otherwise, where runtime.Gosched costs a trip through the
// scheduler: tens of microseconds on a goroutine locked to its thread.
//
//go:noinline
func preemptible() { safePoint() }

// safePoint does nothing; calling it makes preemptible a function with a
// stack check.
//
//go:noinline
func safePoint() {}

// runLeaf runs a leaf program from its direct entry. A leaf cannot call a
// helper, so env only has its stop flag reset, as every run does; it
// cannot loop, so the budget and cancellation do not come into it: it
// runs at most as many instructions as it has, a millisecond for the
// largest program Linux would load.
func (p *Program) runLeaf(env *engine.Env, r1, r2 uint64) (uint64, error) {
	p.leafRuns.Add(1)
	if p.closed.Load() {
		p.leafRuns.Add(-1)
		return 0, ErrClosed
	}
	if env != nil {
		env.Reset()
	}
	r0, f := p.leafAddr(r1, r2)
	p.leafRuns.Add(-1)
	if f.Faulted(r0) {
		return 0, p.fault(f.sig, f.ip, f.addr)
	}
	return r0, nil
}

// LeafAddrFunc returns a leaf program's machine code as a Go function
// taking r1 and r2 as numbers (addresses outside the Go heap), or nil if p
// is not a leaf: LeafFunc for memory the caller owns outside Go. The same
// rules hold: the caller keeps p reachable and does not call the function
// once p is closed; LeafError tells a fault.
func (p *Program) LeafAddrFunc() func(r1, r2 uint64) (r0 uint64, f LeafFault) {
	return p.leafAddr
}

// RunLeafUncounted runs a leaf program (see Leaf) with r1 and r2 set and
// r10 at the top of a fresh, zeroed stack frame, like Run, but without
// counting the run in progress or looking at closed: the caller
// guarantees that it never overlaps Close. It returns ErrNotLeaf for a
// program that is not a leaf.
func (p *Program) RunLeafUncounted(r1, r2 uint64) (uint64, error) {
	if p.leafAddr == nil {
		return 0, ErrNotLeaf
	}
	r0, f := p.leafAddr(r1, r2)
	if f.Faulted(r0) {
		return 0, p.fault(f.sig, f.ip, f.addr)
	}
	return r0, nil
}

// get takes an idle state for a run: the one last put back on this
// processor if it is still idle, else the first idle one, else a new one.
func (p *Program) get() (*state, error) {
	s, _ := p.hint.Get().(*state)
	if s == nil || !s.busy.CompareAndSwap(false, true) {
		s = nil
		for _, t := range p.allStates() {
			if !t.busy.Load() && t.busy.CompareAndSwap(false, true) {
				s = t
				break
			}
		}
	}
	if s == nil {
		return p.newBusyState()
	}
	if p.closed.Load() {
		s.busy.Store(false)
		return nil, ErrClosed
	}
	return s, nil
}

// allStates returns every state made so far.
func (p *Program) allStates() []*state {
	if all := p.states.Load(); all != nil {
		return *all
	}
	return nil
}

// newBusyState makes a state for a run and adds it to p's states.
func (p *Program) newBusyState() (*state, error) {
	s, err := newState()
	if err != nil {
		return nil, err
	}
	s.busy.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		s.block.Free()
		return nil, ErrClosed
	}
	old := p.allStates()
	all := append(old[:len(old):len(old)], s) // a copy: runs read the old slice
	p.states.Store(&all)
	return s, nil
}

// put scrubs s after a run of p and gives it back.
func (p *Program) put(s *state) {
	p.scrub(s)
	s.busy.Store(false)
	p.hint.Put(s)
}

// scrub clears the stack a run of p on s may have used (callbacks' frames
// included), so that no run sees another's data, and drops the run's
// context.
func (p *Program) scrub(s *state) {
	from := stateMachStack - int(s.stackTop-s.low) - p.stackClear
	clear(s.block.Bytes()[max(from, stateStack):stateMachStack])
	if s.cx != nil {
		s.cx, s.done = nil, nil
	}
}

func newState() (*state, error) {
	b, err := engine.Alloc(stateSize)
	if err != nil {
		return nil, fmt.Errorf("jit: run state: %w", err)
	}
	addr := b.Addr()
	s := &state{
		block:     b,
		ctx:       (*vmContext)(unsafe.Pointer(&b.Bytes()[stateContext])),
		addr:      addr + stateContext,
		stackTop:  addr + stateMachStack,
		machTop:   addr + stateSize,
		callLimit: addr + stateStack + 2*engine.StackSize,
		stack:     engine.Region{Start: addr + stateStack, End: addr + stateMachStack, Writable: true},
	}
	s.low = s.stackTop
	s.call = s.callFunc
	return s, nil
}

// slotOffsets returns the code offset of every slot of p, -1 for the
// second slots of lddw, which are not instructions.
func slotOffsets(p isa.Program, offsets []int32) []int32 {
	slots := make([]int32, len(p.Insns))
	for pc := 0; pc < len(p.Insns); pc++ {
		slots[pc] = offsets[pc]
		if p.Insns[pc].IsLdImm64() && pc+1 < len(p.Insns) {
			pc++
			slots[pc] = -1
		}
	}
	return slots
}
