package verifier

import (
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// maxStatesPerInsn bounds the checkpoints remembered at one instruction.
const maxStatesPerInsn = 512

type verifier struct {
	prog    []isa.Instruction
	opts    Options
	info    *progtype.Info
	ctxSize int
	helpers *helpers.Set
	// maps are opts.Maps followed by the inner maps of map-in-map maps;
	// inner[i] is the index of Maps[i]'s inner map, or -1.
	maps  []*maps.Spec
	inner []int
	// constMaps marks the maps whose contents the program's proof
	// depends on (constant strings read at load time).
	constMaps []bool

	subprogs   []int
	subprogOf  []int
	stackDepth []int
	prune      []bool
	live       []uint16
	needed     []uint16
	// lastSource is the source line the log showed last.
	lastSource string

	explored  [][]*checkpoint
	pending   []*state
	cur       *state
	idGen     uint32
	idmap     idMap
	curStates int

	maxInsns int
	// priv: the privileged rules (Options.Privileged).
	priv bool
	// tailMaps is the program array each tail call site used.
	tailMaps map[int]int
	stats    Stats
	insnInfo []InsnInfo
	log      logger
}

// leaks reports whether r holds an address that the unprivileged rules
// keep from becoming data (a nil r holds none).
func (v *verifier) leaks(r *reg) bool {
	return !v.priv && r != nil && r.isPtr()
}

func newVerifier(p isa.Program, opts Options) (*verifier, error) {
	v := &verifier{prog: p.Insns, opts: opts, priv: opts.Privileged}
	v.log.init(opts.LogLevel)
	if opts.LogLevel >= 1 {
		mode := "unprivileged"
		if v.priv {
			mode = "privileged"
		}
		v.log.printf("verifier mode: %s\n", mode)
	}
	info, ok := progtype.Lookup(opts.Type)
	if !ok {
		return nil, v.errorf(-1, "unknown program type %v", opts.Type)
	}
	v.info = info
	v.ctxSize = info.CtxSize
	if opts.CtxSize != 0 {
		if !info.VarCtx {
			return nil, v.errorf(-1, "program type %v has a fixed context of %d bytes", opts.Type, info.CtxSize)
		}
		if opts.CtxSize < 0 || opts.CtxSize > 1<<20 {
			return nil, v.errorf(-1, "invalid context size %d", opts.CtxSize)
		}
		v.ctxSize = opts.CtxSize
	}
	v.helpers = opts.Helpers
	if v.helpers == nil {
		v.helpers = builtinSet
	}
	v.maxInsns = opts.MaxInsns
	if v.maxInsns <= 0 {
		v.maxInsns = MaxProcessedInsns
	}
	v.maps = append(v.maps, opts.Maps...)
	v.inner = make([]int, len(opts.Maps))
	for i, m := range opts.Maps {
		v.inner[i] = -1
		if m == nil {
			return nil, v.errorf(-1, "map %d is nil", i)
		}
		if (m.Type == maps.ArrayOfMaps || m.Type == maps.HashOfMaps) && m.InnerMap != nil {
			v.inner[i] = len(v.maps)
			v.maps = append(v.maps, m.InnerMap)
		}
	}
	if err := v.checkMapLoads(); err != nil {
		return nil, err
	}
	if err := v.checkCFG(); err != nil {
		return nil, err
	}
	v.computeLiveness()
	v.computePrecision()
	for pc := range v.prog {
		if v.isCallbackSite(pc) && (pc == 0 || !v.prog[pc-1].IsLdImm64()) {
			v.prune[pc] = true
		}
	}
	v.explored = make([][]*checkpoint, len(p.Insns))
	v.insnInfo = make([]InsnInfo, len(p.Insns))
	return v, nil
}

// builtinSet is the default helper set: every helper gbpf implements.
var builtinSet = helpers.Linux()

func (v *verifier) newID() uint32 {
	v.idGen++
	return v.idGen
}

// initState is the state at the first instruction: R1 the context (R2
// its length for Raw), R10 the frame pointer.
func (v *verifier) initState() *state {
	f := &frame{callsite: -1}
	r1 := &f.regs[1]
	if v.info.Type == progtype.Raw {
		r1.setPtr(ptrToMem)
		r1.aux = int32(v.ctxSize)
		r2 := &f.regs[2]
		r2.setUnknown()
		r2.umin = uint64(v.ctxSize)
		r2.umax = 1<<32 - 1
		r2.sync()
	} else {
		r1.setPtr(ptrToCtx)
	}
	f.regs[10].setPtr(ptrToStack)
	return &state{frames: []*frame{f}}
}

// run explores every path.
func (v *verifier) run() error {
	v.cur = v.initState()
	for {
		if v.cur == nil {
			if !v.popState() {
				return nil
			}
		}
		s := v.cur
		pc := s.insn
		v.stats.Processed++
		if v.stats.Processed > v.maxInsns {
			return v.errorf(pc, "BPF program is too large. Processed %d insn", v.stats.Processed)
		}
		v.insnInfo[pc].Seen = true
		if v.prune[pc] {
			pruned, err := v.isStateVisited(pc)
			if err != nil {
				return err
			}
			if pruned {
				v.stats.Pruned++
				if v.log.level >= 1 {
					v.log.printf("%d: safe\n", pc)
				}
				v.finishPath()
				continue
			}
		}
		if v.log.level >= 2 {
			v.log.printState(pc, s)
		}
		if v.log.level >= 1 {
			if v.opts.Source != nil {
				if line, ok := v.opts.Source(pc); ok && line != v.lastSource {
					v.log.printf("; %s\n", line)
					v.lastSource = line
				}
			}
			v.log.printInsn(v.prog, pc)
		}
		if err := v.step(pc); err != nil {
			return err
		}
	}
}

// step processes the instruction at pc on the current path.
func (v *verifier) step(pc int) error {
	ins := v.prog[pc]
	s := v.cur
	s.prevInsn = pc
	switch c := ins.Op.Class(); c {
	case isa.ClassALU, isa.ClassALU64:
		if err := v.checkALU(pc, ins); err != nil {
			return err
		}
		s.insn = pc + 1
	case isa.ClassLDX:
		if err := v.checkLoad(pc, ins); err != nil {
			return err
		}
		s.insn = pc + 1
	case isa.ClassST, isa.ClassSTX:
		var err error
		if ins.Op.Mode() == isa.ModeATOMIC {
			err = v.checkAtomic(pc, ins)
		} else {
			err = v.checkStore(pc, ins)
		}
		if err != nil {
			return err
		}
		s.insn = pc + 1
	case isa.ClassLD:
		if ins.IsLdImm64() {
			if err := v.checkLdImm64(pc, ins); err != nil {
				return err
			}
			s.insn = pc + 2
			return nil
		}
		if err := v.checkLdAbs(pc, ins); err != nil {
			return err
		}
		s.insn = pc + 1
	default:
		return v.checkJump(pc, ins)
	}
	return nil
}

// pushState queues a copy of the current state to continue at insn.
func (v *verifier) pushState(insn int) (*state, error) {
	n := v.cur.clone()
	n.insn = insn
	if n.parent != nil {
		n.parent.branches++
	}
	v.pending = append(v.pending, n)
	v.log.mark(len(v.pending) - 1)
	if len(v.pending) > MaxPendingBranches {
		return nil, v.errorf(v.cur.prevInsn, "The sequence of %d jumps is too complex.", len(v.pending))
	}
	return n, nil
}

func (v *verifier) popState() bool {
	if len(v.pending) == 0 {
		return false
	}
	n := len(v.pending) - 1
	v.cur = v.pending[n]
	v.pending[n] = nil
	v.pending = v.pending[:n]
	v.log.rewind(n)
	if v.log.level >= 1 {
		v.log.printf("from %d to %d:", v.cur.prevInsn, v.cur.insn)
		v.log.printRegs(v.cur)
	}
	return true
}

// finishPath ends the current path: its checkpoints lose a branch.
func (v *verifier) finishPath() {
	for cp := v.cur.parent; cp != nil; cp = cp.parent {
		cp.branches--
		if cp.branches > 0 {
			break
		}
	}
	v.cur = nil
}

// isStateVisited compares the current state with those remembered at pc:
// it prunes the path if a finished one covers it, reports an infinite loop
// if the path came back to pc in the same state, and remembers the state.
func (v *verifier) isStateVisited(pc int) (bool, error) {
	cur := v.cur
	cbSite := v.isCallbackSite(pc)
	var loopHead *checkpoint
	var hash uint64
	hashed := false
	list := v.explored[pc]
	inPath := 0
	for i := len(list) - 1; i >= 0; i-- {
		cp := list[i]
		if cp.branches > 0 && !cbSite {
			// On the current path: a loop. The same state again is an
			// infinite loop.
			if !hashed {
				hash, hashed = v.stateHash(cur), true
			}
			if cp.hash == hash && v.statesEqual(cp.st, cur, true) {
				return false, v.errorf(pc, "infinite loop detected at insn %d", pc)
			}
			continue
		}
		if cp.branches > 0 {
			// A helper calling a callback again: the helper bounds the
			// iterations, so a state covered by an earlier call is
			// safe (the kernel's rule for callback call sites). With
			// widening, the last few calls are enough to compare with.
			if loopHead == nil {
				loopHead = cp
			}
			if inPath++; inPath > 4 {
				continue
			}
			if v.statesEqual(cp.st, cur, false) {
				cp.hits++
				return true, nil
			}
			continue
		}
		if v.statesEqual(cp.st, cur, false) {
			cp.hits++
			return true, nil
		}
		// Forget states that keep failing to prune, as the kernel
		// does (miss_cnt > hit_cnt*3 + 3).
		if cp.miss++; cp.miss > cp.hits*3+3 {
			list = append(list[:i], list[i+1:]...)
			v.curStates--
		}
	}
	v.explored[pc] = list
	if loopHead != nil {
		// The helper calls the callback again and again: forget the
		// numbers that changed since the last call, so that the states
		// converge (widen_imprecise_scalars).
		widen(loopHead.st, cur)
	}
	if len(list) >= maxStatesPerInsn {
		// A bounded list (Linux stops adding states past 64 for
		// unprivileged loaders and keeps them all for root; gbpf keeps
		// the comparisons per instruction bounded in both modes). Forget
		// a finished checkpoint that never helped or, failing that, the
		// oldest one: paths are
		// explored depth first, so the states they meet again are the
		// recent ones. A forgotten checkpoint on the current path only
		// stops detecting that loop early; the instruction limit still
		// ends it.
		victim := 0
		for i, cp := range list {
			if cp.branches == 0 && cp.hits == 0 {
				victim = i
				break
			}
		}
		list = append(list[:victim], list[victim+1:]...)
		v.curStates--
	}
	if !hashed {
		hash = v.stateHash(cur)
	}
	cp := &checkpoint{st: cur.clone(), parent: cur.parent, branches: 1, insn: pc, hash: hash}
	cp.st.parent = nil
	cur.parent = cp
	list = append(list, cp)
	v.explored[pc] = list
	v.stats.TotalStates++
	v.curStates++
	v.stats.PeakStates = max(v.stats.PeakStates, v.curStates)
	v.stats.MaxStatesPerInsn = max(v.stats.MaxStatesPerInsn, len(list))
	return false, nil
}

func (v *verifier) isCallbackSite(pc int) bool {
	ins := v.prog[pc]
	if !ins.IsHelperCall() {
		return false
	}
	p, ok := v.helpers.Prototype(helpers.ID(ins.Imm))
	return ok && p.Callback != nil
}

// regRead checks that register r may be read.
func (v *verifier) regRead(pc int, r isa.Register) (*reg, error) {
	rg := &v.cur.cur().regs[r]
	if rg.typ == notInit {
		return nil, v.errorf(pc, "R%d !read_ok", r)
	}
	return rg, nil
}

func (v *verifier) recordMem(pc int, k MemKind) error {
	in := &v.insnInfo[pc]
	if in.Mem == MemNone {
		in.Mem = k
	} else if in.Mem != k {
		// Linux rewrites context accesses into the kernel's own
		// structures, so one instruction cannot touch the context on one
		// path and other memory on another.
		if in.Mem == MemCtx || k == MemCtx {
			return v.errorf(pc, "same insn cannot be used with different pointers")
		}
		in.Mem = MemMixed
	}
	return nil
}

// widen makes every scalar of cur that differs from old unknown.
func widen(old, cur *state) {
	if len(old.frames) != len(cur.frames) {
		return
	}
	w := func(o, c *reg) {
		if o.typ == scalarValue && c.typ == scalarValue && !rangeEqual(o, c) {
			c.setUnknown()
		}
	}
	for i, cf := range cur.frames {
		of := old.frames[i]
		for r := range cf.regs {
			w(&of.regs[r], &cf.regs[r])
		}
		for k := range cf.spills {
			if k < len(of.spills) && 8*k < len(of.stack) && 8*k < len(cf.stack) &&
				of.stack[8*k] == stackSpill && cf.stack[8*k] == stackSpill {
				w(&of.spills[k], &cf.spills[k])
			}
		}
	}
}
