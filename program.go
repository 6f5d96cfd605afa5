package gbpf

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// Program is a verified (or checked) program, compiled for an engine and
// ready to run from any number of goroutines.
type Program struct {
	name string
	info *progtype.Info
	rt   *Runtime
	code engine.Program
	// leaf runs the code of a program that calls nothing and cannot loop
	// (a JIT leaf) directly, or is nil.
	leaf jitLeaf
	// jit is code if it is JIT code, which a run runs on its CPU's
	// runner; nil otherwise.
	jit jitProgram
	// closed is set by Close, which then waits until no CPU of the
	// runtime is running the program (cpu.word) before it releases
	// the code, so that a program replaced on a hook can be closed while
	// its last events finish. A run marks its CPU before it looks at
	// closed, and Close sets closed before it looks at the marks: one of
	// the two sees the other, and no run shares a counter with another.
	closed atomic.Bool
	// id names the program in cpu.word.
	id      uint64
	insns   isa.Program
	helpers []engine.Helper
	// regions are the global data sections the program addresses
	// directly (lddw of a map value).
	regions []engine.Region
	ctxSize int
	// stackDepth is the stack the verifier proved the first function
	// uses, in bytes; -1 for unverified programs.
	stackDepth int
	checked    bool
	engine     Engine
	maps       []*Map
	// constMaps are the maps whose contents the verifier read: the
	// collection freezes them.
	constMaps []*Map
	// kern is the program loaded into the kernel, for collections of the
	// Kernel backend (then rt and code are nil).
	kern *kernelProgram
}

var (
	linuxOnce sync.Once
	linuxSet  *helpers.Set
)

// defaultHelpers is helpers.Linux(), built once.
func defaultHelpers() *helpers.Set {
	linuxOnce.Do(func() { linuxSet = helpers.Linux() })
	return linuxSet
}

// newProgram verifies ps, resolves its map references to the live maps and
// compiles it.
func newProgram(rt *Runtime, spec *CollectionSpec, ps *loader.ProgramSpec, live map[string]*Map, opts *Options) (*Program, error) {
	info, ok := progtype.Lookup(ps.Type)
	if !ok {
		return nil, fmt.Errorf("section %q: program type %v: %w", ps.SectionName, ps.Type, ErrNotSupported)
	}
	hs := opts.Helpers
	if hs == nil {
		hs = defaultHelpers()
	}
	p := &Program{name: ps.Name, info: info, rt: rt, helpers: hs.Table(), checked: opts.Checked, stackDepth: -1}
	p.ctxSize = info.CtxSize
	if info.VarCtx && ps.CtxSize > 0 {
		p.ctxSize = ps.CtxSize
	}
	specs, err := spec.MapSpecs(ps)
	if err != nil {
		return nil, err
	}
	insns := isa.Program{Insns: append([]isa.Instruction(nil), ps.Instructions.Insns...)}
	var constMaps []int
	if !opts.Checked {
		if constMaps, p.stackDepth, err = verify(insns, info, p.ctxSize, specs, hs, opts); err != nil {
			return nil, err
		}
	}
	for _, name := range ps.Maps {
		m := live[name]
		if m.Type() == maps.ProgramArray {
			if err := m.claim(p); err != nil {
				return nil, err
			}
		}
		p.maps = append(p.maps, m)
	}
	for _, i := range constMaps {
		p.constMaps = append(p.constMaps, p.maps[i])
	}
	if !opts.Checked {
		insns.Insns = p.inlineArrayLookups(insns.Insns, hs)
	}
	if err := p.resolve(insns); err != nil {
		return nil, err
	}
	p.addConstRegions()
	p.insns = insns
	if opts.Checked && opts.Sanitize {
		p.code, p.engine, err = compileSanitized(insns, info, hs)
	} else {
		p.code, p.engine, err = compile(insns, opts, usesCallbacks(insns, hs), p.stackDepth)
	}
	if err != nil {
		return nil, err
	}
	p.leaf = leafEntry(p.code)
	p.id = programIDs.Add(1)
	p.jit = jitCode(p.code)
	return p, nil
}

// usesCallbacks reports whether prog calls a helper that calls back into
// the program (bpf_loop, bpf_for_each_map_elem).
func usesCallbacks(prog isa.Program, hs *helpers.Set) bool {
	for _, in := range prog.Insns {
		if in.IsHelperCall() {
			if p, ok := hs.Prototype(helpers.ID(in.Imm)); ok && p.Callback != nil {
				return true
			}
		}
	}
	return false
}

