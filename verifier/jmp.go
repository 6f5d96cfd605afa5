package verifier

import (
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// checkJump handles the JMP and JMP32 classes: jumps, calls, exit.
func (v *verifier) checkJump(pc int, ins isa.Instruction) error {
	s := v.cur
	switch ins.Op.JumpOp() {
	case isa.Ja:
		s.insn = ins.JumpTarget(pc)
		return nil
	case isa.Exit:
		return v.checkExit(pc)
	case isa.Call:
		if ins.IsLocalCall() {
			return v.checkLocalCall(pc, ins)
		}
		return v.checkHelperCall(pc, ins)
	}
	return v.checkCond(pc, ins)
}

// checkLdImm64 handles the 64-bit immediate load and its pseudo sources.
func (v *verifier) checkLdImm64(pc int, ins isa.Instruction) error {
	dst := &v.cur.cur().regs[ins.Dst]
	switch ins.Src {
	case isa.PseudoImm:
		dst.setConst(isa.Program{Insns: v.prog}.Imm64(pc))
		return nil
	case isa.PseudoMapFD, isa.PseudoMapIdx, isa.PseudoMapValue, isa.PseudoMapIdxValue:
		idx, off, err := v.mapLoad(pc, ins)
		if err != nil {
			return err
		}
		if ins.Src == isa.PseudoMapFD || ins.Src == isa.PseudoMapIdx {
			dst.setPtr(constPtrToMap)
			dst.aux = int32(idx)
			return nil
		}
		dst.setPtr(ptrToMapValue)
		dst.aux = int32(idx)
		dst.off = int32(off)
		return nil
	case isa.PseudoFunc:
		dst.setPtr(ptrToFunc)
		dst.aux = int32(pc + int(ins.Imm) + 1)
		return nil
	}
	return v.errorf(pc, "unsupported ldimm64 pseudo source %d", ins.Src)
}

// mapLoad checks the map a 64-bit immediate load names and, for a direct
// value load, its offset; it returns the map's index and the offset.
func (v *verifier) mapLoad(pc int, ins isa.Instruction) (int, uint32, error) {
	idx := int(ins.Imm)
	if idx < 0 || idx >= len(v.opts.Maps) {
		return 0, 0, v.errorf(pc, "fd %d is not pointing to valid bpf_map", ins.Imm)
	}
	if ins.Src == isa.PseudoMapFD || ins.Src == isa.PseudoMapIdx {
		return idx, 0, nil
	}
	m := v.maps[idx]
	off := uint32(v.prog[pc+1].Imm)
	if m.Type != maps.Array || m.MaxEntries != 1 {
		return 0, 0, v.errorf(pc, "map %d of type %v does not support direct value access", idx, m.Type)
	}
	if off >= m.ValueSize {
		return 0, 0, v.errorf(pc, "invalid access to map value pointer, value_size=%d off=%d", m.ValueSize, off)
	}
	return idx, off, nil
}

// checkMapLoads checks every map load of the program, reachable or not,
// before the paths are explored, as Linux resolves them when it loads a
// program (resolve_pseudo_ldimm64).
func (v *verifier) checkMapLoads() error {
	for pc, ins := range v.prog {
		if !ins.IsLdImm64() || pc+1 >= len(v.prog) {
			continue
		}
		switch ins.Src {
		case isa.PseudoMapFD, isa.PseudoMapIdx, isa.PseudoMapValue, isa.PseudoMapIdxValue:
			if _, _, err := v.mapLoad(pc, ins); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLdAbs handles the legacy packet loads of socket filters.
func (v *verifier) checkLdAbs(pc int, ins isa.Instruction) error {
	switch v.info.Type {
	case progtype.SocketFilter, progtype.SchedCLS, progtype.SchedACT:
	default:
		return v.errorf(pc, "BPF_LD_[ABS|IND] instructions not allowed for this program type")
	}
	s := v.cur
	if len(s.refs) > 0 {
		return v.errorf(pc, "BPF_LD_[ABS|IND] cannot be mixed with socket references")
	}
	if s.lock != 0 {
		return v.errorf(pc, "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region")
	}
	if len(s.frames) > 1 {
		return v.errorf(pc, "BPF_LD_[ABS|IND] instructions cannot be used in subprograms")
	}
	r6, err := v.regRead(pc, isa.R6)
	if err != nil {
		return err
	}
	if r6.typ != ptrToCtx || r6.off != 0 || !r6.varOff.equals(0) {
		return v.errorf(pc, "at the time of BPF_LD_ABS|IND R6 != pointer to skb")
	}
	if ins.Op.Mode() == isa.ModeIND {
		src, err := v.regRead(pc, ins.Src)
		if err != nil {
			return err
		}
		if v.leaks(src) {
			return v.errorf(pc, "R%d leaks addr into packet offset", ins.Src)
		}
	}
	f := s.cur()
	for r := isa.R1; r <= isa.R5; r++ {
		f.regs[r].setNotInit()
	}
	loadResult(&f.regs[0], ins.Op.Size().Bytes())
	return nil
}

// checkExit handles exit: the end of the program, or a return to the
// caller.
func (v *verifier) checkExit(pc int) error {
	s := v.cur
	f := s.cur()
	r0 := &f.regs[0]
	if s.lock != 0 {
		return v.errorf(pc, "bpf_spin_unlock is missing")
	}
	if r0.typ == notInit {
		return v.errorf(pc, "R0 !read_ok")
	}
	if len(s.frames) > 1 {
		return v.returnFromCall(pc)
	}
	if r0.isPtr() {
		if !v.priv {
			return v.errorf(pc, "R0 leaks addr as return value")
		}
		if v.info.RetChecked {
			return v.errorf(pc, "At program exit the register R0 is not a known value (%s)", r0.typeString())
		}
	}
	if len(s.refs) > 0 {
		return v.errorf(pc, "Unreleased reference id=%d alloc_insn=%d", s.refs[0].id, s.refs[0].insn)
	}
	if v.info.RetChecked && (r0.smin < v.info.RetMin || r0.smax > v.info.RetMax) {
		return v.errorf(pc, "At program exit the register R0 has smin=%d smax=%d should have been in [%d, %d]",
			r0.smin, r0.smax, v.info.RetMin, v.info.RetMax)
	}
	v.finishPath()
	return nil
}

// checkCond handles a conditional jump: it decides the branch when the
// operands allow, else explores both with what each branch teaches.
func (v *verifier) checkCond(pc int, ins isa.Instruction) error {
	s := v.cur
	f := s.cur()
	op := ins.Op.JumpOp()
	is32 := ins.Op.Class() == isa.ClassJMP32
	dst, err := v.regRead(pc, ins.Dst)
	if err != nil {
		return err
	}
	var src reg
	srcReg := ins.Op.Source() == isa.SourceX
	if srcReg {
		r, err := v.regRead(pc, ins.Src)
		if err != nil {
			return err
		}
		src = *r
	} else if is32 {
		src.setConst(uint64(uint32(ins.Imm)))
	} else {
		src.setConst(uint64(int64(ins.Imm)))
	}
	target := ins.JumpTarget(pc)
	next := pc + 1

	if dst.isPtr() || src.isPtr() {
		return v.condPtr(pc, ins, dst, &src, op, is32, target, next)
	}
	taken := branchTaken(dst, &src, op, is32)
	switch taken {
	case 1:
		s.insn = target
		return nil
	case 0:
		s.insn = next
		return nil
	}
	other, err := v.pushState(target)
	if err != nil {
		return err
	}
	of := other.cur()
	// other takes the branch: the condition holds there.
	tDst := &of.regs[ins.Dst]
	tSrc := &src
	if srcReg {
		tSrc = &of.regs[ins.Src]
	}
	fDst := &f.regs[ins.Dst]
	fSrc := &reg{}
	*fSrc = src
	if srcReg {
		fSrc = &f.regs[ins.Src]
	}
	okT := refine(tDst, tSrc, op, is32, true)
	okF := refine(fDst, fSrc, op, is32, false)
	if okT {
		propagateLinked(other, tDst)
		if srcReg {
			propagateLinked(other, tSrc)
		}
	}
	if okF {
		propagateLinked(s, fDst)
		if srcReg {
			propagateLinked(s, fSrc)
		}
	}
	if !okT {
		v.dropPending()
	}
	if !okF {
		// Only the branch can be taken: continue there.
		if okT {
			v.cur = v.pending[len(v.pending)-1]
			v.pending = v.pending[:len(v.pending)-1]
			if v.cur.parent != nil {
				v.cur.parent.branches--
			}
			return nil
		}
		v.finishPath()
		return nil
	}
	s.insn = next
	return nil
}

// dropPending forgets the state pushed last (a branch that cannot be
// taken).
func (v *verifier) dropPending() {
	n := len(v.pending) - 1
	if p := v.pending[n].parent; p != nil {
		p.branches--
	}
	v.pending = v.pending[:n]
}

// propagateLinked copies the bounds of r to the registers linked to it.
func propagateLinked(s *state, r *reg) {
	if r.typ != scalarValue || r.id == 0 {
		return
	}
	src := *r
	s.forEachReg(func(x *reg) {
		if x.typ == scalarValue && x.id == src.id {
			*x = src
		}
	})
}

// condPtr handles comparisons involving pointers: null checks, packet
// range checks and otherwise opaque comparisons.
func (v *verifier) condPtr(pc int, ins isa.Instruction, dst, src *reg, op isa.JumpOp, is32 bool, target, next int) error {
	s := v.cur
	if !v.priv {
		if err := v.checkPtrCompare(pc, ins, dst, src, op, is32); err != nil {
			return err
		}
	}
	// Null checks: ptr == 0, ptr != 0.
	if !is32 && (op == isa.JEq || op == isa.JNE) && dst.isPtr() && src.isNull() {
		if dst.maybeNull() {
			id := dst.id
			other, err := v.pushState(target)
			if err != nil {
				return err
			}
			// JEQ: the branch is the null case.
			v.markPtrOrNull(other, id, op == isa.JEq)
			v.markPtrOrNull(s, id, op != isa.JEq)
			s.insn = next
			return nil
		}
		// A pointer Linux knows cannot be null decides the branch; for
		// the others (context, stack, packet) it explores both.
		if notNull(dst) {
			if op == isa.JEq {
				s.insn = next
			} else {
				s.insn = target
			}
			return nil
		}
	}
	if !is32 && dst.isPtr() && src.isPtr() && ins.Op.Source() == isa.SourceX {
		other, err := v.pushState(target)
		if err != nil {
			return err
		}
		v.pktCompare(other, ins, op, true)
		v.pktCompare(s, ins, op, false)
		s.insn = next
		return nil
	}
	if _, err := v.pushState(target); err != nil {
		return err
	}
	s.insn = next
	return nil
}

// checkPtrCompare applies the unprivileged rules to a comparison with a
// pointer operand: only null checks, comparisons of packet pointers with
// the packet end (or of pkt_meta with the packet start), and comparisons
// with 0 of pointers that cannot be null (decided by the verifier) leak
// nothing of an address.
func (v *verifier) checkPtrCompare(pc int, ins isa.Instruction, dst, src *reg, op isa.JumpOp, is32 bool) error {
	srcReg := ins.Op.Source() == isa.SourceX
	if srcReg && src.isPtr() && !(pktFamily(dst.typ) && pktFamily(src.typ)) {
		return v.errorf(pc, "R%d pointer comparison prohibited", ins.Src)
	}
	eq := op == isa.JEq || op == isa.JNE
	switch {
	case !dst.isPtr():
	case !is32 && eq && src.isNull() && (dst.maybeNull() || notNull(dst)):
	case !is32 && srcReg && pktRangeCheck(dst, src, op):
	default:
		return v.errorf(pc, "R%d pointer comparison prohibited", ins.Dst)
	}
	return nil
}

// notNull reports whether r is a pointer Linux knows is not null, which
// it compares with 0 without leaking (reg_not_null).
func notNull(r *reg) bool {
	if r.maybeNull() {
		return false
	}
	switch r.typ {
	case constPtrToMap, ptrToMapValue, ptrToMapKey, ptrToMem:
		return true
	}
	return false
}

// pktRangeCheck reports whether "a op b" compares a packet pointer with
// the packet end, or pkt_meta with the packet start, in the way that
// teaches a packet range (try_match_pkt_pointers).
func pktRangeCheck(a, b *reg, op isa.JumpOp) bool {
	switch op {
	case isa.JGT, isa.JGE, isa.JLT, isa.JLE:
	default:
		return false
	}
	return a.typ == ptrToPacket && b.typ == ptrToPacketEnd || a.typ == ptrToPacketEnd && b.typ == ptrToPacket ||
		a.typ == ptrToPacketMeta && pktStart(b) || pktStart(a) && b.typ == ptrToPacketMeta
}

// pktStart reports whether r is the packet pointer as the context holds
// it, with no offset.
func pktStart(r *reg) bool {
	return r.typ == ptrToPacket && r.off == 0 && r.varOff.equals(0)
}

// pktCompare learns packet ranges from a comparison of a packet pointer
// with the packet end (or of pkt_meta with pkt); holds tells whether the
// condition is true on this path.
func (v *verifier) pktCompare(s *state, ins isa.Instruction, op isa.JumpOp, holds bool) {
	f := s.cur()
	a, b := &f.regs[ins.Dst], &f.regs[ins.Src]
	if !holds {
		op = negate(op)
	}
	// Normalise to "ptr OP end".
	ptr, end := a, b
	switch {
	case a.typ == ptrToPacket && b.typ == ptrToPacketEnd, a.typ == ptrToPacketMeta && pktStart(b):
	case b.typ == ptrToPacket && a.typ == ptrToPacketEnd, b.typ == ptrToPacketMeta && pktStart(a):
		ptr, end = b, a
		op = swapOp(op)
	default:
		return
	}
	_ = end
	// ptr < end or ptr <= end makes [base, ptr) safe.
	if op != isa.JLT && op != isa.JLE {
		return
	}
	if ptr.off < 0 || ptr.umax > 0xffff || int64(ptr.off)+int64(ptr.umax) > 0xffff {
		return
	}
	rng := ptr.off
	if op == isa.JLT {
		rng++ // ptr < end: the byte at ptr is in the packet too
	}
	typ, id := ptr.typ, ptr.id
	s.forEachReg(func(x *reg) {
		if x.typ == typ && x.id == id && x.rng < rng {
			x.rng = rng
		}
	})
}

// markPtrOrNull resolves the maybe-null pointers with the given id.
func (v *verifier) markPtrOrNull(s *state, id uint32, isNull bool) {
	var ref uint32
	s.forEachReg(func(x *reg) {
		if x.id != id || !x.maybeNull() {
			return
		}
		if isNull {
			if x.ref != 0 {
				ref = x.ref
			}
			x.setConst(0)
			return
		}
		x.flags &^= flagMaybeNull
	})
	if isNull && ref != 0 {
		releaseRef(s, ref)
	}
}

func releaseRef(s *state, ref uint32) bool {
	for i, r := range s.refs {
		if r.id == ref {
			s.refs = append(s.refs[:i], s.refs[i+1:]...)
			s.forEachReg(func(x *reg) {
				if x.ref == ref {
					x.setUnknown()
				}
			})
			return true
		}
	}
	return false
}

func negate(op isa.JumpOp) isa.JumpOp {
	switch op {
	case isa.JEq:
		return isa.JNE
	case isa.JNE:
		return isa.JEq
	case isa.JGT:
		return isa.JLE
	case isa.JLE:
		return isa.JGT
	case isa.JGE:
		return isa.JLT
	case isa.JLT:
		return isa.JGE
	case isa.JSGT:
		return isa.JSLE
	case isa.JSLE:
		return isa.JSGT
	case isa.JSGE:
		return isa.JSLT
	case isa.JSLT:
		return isa.JSGE
	}
	return op
}

// swapOp returns the operation with the operands exchanged.
func swapOp(op isa.JumpOp) isa.JumpOp {
	switch op {
	case isa.JGT:
		return isa.JLT
	case isa.JLT:
		return isa.JGT
	case isa.JGE:
		return isa.JLE
	case isa.JLE:
		return isa.JGE
	case isa.JSGT:
		return isa.JSLT
	case isa.JSLT:
		return isa.JSGT
	case isa.JSGE:
		return isa.JSLE
	case isa.JSLE:
		return isa.JSGE
	}
	return op
}

// view is the part of a register a comparison looks at.
type view struct {
	umin, umax uint64
	smin, smax int64
	t          tnum
}

func viewOf(r *reg, is32 bool) view {
	if is32 {
		return view{uint64(r.u32min), uint64(r.u32max), int64(r.s32min), int64(r.s32max), r.varOff.subreg()}
	}
	return view{r.umin, r.umax, r.smin, r.smax, r.varOff}
}

// branchTaken returns 1 if the condition always holds, 0 if never, -1 if
// it depends.
func branchTaken(a, b *reg, op isa.JumpOp, is32 bool) int {
	x, y := viewOf(a, is32), viewOf(b, is32)
	if isLess(op) {
		// x < y is y > x.
		x, y, op = y, x, swapOp(op)
	}
	switch op {
	case isa.JEq, isa.JNE:
		res := -1
		if x.t.isConst() && y.t.isConst() {
			res = b2i(x.t.v == y.t.v)
		} else if x.umin > y.umax || x.umax < y.umin || x.smin > y.smax || x.smax < y.smin ||
			(x.t.v^y.t.v)&^(x.t.m|y.t.m) != 0 {
			res = 0
		}
		if op == isa.JNE && res >= 0 {
			res = 1 - res
		}
		return res
	case isa.JSet:
		if x.t.v&y.t.v != 0 {
			return 1
		}
		if x.t.max()&y.t.max() == 0 {
			return 0
		}
	case isa.JGT, isa.JGE:
		return greaterTaken(x.umin, x.umax, y.umin, y.umax, op == isa.JGE)
	case isa.JSGT, isa.JSGE:
		return greaterTaken(x.smin, x.smax, y.smin, y.smax, op == isa.JSGE)
	}
	return -1
}

// greaterTaken decides x > y, or x >= y when orEqual, for x in [xmin,
// xmax] and y in [ymin, ymax]: 1 if it always holds, 0 if never, -1 if it
// depends.
func greaterTaken[T uint64 | int64](xmin, xmax, ymin, ymax T, orEqual bool) int {
	if orEqual {
		switch {
		case xmin >= ymax:
			return 1
		case xmax < ymin:
			return 0
		}
		return -1
	}
	switch {
	case xmin > ymax:
		return 1
	case xmax <= ymin:
		return 0
	}
	return -1
}

// narrowGreater narrows a's lower bound and b's upper bound with a > b (a
// >= b when orEqual). It reports false if a > b cannot hold: b's lower
// bound is the type's largest value or a's upper bound its smallest.
func narrowGreater[T uint32 | uint64 | int32 | int64](amin *T, amax, bmin T, bmax *T, orEqual bool) bool {
	lo, hi := bmin, amax // a >= lo, b <= hi
	if !orEqual {
		lo, hi = bmin+1, amax-1
		if lo < bmin || hi > amax {
			return false // wrapped around
		}
	}
	*amin = max(*amin, lo)
	*bmax = min(*bmax, hi)
	return true
}

// dropEnd moves an end of [*lo, *hi] that equals c, a value known not to
// be in the range, one step inwards.
func dropEnd[T uint32 | uint64 | int32 | int64](lo, hi *T, c T) {
	if *lo == c {
		*lo++
	}
	if *hi == c {
		*hi--
	}
}

// isLess reports whether op is one of the less-than comparisons, the
// mirror images of the greater-than ones.
func isLess(op isa.JumpOp) bool {
	switch op {
	case isa.JLT, isa.JLE, isa.JSLT, isa.JSLE:
		return true
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// refine narrows a and b with "a op b" (holds) or its negation. It reports
// false if the result is impossible.
func refine(a, b *reg, op isa.JumpOp, is32 bool, holds bool) bool {
	if op == isa.JSet {
		if b.varOff.isConst() || (is32 && b.varOff.subreg().isConst()) {
			c := b.varOff.v
			if is32 {
				c = uint64(uint32(c))
			}
			if !holds {
				a.varOff = tnum{a.varOff.v &^ c, a.varOff.m &^ c}
			} else if c != 0 && c&(c-1) == 0 {
				a.varOff = tnum{a.varOff.v | c, a.varOff.m &^ c}
			}
			a.sync()
		}
		return a.valid()
	}
	if !holds {
		op = negate(op)
	}
	if isLess(op) {
		// a < b is b > a.
		a, b, op = b, a, swapOp(op)
	}
	if is32 {
		return refine32(a, b, op)
	}
	switch op {
	case isa.JEq:
		umin, umax := max(a.umin, b.umin), min(a.umax, b.umax)
		smin, smax := max(a.smin, b.smin), min(a.smax, b.smax)
		t := a.varOff.intersect(b.varOff)
		for _, r := range []*reg{a, b} {
			r.umin, r.umax, r.smin, r.smax = umin, umax, smin, smax
			r.varOff = t
		}
	case isa.JNE:
		neq := func(r *reg, c uint64) {
			if r.umin == r.umax || r.smin == r.smax {
				return
			}
			dropEnd(&r.umin, &r.umax, c)
			dropEnd(&r.smin, &r.smax, int64(c))
		}
		if b.varOff.isConst() && !a.varOff.isConst() {
			neq(a, b.varOff.v)
		} else if a.varOff.isConst() && !b.varOff.isConst() {
			neq(b, a.varOff.v)
		} else if a.varOff.isConst() && b.varOff.isConst() && a.varOff.v == b.varOff.v {
			return false
		}
	case isa.JGT, isa.JGE:
		if !narrowGreater(&a.umin, a.umax, b.umin, &b.umax, op == isa.JGE) {
			return false
		}
	case isa.JSGT, isa.JSGE:
		if !narrowGreater(&a.smin, a.smax, b.smin, &b.smax, op == isa.JSGE) {
			return false
		}
	}
	return syncBoth(a, b)
}

func syncBoth(a, b *reg) bool {
	if !a.valid() || !b.valid() {
		return false
	}
	a.sync()
	b.sync()
	return a.valid() && b.valid()
}

// refine32 narrows the low 32 bits; op is never a less-than comparison.
func refine32(a, b *reg, op isa.JumpOp) bool {
	switch op {
	case isa.JEq:
		umin, umax := max(a.u32min, b.u32min), min(a.u32max, b.u32max)
		smin, smax := max(a.s32min, b.s32min), min(a.s32max, b.s32max)
		t := a.varOff.subreg().intersect(b.varOff.subreg())
		for _, r := range []*reg{a, b} {
			r.u32min, r.u32max, r.s32min, r.s32max = umin, umax, smin, smax
			r.varOff = r.varOff.withSubreg(t)
		}
	case isa.JNE:
		bc, ac := b.varOff.subreg(), a.varOff.subreg()
		neq := func(r *reg, c uint32) {
			if r.u32min == r.u32max || r.s32min == r.s32max {
				return
			}
			dropEnd(&r.u32min, &r.u32max, c)
			dropEnd(&r.s32min, &r.s32max, int32(c))
		}
		if bc.isConst() && !ac.isConst() {
			neq(a, uint32(bc.v))
		} else if ac.isConst() && !bc.isConst() {
			neq(b, uint32(ac.v))
		} else if ac.isConst() && bc.isConst() && ac.v == bc.v {
			return false
		}
	case isa.JGT, isa.JGE:
		if !narrowGreater(&a.u32min, a.u32max, b.u32min, &b.u32max, op == isa.JGE) {
			return false
		}
	case isa.JSGT, isa.JSGE:
		if !narrowGreater(&a.s32min, a.s32max, b.s32min, &b.s32max, op == isa.JSGE) {
			return false
		}
	}
	return syncBoth(a, b)
}
