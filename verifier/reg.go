package verifier

import (
	"fmt"
	"math"
	"strings"
)

// regType is the kind of value a register holds, as the kernel's enum
// bpf_reg_type.
type regType uint8

const (
	notInit regType = iota
	scalarValue
	ptrToCtx
	constPtrToMap
	ptrToMapValue
	ptrToMapKey
	ptrToStack
	ptrToPacket
	ptrToPacketMeta
	ptrToPacketEnd
	ptrToMem
	ptrToFunc
)

var regTypeNames = [...]string{
	notInit:         "?",
	scalarValue:     "scalar",
	ptrToCtx:        "ctx",
	constPtrToMap:   "map_ptr",
	ptrToMapValue:   "map_value",
	ptrToMapKey:     "map_key",
	ptrToStack:      "fp",
	ptrToPacket:     "pkt",
	ptrToPacketMeta: "pkt_meta",
	ptrToPacketEnd:  "pkt_end",
	ptrToMem:        "mem",
	ptrToFunc:       "func",
}

// Register flags, as the kernel's type flags.
const (
	flagMaybeNull uint8 = 1 << iota // PTR_MAYBE_NULL
	flagRingbuf                     // MEM_RINGBUF
	flagRdonly                      // MEM_RDONLY
)

// reg is the abstract value of a register or of a spilled stack slot.
type reg struct {
	typ   regType
	flags uint8
	// frame is the frame whose stack a ptrToStack points into.
	frame uint8
	// off is the fixed part of a pointer's offset.
	off int32
	// The variable part: the value of a scalar, the variable offset of a
	// pointer.
	varOff         tnum
	smin, smax     int64
	umin, umax     uint64
	s32min, s32max int32
	u32min, u32max uint32
	// id links registers that hold the same value: copies of a scalar,
	// pointers from one map lookup (for null checks), packet pointers
	// with the same variable offset (for ranges).
	id uint32
	// ref is the id of the reference the pointer holds (ref_obj_id).
	ref uint32
	// aux: the map index for map pointers and map values, the byte size
	// of ptrToMem, the target instruction of ptrToFunc.
	aux int32
	// rng is the number of bytes known to be inside the packet past the
	// pointer (packet pointers).
	rng int32
}

func (r *reg) isPtr() bool     { return r.typ > scalarValue }
func (r *reg) maybeNull() bool { return r.flags&flagMaybeNull != 0 }
func (r *reg) isPkt() bool     { return r.typ == ptrToPacket || r.typ == ptrToPacketMeta }

func (r *reg) typeString() string {
	s := regTypeNames[r.typ]
	if r.flags&flagRingbuf != 0 {
		s = "ringbuf_" + s
	}
	if r.flags&flagRdonly != 0 {
		s = "rdonly_" + s
	}
	if r.maybeNull() {
		s += "_or_null"
	}
	return s
}

// markUnbounded forgets everything about the variable part.
func (r *reg) markUnbounded() {
	r.varOff = tnumUnknown
	r.smin, r.smax = math.MinInt64, math.MaxInt64
	r.umin, r.umax = 0, math.MaxUint64
	r.s32min, r.s32max = math.MinInt32, math.MaxInt32
	r.u32min, r.u32max = 0, math.MaxUint32
}

// markKnown sets the variable part to the constant v.
func (r *reg) markKnown(v uint64) {
	r.varOff = tnumConst(v)
	r.smin, r.smax = int64(v), int64(v)
	r.umin, r.umax = v, v
	r.s32min, r.s32max = int32(uint32(v)), int32(uint32(v))
	r.u32min, r.u32max = uint32(v), uint32(v)
}

func (r *reg) setUnknown() {
	*r = reg{typ: scalarValue}
	r.markUnbounded()
}

func (r *reg) setConst(v uint64) {
	*r = reg{typ: scalarValue}
	r.markKnown(v)
}

func (r *reg) setNotInit() { *r = reg{} }

func (r *reg) isConst() bool { return r.typ == scalarValue && r.varOff.isConst() }

// isNull reports whether r is the constant 0.
func (r *reg) isNull() bool { return r.typ == scalarValue && r.varOff.equals(0) }