// resolve rewrites the program's references into plain 64-bit constants:
// a map's handle, the address of a global variable, the slot of a
// callback function.
func (p *Program) resolve(prog isa.Program) error {
	insns := prog.Insns
	for i := 0; i < len(insns); i++ {
		in := insns[i]
		if !in.IsLdImm64() {
			continue
		}
		if i+1 >= len(insns) {
			return &isa.Error{Index: i, Reason: "incomplete lddw"}
		}
		var v uint64
		switch in.Src {
		case isa.PseudoImm:
			i++
			continue
		case isa.PseudoMapIdx, isa.PseudoMapIdxValue:
			if in.Imm < 0 || int(in.Imm) >= len(p.maps) {
				return &isa.Error{Index: i, Reason: fmt.Sprintf("map index %d out of range (%d maps)", in.Imm, len(p.maps))}
			}
			m := p.maps[in.Imm]
			if in.Src == isa.PseudoMapIdx {
				v = maps.Handle(m.m)
				break
			}
			sp := m.m.Spec()
			off := uint64(uint32(insns[i+1].Imm))
			if sp.Type != maps.Array || off >= uint64(sp.ValueSize) {
				return &isa.Error{Index: i, Reason: fmt.Sprintf("value of map %s at offset %d: want an offset into an array's value", m.name, off)}
			}
			var key [4]byte
			base := m.m.LookupElem(key[:], 0)
			if base == 0 {
				return &isa.Error{Index: i, Reason: fmt.Sprintf("map %s has no element 0", m.name)}
			}
			v = base + off
			p.addRegion(engine.Region{Start: base, End: base + uint64(sp.ValueSize), Writable: sp.Flags&maps.ReadOnlyProg == 0})
		case isa.PseudoFunc:
			target := i + 1 + int(in.Imm)
			if target < 0 || target >= len(insns) {
				return &isa.Error{Index: i, Reason: fmt.Sprintf("function at slot %d outside the program", target)}
			}
			v = uint64(target)
		default:
			return &isa.Error{Index: i, Reason: fmt.Sprintf("lddw with pseudo source %d is not supported", in.Src)}
		}
		lo := isa.LdImm64(in.Dst, v)
		insns[i], insns[i+1] = lo[0], lo[1]
		i++
	}
	return nil
}

// maxConstElems bounds the elements of a read-only array that
// addConstRegions lists one by one.
const maxConstElems = 16

// addConstRegions adds the values of the read-only arrays p uses to its
// regions, read-only. Constant strings (a bpf_snprintf format, bpf_strncmp's
// second argument) lie there, and helpers read a string only inside the
// region that holds it, wherever the program got its address from (an
// lddw, or a lookup in the array): a string that lost its NUL ends at its
// value's end. Linux takes constant strings only from single-element
// arrays; larger arrays than maxConstElems are left to the values that
// lookups hand the run.
func (p *Program) addConstRegions() {
	for _, m := range p.maps {
		sp := m.m.Spec()
		if sp.Type != maps.Array || sp.Flags&maps.ReadOnlyProg == 0 || sp.MaxEntries > maxConstElems {
			continue
		}
		var key [4]byte
		for i := range sp.MaxEntries {
			binary.NativeEndian.PutUint32(key[:], i)
			if v := m.m.LookupElem(key[:], 0); v != 0 {
				p.addRegion(engine.Region{Start: v, End: v + uint64(sp.ValueSize)})
			}
		}
	}
}

func (p *Program) addRegion(r engine.Region) {
	for _, have := range p.regions {
		if have == r {
			return
		}
	}
	p.regions = append(p.regions, r)
}

