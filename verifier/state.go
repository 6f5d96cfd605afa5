package verifier

// Stack byte kinds, as the kernel's STACK_* slot types.
const (
	stackInvalid uint8 = iota // never written
	stackSpill                // part of a spilled register
	stackMisc                 // some initialized bytes
	stackZero                 // known zero
)

const (
	maxStack      = 512
	maxCallFrames = 8
	numRegs       = 11
)

// frame is the state of one function invocation: registers and stack.
type frame struct {
	regs [numRegs]reg
	// stack holds one kind per byte; byte i is at fp-1-i. Its length is
	// the allocated depth, a multiple of 8.
	stack []uint8
	// spills holds the spilled register of each 8-byte slot; slot i
	// covers fp-8-8i .. fp-1-8i.
	spills []reg
	// callsite is the call instruction that made this frame (-1 for the
	// main program); subprog is the first instruction of the function.
	callsite int
	subprog  int
	// callback: the frame runs a callback of a helper, and returns to the
	// helper call instead of after it.
	callback bool
	// cbRetMin/cbRetMax bound the callback's return value.
	cbRetMin, cbRetMax int64
	frameno            int
}

func (f *frame) clone() *frame {
	n := *f
	n.stack = append([]uint8(nil), f.stack...)
	n.spills = append([]reg(nil), f.spills...)
	return &n
}

// grow makes the stack at least depth bytes deep.
func (f *frame) grow(depth int) {
	depth = (depth + 7) &^ 7
	for len(f.stack) < depth {
		f.stack = append(f.stack, stackInvalid)
	}
	for len(f.spills) < depth/8 {
		f.spills = append(f.spills, reg{})
	}
}

// byteAt returns the kind of the stack byte at offset off (negative).
func (f *frame) byteAt(off int) uint8 {
	i := -off - 1
	if i < 0 || i >= len(f.stack) {
		return stackInvalid
	}
	return f.stack[i]
}

// spilledPtr reports whether the stack byte at offset off is part of a
// spilled pointer.
func (f *frame) spilledPtr(off int) bool {
	return f.byteAt(off) == stackSpill && f.spills[(-off-1)/8].isPtr()
}

// hidden reports whether the stack byte at offset off may not be read as
// data unprivileged: it was never written, or it is part of a spilled
// pointer.
func (f *frame) hidden(off int) bool {
	return f.byteAt(off) == stackInvalid || f.spilledPtr(off)
}

// refState is a reference the program holds (acquired ring buffer memory).
type refState struct {
	id   uint32
	insn int
}

// state is the abstract state of one path: the call frames, the held
// references and the spin lock.
type state struct {
	frames []*frame
	refs   []refState
	// lock is the id of the map value whose spin lock is held, 0 if none.
	lock    uint32
	lockOff int32
	// parent is the checkpoint this state descends from.
	parent *checkpoint
	// insn is the instruction to process next; the logs of pending
	// states need where they came from.
	insn, prevInsn int
}

func (s *state) cur() *frame { return s.frames[len(s.frames)-1] }

func (s *state) clone() *state {
	n := &state{
		frames:   make([]*frame, len(s.frames)),
		refs:     append([]refState(nil), s.refs...),
		lock:     s.lock,
		lockOff:  s.lockOff,
		parent:   s.parent,
		insn:     s.insn,
		prevInsn: s.prevInsn,
	}
	for i, f := range s.frames {
		n.frames[i] = f.clone()
	}
	return n
}

// forEachReg calls fn for every register and spilled register of every
// frame.
func (s *state) forEachReg(fn func(r *reg)) {
	for _, f := range s.frames {
		for i := range f.regs {
			fn(&f.regs[i])
		}
		for i := range f.spills {
			if f.stack[8*i] == stackSpill {
				fn(&f.spills[i])
			}
		}
	}
}

// checkpoint is a state remembered at an instruction, to prune later
// paths that reach the instruction in a state it covers.
type checkpoint struct {
	st     *state
	parent *checkpoint
	// branches counts the paths from this checkpoint not yet explored to
	// their end; a checkpoint with none is complete and may prune.
	branches int
	insn     int
	hits     int
	miss     int
	// hash summarizes the state for the exact comparison of loop
	// detection: states with different hashes differ.
	hash uint64
}

// idMap checks that the ids of two states correspond one to one.
type idMap struct {
	old, cur []uint32
}

func (m *idMap) reset() { m.old, m.cur = m.old[:0], m.cur[:0] }

func (m *idMap) check(o, c uint32) bool {
	if o == 0 && c == 0 {
		return true
	}
	if o == 0 || c == 0 {
		return false
	}
	for i, x := range m.old {
		if x == o {
			return m.cur[i] == c
		}
	}
	for _, x := range m.cur {
		if x == c {
			return false
		}
	}
	m.old = append(m.old, o)
	m.cur = append(m.cur, c)
	return true
}

// rangeWithin reports whether cur's variable part lies in old's.
func rangeWithin(old, cur *reg) bool {
	return old.umin <= cur.umin && cur.umax <= old.umax &&
		old.smin <= cur.smin && cur.smax <= old.smax &&
		old.u32min <= cur.u32min && cur.u32max <= old.u32max &&
		old.s32min <= cur.s32min && cur.s32max <= old.s32max &&
		old.varOff.contains(cur.varOff)
}

func rangeEqual(a, b *reg) bool {
	return a.umin == b.umin && a.umax == b.umax && a.smin == b.smin && a.smax == b.smax &&
		a.u32min == b.u32min && a.u32max == b.u32max && a.s32min == b.s32min && a.s32max == b.s32max &&
		a.varOff == b.varOff
}