// setPtr makes r a pointer of type t with a zero offset.
func (r *reg) setPtr(t regType) {
	*r = reg{typ: t}
	r.markKnown(0)
}

// updateBounds narrows the ranges with what the tnum knows.
func (r *reg) updateBounds() {
	v32 := r.varOff.subreg()
	r.s32min = max(r.s32min, int32(uint32(v32.v|(v32.m&0x80000000))))
	r.s32max = min(r.s32max, int32(uint32(v32.v|(v32.m&0x7fffffff))))
	r.u32min = max(r.u32min, uint32(v32.v))
	r.u32max = min(r.u32max, uint32(v32.v|v32.m))
	r.smin = max(r.smin, int64(r.varOff.v|(r.varOff.m&(1<<63))))
	r.smax = min(r.smax, int64(r.varOff.v|(r.varOff.m&^(1<<63))))
	r.umin = max(r.umin, r.varOff.v)
	r.umax = min(r.umax, r.varOff.v|r.varOff.m)
}

// deduceBounds moves what the signed and unsigned, 32- and 64-bit ranges
// know between each other.
func (r *reg) deduceBounds() {
	// 32-bit signed <-> unsigned.
	if int32(r.u32min) <= int32(r.u32max) {
		r.s32min = max(r.s32min, int32(r.u32min))
		r.s32max = min(r.s32max, int32(r.u32max))
	}
	if uint32(r.s32min) <= uint32(r.s32max) {
		r.u32min = max(r.u32min, uint32(r.s32min))
		r.u32max = min(r.u32max, uint32(r.s32max))
	}
	// 64 -> 32: if the high halves agree, the low halves are a range.
	if r.umin>>32 == r.umax>>32 {
		r.u32min = max(r.u32min, uint32(r.umin))
		r.u32max = min(r.u32max, uint32(r.umax))
		if int32(uint32(r.umin)) <= int32(uint32(r.umax)) {
			r.s32min = max(r.s32min, int32(uint32(r.umin)))
			r.s32max = min(r.s32max, int32(uint32(r.umax)))
		}
	}
	if r.smin>>32 == r.smax>>32 {
		if uint32(r.smin) <= uint32(r.smax) {
			r.u32min = max(r.u32min, uint32(r.smin))
			r.u32max = min(r.u32max, uint32(r.smax))
		}
		if int32(uint32(r.smin)) <= int32(uint32(r.smax)) {
			r.s32min = max(r.s32min, int32(uint32(r.smin)))
			r.s32max = min(r.s32max, int32(uint32(r.smax)))
		}
	}
	// 32 -> 64: the low half of the bounds is at least/most the 32-bit
	// bounds.
	if nmin := r.umin&^0xffffffff | uint64(r.u32min); nmin > r.umin {
		r.umin = nmin
	}
	if nmax := r.umax&^0xffffffff | uint64(r.u32max); nmax < r.umax {
		r.umax = nmax
	}
	if nmin := int64(uint64(r.smin)&^0xffffffff | uint64(r.u32min)); nmin > r.smin {
		r.smin = nmin
	}
	if nmax := int64(uint64(r.smax)&^0xffffffff | uint64(r.u32max)); nmax < r.smax {
		r.smax = nmax
	}
	// 64-bit signed <-> unsigned.
	if int64(r.umin) <= int64(r.umax) {
		r.smin = max(r.smin, int64(r.umin))
		r.smax = min(r.smax, int64(r.umax))
	}
	if uint64(r.smin) <= uint64(r.smax) {
		r.umin = max(r.umin, uint64(r.smin))
		r.umax = min(r.umax, uint64(r.smax))
	}
}

// boundOffset narrows the tnum with what the ranges know.
func (r *reg) boundOffset() {
	v64 := r.varOff.intersect(tnumRange(r.umin, r.umax))
	v32 := v64.subreg().intersect(tnumRange(uint64(r.u32min), uint64(r.u32max)))
	r.varOff = v64.withSubreg(v32)
}

