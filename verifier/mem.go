package verifier

import (
	"math"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

type accessKind uint8

const (
	accRead accessKind = iota
	accWrite
)

// checkLoad checks an LDX instruction.
func (v *verifier) checkLoad(pc int, ins isa.Instruction) error {
	base, err := v.regRead(pc, ins.Src)
	if err != nil {
		return err
	}
	size := ins.Op.Size().Bytes()
	var out reg
	if err := v.checkMemAccess(pc, ins.Src, base, int(ins.Off), size, accRead, nil, &out, false); err != nil {
		return err
	}
	if ins.Op.Mode() == isa.ModeMEMSX && out.typ == scalarValue {
		sx := out
		movsx(&out, &sx, size, true)
	}
	v.cur.cur().regs[ins.Dst] = out
	return nil
}

// checkStore checks an ST or STX instruction.
func (v *verifier) checkStore(pc int, ins isa.Instruction) error {
	base, err := v.regRead(pc, ins.Dst)
	if err != nil {
		return err
	}
	var val reg
	if ins.Op.Class() == isa.ClassSTX {
		r, err := v.regRead(pc, ins.Src)
		if err != nil {
			return err
		}
		val = *r
	} else {
		val.setConst(uint64(int64(ins.Imm)))
	}
	size := ins.Op.Size().Bytes()
	return v.checkMemAccess(pc, ins.Dst, base, int(ins.Off), size, accWrite, &val, nil, false)
}

// checkAtomic checks an atomic read-modify-write.
func (v *verifier) checkAtomic(pc int, ins isa.Instruction) error {
	op := isa.AtomicOp(ins.Imm)
	size := ins.Op.Size().Bytes()
	base, err := v.regRead(pc, ins.Dst)
	if err != nil {
		return err
	}
	src, err := v.regRead(pc, ins.Src)
	if err != nil {
		return err
	}
	if v.leaks(src) {
		return v.errorf(pc, "R%d leaks addr into mem", ins.Src)
	}
	if op == isa.AtomicCmpXchg {
		r0, err := v.regRead(pc, isa.R0)
		if err != nil {
			return err
		}
		if v.leaks(r0) {
			return v.errorf(pc, "R0 leaks addr into mem")
		}
	}
	switch base.typ {
	case ptrToStack, ptrToMapValue, ptrToMem:
		if !base.maybeNull() {
			break
		}
		fallthrough
	default:
		if base.typ == scalarValue || base.maybeNull() {
			return v.errorf(pc, "R%d invalid mem access '%s'", ins.Dst, base.typeString())
		}
		return v.errorf(pc, "BPF_ATOMIC stores into R%d %s is not allowed", ins.Dst, base.typeString())
	}
	var old reg
	if err := v.checkMemAccess(pc, ins.Dst, base, int(ins.Off), size, accRead, nil, &old, true); err != nil {
		return err
	}
	if v.leaks(&old) {
		// The operation reads a spilled pointer as a number.
		return v.errorf(pc, "leaking pointer from stack off %d", int64(base.off)+int64(ins.Off)+int64(base.varOff.v))
	}
	var unk reg
	unk.setUnknown()
	if err := v.checkMemAccess(pc, ins.Dst, base, int(ins.Off), size, accWrite, &unk, nil, true); err != nil {
		return err
	}
	if op&isa.AtomicFetch != 0 && op != isa.AtomicCmpXchg && ins.Src == isa.R10 {
		return v.errorf(pc, "frame pointer is read only")
	}
	if op&isa.AtomicFetch != 0 {
		// The fetched value is what a load from the same place gives, as
		// Linux checks it: a spilled register is filled (a pointer, where
		// privileged code may read one), anything else is a number of the
		// access's width.
		dst := ins.Src
		if op == isa.AtomicCmpXchg {
			dst = isa.R0
		}
		v.cur.cur().regs[dst] = old
	}
	return nil
}

// loadResult sets out to what a load of size bytes of unknown memory gives.
func loadResult(out *reg, size int) {
	out.setUnknown()
	if size < 8 {
		out.umax = uint64(1)<<(8*size) - 1
		out.sync()
	}
}

// checkMemAccess checks an access of size bytes at base+off (the insn
// offset) through register regno. For writes val is the stored value; for
// reads out receives the loaded value. atomic asks for natural alignment.
func (v *verifier) checkMemAccess(pc int, regno isa.Register, base *reg, off, size int, kind accessKind, val *reg, out *reg, atomic bool) error {
	if base.maybeNull() || !base.isPtr() {
		return v.errorf(pc, "R%d invalid mem access '%s'", regno, base.typeString())
	}
	if atomic || base.typ == ptrToStack {
		if err := v.checkAlign(pc, regno, base, off, size); err != nil {
			return err
		}
	}
	switch base.typ {
	case ptrToCtx:
		if err := v.recordMem(pc, MemCtx); err != nil {
			return err
		}
		return v.checkCtxAccess(pc, regno, base, off, size, kind, val, out)
	case ptrToStack:
		if err := v.recordMem(pc, MemStack); err != nil {
			return err
		}
		return v.checkStackAccess(pc, regno, base, off, size, kind, val, out)
	case ptrToMapValue, ptrToMapKey:
		if err := v.recordMem(pc, MemMapValue); err != nil {
			return err
		}
		m := v.maps[base.aux]
		limit := int64(m.ValueSize)
		what := "map value"
		if base.typ == ptrToMapKey {
			limit = int64(m.KeySize)
			what = "map key"
			if kind == accWrite {
				return v.errorf(pc, "write to map key forbidden")
			}
		}
		// Linux checks the map's access flags before the range.
		if base.typ == ptrToMapValue {
			if kind == accWrite && m.Flags&maps.ReadOnlyProg != 0 {
				return v.errorf(pc, "write into map forbidden, value_size=%d off=%d size=%d", m.ValueSize, int(base.off)+off, size)
			}
			if kind == accRead && m.Flags&maps.WriteOnlyProg != 0 {
				return v.errorf(pc, "read from map forbidden, value_size=%d off=%d size=%d", m.ValueSize, int(base.off)+off, size)
			}
		}
		if err := v.checkRange(pc, regno, base, off, size, limit, what); err != nil {
			return err
		}
		if kind == accWrite {
			if v.leaks(val) {
				return v.errorf(pc, "R%d leaks addr into map", v.valReg(pc))
			}
		}
		if base.typ == ptrToMapValue && m.SpinLockOffset >= 0 && (m.Type == maps.Hash || m.Type == maps.Array) {
			lo := int64(base.off) + int64(off) + base.smin
			hi := int64(base.off) + int64(off) + int64(base.umax) + int64(size)
			if lo < int64(m.SpinLockOffset)+4 && hi > int64(m.SpinLockOffset) {
				return v.errorf(pc, "bpf_spin_lock cannot be accessed directly by load/store")
			}
		}
		if out != nil {
			loadResult(out, size)
		}
		return nil
	case ptrToMem:
		if err := v.recordMem(pc, MemMem); err != nil {
			return err
		}
		if err := v.checkRange(pc, regno, base, off, size, int64(base.aux), "memory"); err != nil {
			return err
		}
		if kind == accWrite {
			if base.flags&flagRdonly != 0 || (base.flags&flagRingbuf == 0 && !v.info.CtxWritable) {
				return v.errorf(pc, "R%d cannot write into %s", regno, base.typeString())
			}
			if v.leaks(val) {
				return v.errorf(pc, "R%d leaks addr into mem", v.valReg(pc))
			}
		}
		if out != nil {
			loadResult(out, size)
		}
		return nil
	case ptrToPacket, ptrToPacketMeta:
		if err := v.recordMem(pc, MemPacket); err != nil {
			return err
		}
		if !v.pktAccessOK() {
			return v.errorf(pc, "cannot access packet data in this program type")
		}
		if err := v.checkPacketAccess(pc, regno, base, off, size); err != nil {
			return err
		}
		if kind == accWrite && v.leaks(val) {
			return v.errorf(pc, "R%d leaks addr into packet", v.valReg(pc))
		}
		if out != nil {
			loadResult(out, size)
		}
		return nil
	}
	return v.errorf(pc, "R%d invalid mem access '%s'", regno, base.typeString())
}

// valReg is the register a store at pc writes.
func (v *verifier) valReg(pc int) isa.Register { return v.prog[pc].Src }

func (v *verifier) pktAccessOK() bool {
	switch v.info.Type {
	case progtype.XDP, progtype.SchedCLS, progtype.SchedACT:
		return true
	}
	return false
}

// checkRange checks base+off .. +size against [0, limit) for memory with a
// known size (map values, ring buffer memory).
func (v *verifier) checkRange(pc int, regno isa.Register, base *reg, off, size int, limit int64, what string) error {
	fixed := int64(base.off) + int64(off)
	if base.varOff.isConst() {
		o := fixed + int64(base.varOff.v)
		if o < 0 || o+int64(size) > limit {
			if what == "map value" {
				return v.errorf(pc, "invalid access to map value, value_size=%d off=%d size=%d", limit, o, size)
			}
			return v.errorf(pc, "invalid access to %s, mem_size=%d off=%d size=%d", what, limit, o, size)
		}
		return nil
	}
	if base.smin < 0 {
		return v.errorf(pc, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno)
	}
	if fixed+base.smin < 0 {
		return v.errorf(pc, "R%d min value is outside of the allowed memory range", regno)
	}
	if base.umax >= maxVarOff {
		return v.errorf(pc, "R%d unbounded memory access, make sure to bounds check any such access", regno)
	}
	if fixed+int64(base.umax)+int64(size) > limit {
		return v.errorf(pc, "R%d max value is outside of the allowed memory range", regno)
	}
	return nil
}

func (v *verifier) checkPacketAccess(pc int, regno isa.Register, base *reg, off, size int) error {
	if base.smin < 0 {
		return v.errorf(pc, "R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno)
	}
	o := int64(base.off) + int64(off)
	if o < 0 || o+int64(size) > int64(base.rng) {
		err := v.errorf(pc, "invalid access to packet, off=%d size=%d, R%d(id=%d,off=%d,r=%d)", o, size, regno, base.id, base.off, base.rng)
		v.log.printf("R%d offset is outside of the packet\n", regno)
		return err
	}
	return nil
}

// checkAlign checks natural alignment of base+off for size bytes; its
// message names the kind of memory as the kernel's does.
func (v *verifier) checkAlign(pc int, regno isa.Register, base *reg, off, size int) error {
	if size == 1 {
		return nil
	}
	mask := uint64(size - 1)
	o := int64(base.off) + int64(off)
	if uint64(o)&mask == 0 && base.varOff.v&mask == 0 && base.varOff.m&mask == 0 {
		return nil
	}
	desc := ""
	switch base.typ {
	case ptrToStack:
		desc = "stack "
	case ptrToMapValue:
		desc = "value "
	case ptrToMapKey:
		desc = "key "
	case ptrToCtx:
		desc = "context "
	}
	return v.errorf(pc, "misaligned %saccess off %s+%d+%d size %d", desc, base.varOff.String(), base.off, off, size)
}

// checkCtxAccess checks a context field access (check_ctx_access).
func (v *verifier) checkCtxAccess(pc int, regno isa.Register, base *reg, off, size int, kind accessKind, val *reg, out *reg) error {
	if !base.varOff.isConst() {
		return v.errorf(pc, "variable ctx access var_off=%s off=%d size=%d", base.varOff.String(), off, size)
	}
	if base.off != 0 || base.varOff.v != 0 {
		return v.errorf(pc, "dereference of modified ctx ptr R%d off=%d disallowed", regno, int64(base.off)+int64(base.varOff.v))
	}
	in := v.info
	bad := func() error {
		return v.errorf(pc, "invalid bpf_context access off=%d size=%d", off, size)
	}
	if off < 0 || off%size != 0 {
		return bad()
	}
	if in.VarCtx {
		if off+size > v.ctxSize {
			return bad()
		}
		if kind == accWrite {
			if !in.CtxWritable {
				return bad()
			}
			if v.leaks(val) {
				return v.errorf(pc, "R%d leaks addr into ctx", v.valReg(pc))
			}
		}
		if out != nil {
			loadResult(out, size)
		}
		return nil
	}
	fld, ok := in.Field(off, size)
	if !ok {
		return bad()
	}
	if size != fld.Size && (!fld.Narrow || size > fld.Size) {
		return bad()
	}
	if kind == accWrite {
		if !fld.Write || size != fld.Size {
			return bad()
		}
		if v.leaks(val) {
			return v.errorf(pc, "R%d leaks addr into ctx", v.valReg(pc))
		}
		return nil
	}
	if !fld.Read {
		return bad()
	}
	switch fld.Kind {
	case progtype.PacketData:
		out.setPtr(ptrToPacket)
	case progtype.PacketMeta:
		out.setPtr(ptrToPacketMeta)
	case progtype.PacketEnd:
		out.setPtr(ptrToPacketEnd)
	default:
		loadResult(out, size)
	}
	return nil
}

// checkStackAccess checks a direct load or store on the stack.
func (v *verifier) checkStackAccess(pc int, regno isa.Register, base *reg, off, size int, kind accessKind, val *reg, out *reg) error {
	if int(base.frame) >= len(v.cur.frames) {
		return v.errorf(pc, "R%d points to the stack of a returned function", regno)
	}
	fr := v.cur.frames[base.frame]
	lo := int64(base.off) + int64(off) + base.smin
	hi := int64(base.off) + int64(off) + base.smax + int64(size)
	if base.varOff.isConst() {
		lo = int64(base.off) + int64(off) + int64(base.varOff.v)
		hi = lo + int64(size)
	}
	if lo < -maxStack || hi > 0 || base.smin == math.MinInt64 {
		dir := " read from"
		if kind == accWrite {
			dir = " write to"
		}
		if base.varOff.isConst() {
			return v.errorf(pc, "invalid%s stack R%d off=%d size=%d", dir, regno, lo, size)
		}
		return v.errorf(pc, "invalid variable-offset%s stack R%d var_off=%s off=%d size=%d", dir, regno, base.varOff.String(), int64(base.off)+int64(off), size)
	}
	if kind == accRead && !v.priv && base.varOff.isConst() && lo < -int64(len(fr.stack)) {
		// Below every byte written so far (check_stack_slot_within_bounds).
		return v.errorf(pc, "invalid read from stack R%d off=%d size=%d", regno, int64(base.off)+int64(off), size)
	}
	if kind == accWrite || v.priv {
		// Root may read bytes never written (allow_uninit_stack): the
		// frame must hold them.
		v.growStack(fr, int(-lo))
	}
	if kind == accWrite {
		if !base.varOff.isConst() {
			for o := lo; o < hi; o++ {
				scrubSlot(fr, int(o))
				fr.stack[-o-1] = stackMisc
			}
			return nil
		}
		return v.stackWrite(pc, fr, int(lo), size, val)
	}
	if !base.varOff.isConst() {
		for o := lo; o < hi && !v.priv; o++ {
			if fr.hidden(int(o)) {
				return v.errorf(pc, "invalid variable-offset read from stack R%d var_off=%s+%d size %d", regno, base.varOff.String(), int64(base.off)+int64(off), size)
			}
		}
		loadResult(out, size)
		return nil
	}
	return v.stackRead(pc, fr, int(lo), size, out)
}

func (v *verifier) growStack(fr *frame, depth int) {
	fr.grow(depth)
	sp := v.subprogOf[fr.subprog]
	if d := len(fr.stack); d > v.stackDepth[sp] {
		v.stackDepth[sp] = d
	}
}

// scrubSlot turns the spilled register covering stack offset off, if any,
// into plain initialized bytes.
func scrubSlot(fr *frame, off int) {
	i := -off - 1
	if i < 0 || i >= len(fr.stack) || fr.stack[i] != stackSpill {
		return
	}
	spi := i / 8
	sp := &fr.spills[spi]
	kind := stackMisc
	if sp.isNull() {
		kind = stackZero
	}
	for j := 0; j < 8; j++ {
		fr.stack[spi*8+j] = kind
	}
	*sp = reg{}
}

// stackWrite stores size bytes of val at fixed stack offset off.
func (v *verifier) stackWrite(pc int, fr *frame, off, size int, val *reg) error {
	// Linux refuses to store any stack pointer into another frame's stack
	// (a callee writing through a pointer to its caller's stack), whichever
	// frame the stored pointer points to.
	if val != nil && val.typ == ptrToStack && fr != v.cur.cur() {
		return v.errorf(pc, "cannot spill pointers to stack into stack frame of the caller")
	}
	if size != 8 {
		if val != nil && val.isPtr() {
			return v.errorf(pc, "invalid size of register spill")
		}
		if err := v.checkSpillOverwrite(pc, fr, off); err != nil {
			return err
		}
	}
	if size == 8 && off%8 == 0 && val != nil {
		spi := (-off - 1) / 8
		for j := 0; j < 8; j++ {
			fr.stack[spi*8+j] = stackSpill
		}
		fr.spills[spi] = *val
		return nil
	}
	for o := off; o < off+size; o++ {
		scrubSlot(fr, o)
	}
	kind := stackMisc
	if val != nil && val.isNull() {
		kind = stackZero
	}
	for o := off; o < off+size; o++ {
		fr.stack[-o-1] = kind
	}
	return nil
}

// checkSpillOverwrite applies the unprivileged rule that a write of less
// than a slot may not overwrite part of a spilled pointer, which would let
// the rest of it be read as a number.
func (v *verifier) checkSpillOverwrite(pc int, fr *frame, off int) error {
	if v.priv || !fr.spilledPtr(off) {
		return nil
	}
	return v.errorf(pc, "attempt to corrupt spilled pointer on stack")
}

// stackRead loads size bytes at fixed stack offset off.
func (v *verifier) stackRead(pc int, fr *frame, off, size int, out *reg) error {
	i := -off - 1
	if i < len(fr.stack) && fr.stack[i] == stackSpill {
		spi := i / 8
		sp := &fr.spills[spi]
		if size == 8 {
			*out = *sp
			return nil
		}
		if sp.isPtr() {
			return v.errorf(pc, "invalid size of register fill")
		}
		if sp.varOff.isConst() {
			// Byte j of the slot (from its lowest address) is at
			// offset -8*(spi+1)+j.
			j := off - (-8 * (spi + 1))
			x := sp.varOff.v >> (8 * uint(j))
			if size < 8 {
				x &= uint64(1)<<(8*size) - 1
			}
			out.setConst(x)
			return nil
		}
		loadResult(out, size)
		return nil
	}
	zero := true
	for o := off; o < off+size; o++ {
		switch fr.byteAt(o) {
		case stackInvalid:
			if v.priv {
				zero = false
				continue
			}
			return v.errorf(pc, "invalid read from stack off %d+%d size %d", off, o-off, size)
		case stackSpill:
			zero = false
			if fr.spills[(-o-1)/8].isPtr() {
				return v.errorf(pc, "invalid size of register fill")
			}
		case stackMisc:
			zero = false
		}
	}
	if zero {
		out.setConst(0)
		return nil
	}
	loadResult(out, size)
	return nil
}