// compile prepares prog for the engine opts ask for. Programs whose helpers
// call back into them need an engine that implements engine.Env.CallFunc;
// jitCallbacks probes the JIT once, and where it lacks them the default
// engine falls back to the interpreter.
func compile(prog isa.Program, opts *Options, callbacks bool, stackDepth int) (engine.Program, Engine, error) {
	callbacks = callbacks && !jitCallbacks()
	if opts.Checked {
		if opts.Engine == EngineJIT {
			return nil, 0, fmt.Errorf("checked programs run on the interpreter, not the JIT: %w", ErrNotSupported)
		}
		code, err := interp.Compile(prog, interp.Options{Checked: true})
		return code, EngineChecked, err
	}
	switch opts.Engine {
	case EngineInterpreter:
		code, err := interp.Compile(prog, interp.Options{})
		return code, EngineInterpreter, err
	case EngineChecked:
		code, err := interp.Compile(prog, interp.Options{Checked: true})
		return code, EngineChecked, err
	case EngineJIT:
		if callbacks {
			return nil, 0, fmt.Errorf("JIT: helpers that call back into the program (bpf_loop, bpf_for_each_map_elem): %w", ErrNotSupported)
		}
		code, err := compileJIT(prog, stackDepth)
		return code, EngineJIT, err
	}
	if callbacks {
		code, err := interp.Compile(prog, interp.Options{})
		return code, EngineInterpreter, err
	}
	if code, err := compileJIT(prog, stackDepth); err == nil {
		return code, EngineJIT, nil
	} else if !errors.Is(err, ErrNotSupported) {
		return nil, 0, err
	}
	code, err := interp.Compile(prog, interp.Options{})
	return code, EngineInterpreter, err
}

// Name returns the program's name.
func (p *Program) Name() string { return p.name }

// Type returns the program's type.
func (p *Program) Type() progtype.Type { return p.info.Type }

// Engine returns the engine the program runs on.
func (p *Program) Engine() Engine { return p.engine }

// Checked reports whether the program runs unverified in the checked
// interpreter.
func (p *Program) Checked() bool { return p.checked }

// kind describes the program's type and verification, for messages.
func (p *Program) kind() string {
	if p.checked {
		return p.info.Type.String() + ", checked"
	}
	return p.info.Type.String() + ", verified"
}

// Instructions returns the program as the engine runs it: map references
// resolved to handles and addresses.
func (p *Program) Instructions() isa.Program {
	return isa.Program{Insns: append([]isa.Instruction(nil), p.insns.Insns...)}
}

// Close releases the engine's resources once the runs in flight have
// finished; later runs fail. Closing twice does nothing.
func (p *Program) Close() error {
	if p.kern != nil {
		return p.kern.close()
	}
	if p.code == nil || !p.closed.CompareAndSwap(false, true) {
		return nil
	}
	for _, c := range p.rt.cpus.cpus {
		for c.word.Load()>>1 == p.id {
			runtime.Gosched()
		}
	}
	return p.code.Close()
}

// programIDs numbers the programs (Program.id).
var programIDs atomic.Uint64

// errClosed is the error of running a closed program.
var errClosed = errors.New("program is closed")

// enter marks p as running on c (c's word); it fails once p is closed.
// The mark stays until the next enter on c or c's release. A CPU acquired
// for p is marked already, by the compare-and-swap that took it, which
// like the store here orders the mark before the look at closed.
func (p *Program) enter(c *cpu) bool {
	if w := p.id<<1 | 1; c.word.Load() != w {
		c.word.Store(w)
	}
	if p.closed.Load() {
		c.word.Store(1)
		return false
	}
	return true
}

// RunOptions are the input and output of one Program.Run, like the
// kernel's BPF_PROG_TEST_RUN. Data and Context are bounded as the kernel
// bounds them (MaxInput).
type RunOptions struct {
	// Data is the packet of network programs (XDP, socket filter, tc),
	// or the input of Raw programs.
	Data []byte
	// DataOut, if not nil, receives the packet after the run (Raw: the
	// input memory); it is grown as needed.
	DataOut []byte
	// Context is the context: a tracepoint record, kprobe pt_regs, or
	// the scalar fields of xdp_md / __sk_buff (for example
	// ingress_ifindex, mark, cb); pointer fields are set by the runtime.
	Context []byte
	// ContextOut, if not nil, receives the context after the run.
	ContextOut []byte
	// Repeat runs the program this many times (at least once); the
	// result is the last run's, Duration their mean.
	Repeat int
	// Task overrides the task that get_current_* helpers report.
	Task *helpers.Task
	// Budget is the most a run may execute, in the engines' units (an
	// instruction, or a callback's call): past it the run fails with a
	// budget fault. 0 is the engines' default.
	Budget uint64
}