// sync makes the tnum and the four ranges agree (reg_bounds_sync).
func (r *reg) sync() {
	r.updateBounds()
	r.deduceBounds()
	r.deduceBounds()
	r.boundOffset()
	r.updateBounds()
}

// valid reports whether the bounds describe at least one value; a branch
// that makes them empty cannot be taken.
func (r *reg) valid() bool {
	if r.smin > r.smax || r.umin > r.umax || r.s32min > r.s32max || r.u32min > r.u32max {
		return false
	}
	if r.varOff.v&r.varOff.m != 0 {
		return false
	}
	// The tnum's smallest and largest values must meet the unsigned range.
	if r.varOff.v > r.umax || r.varOff.max() < r.umin {
		return false
	}
	return true
}

// zext32 keeps the low 32 bits (the result of every 32-bit ALU op).
func (r *reg) zext32() {
	r.varOff = r.varOff.subreg()
	r.umin, r.umax = uint64(r.u32min), uint64(r.u32max)
	r.smin, r.smax = int64(r.u32min), int64(r.u32max)
}

// fmtBounds prints the variable part like the kernel's print_verifier_state.
func (r *reg) fmtBounds(b *strings.Builder) {
	sep := ""
	add := func(k string, v any) {
		fmt.Fprintf(b, "%s%s=%v", sep, k, v)
		sep = ","
	}
	if r.smin != math.MinInt64 && r.smin != int64(r.umin) {
		add("smin", r.smin)
	}
	if r.smax != math.MaxInt64 && r.smax != int64(r.umax) {
		add("smax", r.smax)
	}
	if r.umin != 0 {
		add("umin", r.umin)
	}
	if r.umax != math.MaxUint64 {
		add("umax", r.umax)
	}
	if r.s32min != math.MinInt32 && int64(r.s32min) != r.smin {
		add("smin32", r.s32min)
	}
	if r.s32max != math.MaxInt32 && int64(r.s32max) != r.smax {
		add("smax32", r.s32max)
	}
	if r.u32min != 0 && uint64(r.u32min) != r.umin {
		add("umin32", r.u32min)
	}
	if r.u32max != math.MaxUint32 && uint64(r.u32max) != r.umax {
		add("umax32", r.u32max)
	}
	if !r.varOff.isUnknown() {
		add("var_off", r.varOff.String())
	}
	_ = sep
}

// String prints r like the kernel's verifier log: "0", "ctx()",
// "scalar(smin=...)", "pkt(off=14,r=14)".
func (r *reg) String() string {
	if r.typ == notInit {
		return "?"
	}
	if r.typ == scalarValue && r.varOff.isConst() && r.id == 0 {
		return fmt.Sprint(int64(r.varOff.v))
	}
	if r.typ == ptrToStack && r.varOff.equals(0) {
		return fmt.Sprintf("fp%d", r.off)
	}
	var b strings.Builder
	b.WriteString(r.typeString())
	b.WriteByte('(')
	var parts []string
	if r.id != 0 {
		parts = append(parts, fmt.Sprintf("id=%d", r.id))
	}
	if r.ref != 0 {
		parts = append(parts, fmt.Sprintf("ref_obj_id=%d", r.ref))
	}
	if r.isPtr() && r.off != 0 {
		parts = append(parts, fmt.Sprintf("off=%d", r.off))
	}
	if r.isPkt() {
		parts = append(parts, fmt.Sprintf("r=%d", r.rng))
	}
	switch r.typ {
	case ptrToMem:
		parts = append(parts, fmt.Sprintf("sz=%d", r.aux))
	case constPtrToMap, ptrToMapValue, ptrToMapKey:
		parts = append(parts, fmt.Sprintf("map=%d", r.aux))
	}
	if r.typ == scalarValue && r.varOff.isConst() {
		parts = append(parts, fmt.Sprint(int64(r.varOff.v)))
	} else if r.typ != ptrToFunc && !(r.isPtr() && r.varOff.equals(0)) {
		var vb strings.Builder
		r.fmtBounds(&vb)
		if vb.Len() > 0 {
			parts = append(parts, vb.String())
		}
	}
	b.WriteString(strings.Join(parts, ","))
	b.WriteByte(')')
	return b.String()
}
