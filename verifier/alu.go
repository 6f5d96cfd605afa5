package verifier

import (
	"math"
	"math/bits"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

var aluOpStr = map[isa.ALUOp]string{
	isa.Add: "+=", isa.Sub: "-=", isa.Mul: "*=", isa.Div: "/=", isa.Or: "|=",
	isa.And: "&=", isa.LSh: "<<=", isa.RSh: ">>=", isa.Neg: "neg", isa.Mod: "%=",
	isa.Xor: "^=", isa.Mov: "=", isa.ArSh: "s>>=", isa.End: "endian",
}

// maxVarOff bounds pointer offsets (BPF_MAX_VAR_OFF).
const maxVarOff = 1 << 29

// checkALU checks an ALU or ALU64 instruction and computes its result.
func (v *verifier) checkALU(pc int, ins isa.Instruction) error {
	f := v.cur.cur()
	op := ins.Op.ALUOp()
	is64 := ins.Op.Class() == isa.ClassALU64
	dst := &f.regs[ins.Dst]
	switch op {
	case isa.End, isa.Neg:
		if _, err := v.regRead(pc, ins.Dst); err != nil {
			return err
		}
		if err := v.ptrAsNumber(pc, ins.Dst, dst, "pointer arithmetic prohibited"); err != nil {
			return err
		}
		if op == isa.Neg {
			var zero reg
			zero.setConst(0)
			cp := *dst
			r := zero
			if is64 {
				scalar64(isa.Sub, false, &r, &cp)
				r.sync()
			} else {
				scalar32(isa.Sub, false, &r, &cp)
			}
			*dst = r
			dst.id = 0
			return nil
		}
		v.byteSwap(dst, ins, is64)
		return nil
	}
	// The source operand.
	var src reg
	srcIsReg := ins.Op.Source() == isa.SourceX
	if srcIsReg {
		r, err := v.regRead(pc, ins.Src)
		if err != nil {
			return err
		}
		src = *r
	} else if is64 {
		src.setConst(uint64(int64(ins.Imm)))
	} else {
		src.setConst(uint64(uint32(ins.Imm)))
	}
	if op == isa.Mov {
		return v.checkMov(pc, ins, dst, &src, srcIsReg, is64)
	}
	if _, err := v.regRead(pc, ins.Dst); err != nil {
		return err
	}
	if !srcIsReg {
		if (op == isa.Div || op == isa.Mod) && ins.Imm == 0 {
			return v.errorf(pc, "div by zero")
		}
		if (op == isa.LSh || op == isa.RSh || op == isa.ArSh) &&
			(ins.Imm < 0 || (is64 && ins.Imm >= 64) || (!is64 && ins.Imm >= 32)) {
			return v.errorf(pc, "invalid shift %d", ins.Imm)
		}
	}
	signed := ins.Off == 1 && (op == isa.Div || op == isa.Mod)
	if dst.isPtr() || src.isPtr() {
		return v.ptrArith(pc, ins, dst, &src, is64)
	}
	dst.id = 0
	if !safeToCompute(op, is64, &src) {
		// Linux learns nothing of the result, not even that a 32-bit
		// operation zero-extends it.
		dst.setUnknown()
		return nil
	}
	if is64 {
		scalar64(op, signed, dst, &src)
		dst.sync()
	} else {
		scalar32(op, signed, dst, &src)
	}
	if !dst.valid() {
		// Cannot happen for a correct domain; stay sound.
		dst.setUnknown()
	}
	return nil
}

func (v *verifier) checkMov(pc int, ins isa.Instruction, dst, src *reg, srcIsReg, is64 bool) error {
	if ins.Off != 0 { // movsx
		what := "sign-extension part of pointer"
		if !is64 {
			what = "partial copy of pointer"
		}
		if err := v.ptrAsNumber(pc, ins.Src, src, what); err != nil {
			return err
		}
		movsx(dst, src, int(ins.Off)/8, is64)
		return nil
	}
	if !srcIsReg {
		*dst = *src
		return nil
	}
	if is64 {
		if src.typ == scalarValue && !src.varOff.isConst() {
			// Link the copies so that a branch on one bounds both.
			orig := &v.cur.cur().regs[ins.Src]
			if orig.id == 0 {
				orig.id = v.newID()
			}
			*dst = *orig
			return nil
		}
		*dst = *src
		return nil
	}
	if err := v.ptrAsNumber(pc, ins.Src, src, "partial copy of pointer"); err != nil {
		return err
	}
	*dst = *src
	dst.id = 0
	dst.zext32()
	dst.sync()
	return nil
}

// ptrAsNumber applies the rule for an operation that reads r, register
// regno, as a number other than whole: if r is a pointer, the unprivileged
// rules refuse the operation with the message what, and root's make r an
// unknown number.
func (v *verifier) ptrAsNumber(pc int, regno isa.Register, r *reg, what string) error {
	if !r.isPtr() {
		return nil
	}
	if !v.priv {
		return v.errorf(pc, "R%d %s", regno, what)
	}
	r.setUnknown()
	return nil
}

// byteSwap computes the END operation (le/be/bswap).
func (v *verifier) byteSwap(r *reg, ins isa.Instruction, is64 bool) {
	size := int(ins.Imm) / 8
	swap := is64 || ins.Op.Source() == isa.ToBE // the host is little-endian
	if r.varOff.isConst() {
		x := r.varOff.v
		switch size {
		case 2:
			x = uint64(uint16(x))
			if swap {
				x = uint64(bits.ReverseBytes16(uint16(x)))
			}
		case 4:
			x = uint64(uint32(x))
			if swap {
				x = uint64(bits.ReverseBytes32(uint32(x)))
			}
		case 8:
			if swap {
				x = bits.ReverseBytes64(x)
			}
		}
		r.setConst(x)
		return
	}
	if !swap {
		if size < 8 {
			// Truncation.
			r.id = 0
			r.varOff = r.varOff.cast(size)
			mask := uint64(1)<<(8*size) - 1
			if r.umax > mask {
				r.umin, r.umax = 0, mask
			}
			r.smin, r.smax = int64(r.umin), int64(r.umax)
			r.u32min, r.u32max = 0, math.MaxUint32
			r.s32min, r.s32max = math.MinInt32, math.MaxInt32
			r.sync()
		}
		return
	}
	r.setUnknown()
	if size < 8 {
		r.umax = uint64(1)<<(8*size) - 1
		r.sync()
	}
}

// ptrArith checks arithmetic with a pointer operand
// (adjust_ptr_min_max_vals).
func (v *verifier) ptrArith(pc int, ins isa.Instruction, dst, src *reg, is64 bool) error {
	op := ins.Op.ALUOp()
	bothPtr := dst.isPtr() && src.isPtr()
	// Root may subtract any pointers, and subtract in 32 bits with a
	// pointer operand (a meaningless number); the distance between two
	// pointers into one object is an offset, not an address, so anyone
	// may compute it.
	if op == isa.Sub && (v.priv && (bothPtr || !is64) || bothPtr && is64 && v.sameObject(dst, src)) {
		dst.setUnknown()
		if !is64 {
			dst.zext32()
			dst.sync()
		}
		return nil
	}
	if bothPtr {
		return v.errorf(pc, "R%d pointer %s pointer prohibited", ins.Dst, aluOpStr[op])
	}
	if !is64 {
		return v.errorf(pc, "R%d 32-bit pointer arithmetic prohibited", ins.Dst)
	}
	ptr, off := dst, src
	if !dst.isPtr() {
		ptr, off = src, dst
	}
	if ptr.maybeNull() {
		return v.errorf(pc, "R%d pointer arithmetic on %s prohibited, null-check it first", ins.Dst, ptr.typeString())
	}
	switch ptr.typ {
	case ptrToCtx, ptrToMapValue, ptrToMapKey, ptrToStack, ptrToPacket, ptrToPacketMeta, ptrToMem:
	default:
		return v.errorf(pc, "R%d pointer arithmetic on %s prohibited", ins.Dst, ptr.typeString())
	}
	switch op {
	case isa.Add:
	case isa.Sub:
		if !dst.isPtr() {
			return v.errorf(pc, "R%d tried to subtract pointer from scalar", ins.Dst)
		}
		if ptr.typ == ptrToStack {
			// Linux: JITs may not cope with it; add a negative value.
			return v.errorf(pc, "R%d subtraction from stack pointer prohibited", ins.Dst)
		}
	case isa.And, isa.Or, isa.Xor:
		return v.errorf(pc, "R%d bitwise operator %s on pointer prohibited", ins.Dst, aluOpStr[op])
	default:
		return v.errorf(pc, "R%d pointer arithmetic with %s operator prohibited", ins.Dst, aluOpStr[op])
	}
	tstr := ptr.typeString()
	known := off.varOff.isConst()
	if known {
		if val := int64(off.varOff.v); val >= maxVarOff || val <= -maxVarOff {
			return v.errorf(pc, "math between %s pointer and %d is not allowed", tstr, val)
		}
	} else {
		if off.smin == math.MinInt64 {
			return v.errorf(pc, "math between %s pointer and register with unbounded min value is not allowed", tstr)
		}
		if off.smin >= maxVarOff || off.smin <= -maxVarOff {
			return v.errorf(pc, "value %d makes %s pointer be out of bounds", off.smin, tstr)
		}
	}
	if !v.priv && ins.Op.Source() == isa.SourceX && (op == isa.Add || op == isa.Sub) {
		if err := v.sanitizePtrALU(pc, ins, ptr, off, dst == ptr); err != nil {
			return err
		}
	}
	res := *ptr
	if known {
		val := int64(off.varOff.v)
		if op == isa.Sub {
			val = -val
		}
		n := int64(res.off) + val
		if n >= maxVarOff || n <= -maxVarOff {
			return v.errorf(pc, "%s pointer offset %d is not allowed", tstr, n)
		}
		res.off = int32(n)
	} else {
		vp := *ptr
		vp.typ = scalarValue
		o := *off
		scalar64(op, false, &vp, &o)
		vp.sync()
		if vp.smin <= -maxVarOff {
			return v.errorf(pc, "value %d makes %s pointer be out of bounds", vp.smin, tstr)
		}
		res.varOff, res.smin, res.smax, res.umin, res.umax = vp.varOff, vp.smin, vp.smax, vp.umin, vp.umax
		res.s32min, res.s32max, res.u32min, res.u32max = vp.s32min, vp.s32max, vp.u32min, vp.u32max
		if res.isPkt() {
			res.id = v.newID()
			res.rng = 0
		}
	}
	if !v.priv {
		if err := v.checkPtrBounds(pc, ins.Dst, &res); err != nil {
			return err
		}
	}
	*dst = res
	return nil
}

// sameObject reports whether a and b surely point into one object: the
// packet (data_meta, data and data_end are one block), the stack of one
// frame, the context, or one map value (from one lookup, or the only value
// of a single-element array).
func (v *verifier) sameObject(a, b *reg) bool {
	if pktFamily(a.typ) && pktFamily(b.typ) {
		return true
	}
	if a.typ != b.typ || a.maybeNull() || b.maybeNull() {
		return false
	}
	switch a.typ {
	case ptrToStack:
		return a.frame == b.frame
	case ptrToCtx:
		return true
	case ptrToMapValue:
		if a.aux != b.aux {
			return false
		}
		if a.id != 0 && a.id == b.id {
			return true
		}
		m := v.maps[a.aux]
		return m.Type == maps.Array && m.MaxEntries == 1
	}
	return false
}

func pktFamily(t regType) bool {
	return t == ptrToPacket || t == ptrToPacketMeta || t == ptrToPacketEnd
}

// errNotRoot ends the messages of the checks Linux makes on pointer
// arithmetic for loaders without CAP_PERFMON (sanitize_ptr_alu).
const errNotRoot = "pointer arithmetic with it prohibited for !root"

// sanitizePtrALU applies, before the addition or subtraction of a register
// to a pointer, the unprivileged rules: the register's sign must be known,
// and the pointer must be to the stack or a map value, with room to move.
// ptrIsDst tells whether the pointer is the destination register.
func (v *verifier) sanitizePtrALU(pc int, ins isa.Instruction, ptr, off *reg, ptrIsDst bool) error {
	ptrReg, offReg := ins.Dst, ins.Src
	if !ptrIsDst {
		ptrReg, offReg = ins.Src, ins.Dst
	}
	if !off.varOff.isConst() && (off.smin < 0) != (off.smax < 0) {
		return v.errorf(pc, "R%d has unknown scalar with mixed signed bounds, %s", offReg, errNotRoot)
	}
	op := ins.Op.ALUOp()
	offNeg := off.smin < 0
	// The side the pointer moves to: a mask would keep it there.
	left := op == isa.Add && offNeg || op == isa.Sub && !offNeg
	var limit, most int64
	switch ptr.typ {
	case ptrToStack:
		most = maxStack
		if left {
			most++
		}
		limit = -(int64(ptr.varOff.v) + int64(ptr.off))
	case ptrToMapValue:
		most = int64(v.maps[ptr.aux].ValueSize)
		if left {
			limit = ptr.smin + int64(ptr.off)
		} else {
			limit = int64(ptr.umax) + int64(ptr.off)
		}
	default:
		return v.errorf(pc, "R%d has pointer with unsupported alu operation, %s", ptrReg, errNotRoot)
	}
	if uint64(uint32(limit)) >= uint64(most) {
		verb := "add"
		if op == isa.Sub {
			verb = "sub"
		}
		return v.errorf(pc, "R%d tried to %s beyond pointer bounds, %s", ins.Dst, verb, errNotRoot)
	}
	return nil
}

// checkPtrBounds applies the unprivileged rule that pointer arithmetic
// keeps a stack pointer at a known offset inside the stack and a map value
// pointer inside the value (sanitize_check_bounds).
func (v *verifier) checkPtrBounds(pc int, regno isa.Register, r *reg) error {
	switch r.typ {
	case ptrToStack:
		off := int64(r.off) + int64(r.varOff.v)
		if !r.varOff.isConst() {
			return v.errorf(pc, "R%d variable stack access prohibited for !root, var_off=%s off=%d", regno, r.varOff.String(), off)
		}
		if off >= 0 || off < -maxStack {
			return v.errorf(pc, "R%d stack pointer arithmetic goes out of range, prohibited for !root; off=%d", regno, off)
		}
	case ptrToMapValue:
		lo := int64(r.off) + r.smin
		hi := int64(r.off) + int64(r.umax) + 1
		if r.smin < 0 || lo < 0 || r.umax >= maxVarOff || hi > int64(v.maps[r.aux].ValueSize) {
			return v.errorf(pc, "R%d pointer arithmetic of map value goes out of range, prohibited for !root", regno)
		}
	}
	return nil
}

// safeToCompute reports whether Linux computes the bounds of op's result
// (is_safe_to_compute_dst_reg_range): for the additive, bitwise and
// multiplying operations always, for shifts only by a constant below the
// operation's width, for divisions and remainders never, even of
// constants.
func safeToCompute(op isa.ALUOp, is64 bool, src *reg) bool {
	switch op {
	case isa.Add, isa.Sub, isa.And, isa.Or, isa.Xor, isa.Mul, isa.Neg:
		return true
	case isa.LSh, isa.RSh, isa.ArSh:
		if is64 {
			return src.varOff.isConst() && src.smin == src.smax && src.umin == src.umax && src.umax < 64
		}
		return src.varOff.subreg().isConst() && src.s32min == src.s32max && src.u32min == src.u32max && src.umax < 32
	}
	return false
}