// RunResult is the outcome of Program.Run.
type RunResult struct {
	// Return is the program's return value (r0).
	Return uint64
	// Duration is the mean time of one run.
	Duration time.Duration
	// TailCalls is how many tail calls the last run made.
	TailCalls int
}

// Run runs the program on opts's input as BPF_PROG_TEST_RUN would, and
// returns its return value. DataOut and ContextOut are filled if set.
func (p *Program) Run(opts *RunOptions) (uint64, error) {
	//lint:ignore SA1012 a nil ctx is "no context": the run pays no ctx.Done check.
	res, err := p.test(nil, opts, false)
	return res.Return, err
}

// RunContext is Run with a context that cancels the run: once ctx is
// done, the program stops within a millisecond, on every engine (at a
// loop's back edge, a call or a callback; a program with none of them
// runs for a bounded, short time anyway), and RunContext returns an error
// wrapping ctx.Err(), so that errors.Is(err, context.Canceled) holds. A
// run whose ctx is already done does not start. A nil ctx never cancels,
// and costs nothing.
func (p *Program) RunContext(ctx context.Context, opts *RunOptions) (uint64, error) {
	res, err := p.test(ctx, opts, false)
	return res.Return, err
}

// Test is Run with the full result: return value, mean duration and tail
// calls.
func (p *Program) Test(opts *RunOptions) (RunResult, error) {
	//lint:ignore SA1012 a nil ctx is "no context": the run pays no ctx.Done check.
	return p.test(nil, opts, true)
}

// TestContext is Test with a context that cancels the runs, as
// RunContext.
func (p *Program) TestContext(ctx context.Context, opts *RunOptions) (RunResult, error) {
	return p.test(ctx, opts, true)
}

// test runs opts.Repeat times until ctx (nil: never) is done, timing the
// runs if asked (reading the clock costs as much as a short program).
func (p *Program) test(ctx context.Context, opts *RunOptions, timed bool) (RunResult, error) {
	if opts == nil {
		opts = &RunOptions{}
	}
	if p.kern != nil {
		return p.kern.test(ctx, p, opts, timed)
	}
	if err := p.checkInput(opts.Data, opts.Context); err != nil {
		return RunResult{}, fmt.Errorf("program %s: %w", p.name, err)
	}
	c := p.rt.acquire(p)
	defer p.rt.release(c)
	in := &c.in
	if err := c.prepare(p, opts.Data, opts.Context, in); err != nil {
		return RunResult{}, fmt.Errorf("program %s: %w", p.name, err)
	}
	in.bind(p)
	if opts.Budget != 0 {
		defer c.setBudget(c.env.Budget)
		c.env.Budget = opts.Budget
	}
	task := p.rt.task
	if opts.Task != nil {
		task = *opts.Task
	}
	n := max(opts.Repeat, 1)
	var res RunResult
	var err error
	var start time.Time
	if timed {
		start = time.Now()
	}
	for range n {
		if err := c.reset(p, opts.Data, opts.Context, in); err != nil {
			return RunResult{}, fmt.Errorf("program %s: %w", p.name, err)
		}
		res.Return, res.TailCalls, err = c.run(ctx, p, &task, in)
		if err != nil {
			return res, fmt.Errorf("program %s: %w", p.name, err)
		}
	}
	if timed {
		res.Duration = time.Since(start) / time.Duration(n)
	}
	c.output(p, opts, in)
	return res, nil
}

// setBudget sets the budget of c's runs.
func (c *cpu) setBudget(b uint64) { c.env.Budget = b }