// regSafe reports whether every behaviour of the program from cur's value
// was already covered when it was explored from old's (exact: the values
// must be the same).
func regSafe(old, cur *reg, m *idMap, exact bool) bool {
	return regSafePrec(old, cur, m, exact, true)
}

// regSafePrec is regSafe; precise false means that the exact value of a
// scalar cannot matter from here on.
func regSafePrec(old, cur *reg, m *idMap, exact, precise bool) bool {
	if exact {
		if old.typ != cur.typ {
			return false
		}
	} else if old.typ == notInit {
		return true
	}
	if old.typ != cur.typ || old.flags != cur.flags {
		return false
	}
	switch old.typ {
	case notInit:
		return true
	case scalarValue:
		if exact {
			return rangeEqual(old, cur) && m.check(old.id, cur.id)
		}
		if !precise {
			return true
		}
		if !rangeWithin(old, cur) {
			return false
		}
		if old.id != 0 {
			return m.check(old.id, cur.id)
		}
		return true
	}
	if old.off != cur.off || old.aux != cur.aux || old.frame != cur.frame {
		return false
	}
	if exact {
		if !rangeEqual(old, cur) || old.rng != cur.rng {
			return false
		}
	} else {
		if !rangeWithin(old, cur) {
			return false
		}
		if old.isPkt() && old.rng > cur.rng {
			return false
		}
	}
	if !m.check(old.id, cur.id) {
		return false
	}
	return m.check(old.ref, cur.ref)
}

// stackSafe compares the stacks of two frames.
func stackSafe(old, cur *frame, m *idMap, exact bool) bool {
	n := len(old.stack)
	if exact && len(cur.stack) != n {
		return false
	}
	for i := 0; i < n; i++ {
		o := old.stack[i]
		var c uint8
		if i < len(cur.stack) {
			c = cur.stack[i]
		}
		if exact {
			if o != c {
				return false
			}
		} else {
			switch o {
			case stackInvalid:
				continue
			case stackMisc:
				if c == stackMisc || c == stackZero {
					continue
				}
				if c == stackSpill && cur.spills[i/8].typ == scalarValue {
					continue
				}
				return false
			case stackZero:
				if c != stackZero {
					return false
				}
				continue
			}
			if c != o {
				return false
			}
		}
		if o == stackSpill && i%8 == 0 {
			if !regSafe(&old.spills[i/8], &cur.spills[i/8], m, exact) {
				return false
			}
		}
	}
	return true
}

// statesEqual reports whether old covers cur. live gives the registers
// live in each frame (bit i for Ri).
func (v *verifier) statesEqual(old, cur *state, exact bool) bool {
	if len(old.frames) != len(cur.frames) || old.lock != 0 != (cur.lock != 0) || old.lockOff != cur.lockOff {
		return false
	}
	if len(old.refs) != len(cur.refs) {
		return false
	}
	m := &v.idmap
	m.reset()
	if old.lock != 0 && !m.check(old.lock, cur.lock) {
		return false
	}
	for i := range old.frames {
		of, cf := old.frames[i], cur.frames[i]
		if of.callsite != cf.callsite || of.callback != cf.callback {
			return false
		}
		live, need := v.liveMask(cur, i)
		for r := 0; r < numRegs; r++ {
			if r < 10 && live&(1<<r) == 0 {
				continue
			}
			if !regSafePrec(&of.regs[r], &cf.regs[r], m, exact, r == 10 || need&(1<<r) != 0) {
				return false
			}
		}
		if !stackSafe(of, cf, m, exact) {
			return false
		}
	}
	for i := range old.refs {
		if !m.check(old.refs[i].id, cur.refs[i].id) {
			return false
		}
	}
	return true
}

// liveMask returns the registers of frame i of s that may be read later,
// and those whose exact value may matter.
func (v *verifier) liveMask(s *state, i int) (live, need uint16) {
	if i == len(s.frames)-1 {
		return v.live[s.insn], v.needed[s.insn]
	}
	callee := s.frames[i+1]
	if callee.callback {
		return v.live[callee.callsite], v.needed[callee.callsite]
	}
	// After the call returns, R0-R5 are written before they are read.
	return v.live[callee.callsite+1] &^ 0x3f, v.needed[callee.callsite+1] &^ 0x3f
}

// stateHash hashes what statesEqual compares exactly (without ids), so
// that most in-path checkpoints are told apart without a full comparison.
func (v *verifier) stateHash(s *state) uint64 {
	h := uint64(14695981039346656037)
	mix := func(x uint64) {
		h ^= x
		h *= 1099511628211
	}
	hreg := func(r *reg) {
		mix(uint64(r.typ) | uint64(r.flags)<<8 | uint64(r.frame)<<16 | uint64(uint32(r.off))<<32)
		if r.typ == notInit {
			return
		}
		mix(r.varOff.v ^ r.varOff.m<<1)
		mix(r.umin ^ r.umax<<3 ^ uint64(r.smin)<<5 ^ uint64(r.smax)<<7)
		mix(uint64(r.u32min) | uint64(r.u32max)<<32)
		mix(uint64(uint32(r.aux)) | uint64(uint32(r.rng))<<32)
	}
	mix(uint64(len(s.frames)) | uint64(len(s.refs))<<8)
	for i, f := range s.frames {
		live, _ := v.liveMask(s, i)
		mix(uint64(f.callsite))
		for r := 0; r < numRegs; r++ {
			if r < 10 && live&(1<<r) == 0 {
				continue
			}
			hreg(&f.regs[r])
		}
		mix(uint64(len(f.stack)))
		for k := 0; k < len(f.stack); k += 8 {
			w := uint64(0)
			for j := 0; j < 8; j++ {
				w = w<<8 | uint64(f.stack[k+j])
			}
			mix(w)
			if f.stack[k] == stackSpill {
				hreg(&f.spills[k/8])
			}
		}
	}
	return h
}