// run runs p, and the programs it tail-calls, on c with the prepared
// input, until cx (which may be nil) is done.
func (c *cpu) run(cx context.Context, p *Program, task *helpers.Task, in *input) (uint64, int, error) {
	if p.leaf != nil {
		// A leaf calls no helper and cannot loop: it needs no helper
		// state, epoch, budget or cancellation check past its start.
		if cx != nil {
			if err := cx.Err(); err != nil {
				return 0, 0, &engine.Fault{Err: err}
			}
		}
		if !p.enter(c) {
			return 0, 0, errClosed
		}
		ret, err := runLeaf(p, in)
		return ret, 0, err
	}
	env, st := &c.env, &c.state
	st.Task = *task
	c.cur, c.ctxLen = p, in.ctxLen
	g := maps.EnterProgram()
	defer maps.LeaveProgram(g)
	c.setEnv(p, in)
	if cx != nil {
		env.Context = cx // until rt.release
	}
	st.Begin(env, in.r1)
	defer st.End()
	// The same for every program a tail call reaches; the checked
	// interpreter needs the regions helpers hand a run, verified or not.
	st.Checked = p.checked || p.engine == EngineChecked
	for {
		if !p.enter(c) {
			return 0, st.TailCalls(), errClosed
		}
		var ret uint64
		var err error
		if p.jit != nil {
			ret, err = c.runJIT(p, env, in.r1, in.r2)
		} else {
			ret, err = p.code.Run(env, in.r1, in.r2)
		}
		if err != nil {
			return 0, st.TailCalls(), err
		}
		if err := st.Err(); err != nil {
			return 0, st.TailCalls(), err
		}
		next, _ := st.TailCall().(*Program)
		if next == nil {
			return ret, st.TailCalls(), nil
		}
		// bpf_tail_call, the only helper that asks for a tail call, let
		// AllowTailCall vet next before it stopped the program.
		p = next
		c.cur = p
		c.setEnv(p, in)
		st.EnterTailCall(env)
	}
}

// AllowTailCall is the runtime's helpers.TailCallPolicy: the running
// program may hand the run to prog if tailCallable says so.
func (c *cpu) AllowTailCall(prog any) bool {
	next, ok := prog.(*Program)
	return ok && c.cur != nil && c.cur.tailCallable(next, c.ctxLen) && !next.closed.Load()
}

// tailCallable reports whether a run of p on a context of ctxLen bytes may
// go on in next. The tail call must keep every assumption next was
// verified (or checked) under, as the kernel's bpf_prog_array_compatible
// does for its own:
//   - the same program type: the same context layout, packet and helpers;
//   - a context at least as large as next was verified for. Tracepoint,
//     kprobe and Raw programs are verified for the context size their
//     object declares, so two programs of one type may expect different
//     sizes; the runtime gives a run the memory its first program (or
//     its input) needs. A tail call is checked against that memory when
//     it happens, rather than sizing every run for all the programs a
//     program array might hold: arrays change while programs run, and a
//     too-small context must not become a fault;
//   - both verified or both checked. A checked program may write any
//     byte of a writable context (for example __sk_buff's data fields),
//     which a verified program then trusts; a verified program's run has
//     no regions for the checked one's accesses.
//
// The engine does not matter (the kernel asks for the same JIT state
// because it jumps from one image into the other): gbpf ends one program
// and starts the next through the runtime.
func (p *Program) tailCallable(next *Program, ctxLen int) bool {
	return next != nil && next.info.Type == p.info.Type && next.ctxSize <= ctxLen && next.checked == p.checked
}

// setEnv points c's environment at p: its helpers and regions plus the
// input's.
func (c *cpu) setEnv(p *Program, in *input) {
	env := &c.env
	if !p.checked && p.engine != EngineChecked {
		// Helpers add no regions to a verified run's environment (the
		// checked interpreter's aside), so that what was set up for the
		// same program and input holds.
		if c.envProg == p && c.envIn == in && c.envSeq == in.seq {
			return
		}
		env.Helpers = p.helpers
		env.Host = &c.state
		setPacket(&env.Packet, in, p.info.Type)
		n := in.nregions + len(p.regions)
		if cap(c.regions) >= n {
			r := c.regions[:n]
			copy(r, in.regions[:in.nregions])
			copy(r[in.nregions:], p.regions)
			env.Regions = r
			c.envProg, c.envIn, c.envSeq = p, in, in.seq
			return
		}
	}
	c.envProg = nil
	env.Helpers = p.helpers
	env.Host = &c.state
	setPacket(&env.Packet, in, p.info.Type)
	// Keep room for the regions helpers add during checked runs, and the
	// largest array seen, so that runs allocate nothing once warm.
	if env.Regions != nil && cap(env.Regions) > cap(c.regions) {
		c.regions = env.Regions
	}
	r := c.regions[:0]
	if need := in.nregions + len(p.regions) + 16; cap(r) < need {
		r = make([]engine.Region, 0, need)
	}
	r = append(r, in.regions[:in.nregions]...)
	r = append(r, p.regions...)
	c.regions = r
	env.Regions = r
}
