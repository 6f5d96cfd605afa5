package verifier

import (
	"math"
	"math/bits"

	"github.com/gbpf/gbpf/isa"
)

// evalALU computes op on two constants the way the engines do (Linux
// semantics: division by zero gives 0, modulo by zero keeps dst).
func evalALU(op isa.ALUOp, signed bool, is64 bool, a, b uint64) uint64 {
	if !is64 {
		a, b = uint64(uint32(a)), uint64(uint32(b))
	}
	var r uint64
	switch op {
	case isa.Add:
		r = a + b
	case isa.Sub:
		r = a - b
	case isa.Mul:
		r = a * b
	case isa.Div:
		switch {
		case b == 0:
			r = 0
		case signed && is64:
			if int64(b) == -1 {
				r = -a
			} else {
				r = uint64(int64(a) / int64(b))
			}
		case signed:
			if int32(b) == -1 {
				r = uint64(uint32(-int32(a)))
			} else {
				r = uint64(uint32(int32(a) / int32(b)))
			}
		default:
			r = a / b
		}
	case isa.Mod:
		switch {
		case b == 0:
			r = a
		case signed && is64:
			if int64(b) == -1 {
				r = 0
			} else {
				r = uint64(int64(a) % int64(b))
			}
		case signed:
			if int32(b) == -1 {
				r = 0
			} else {
				r = uint64(uint32(int32(a) % int32(b)))
			}
		default:
			r = a % b
		}
	case isa.Or:
		r = a | b
	case isa.And:
		r = a & b
	case isa.Xor:
		r = a ^ b
	case isa.LSh:
		if is64 {
			r = a << (b & 63)
		} else {
			r = uint64(uint32(a) << (b & 31))
		}
	case isa.RSh:
		if is64 {
			r = a >> (b & 63)
		} else {
			r = uint64(uint32(a) >> (b & 31))
		}
	case isa.ArSh:
		if is64 {
			r = uint64(int64(a) >> (b & 63))
		} else {
			r = uint64(uint32(int32(uint32(a)) >> (b & 31)))
		}
	case isa.Neg:
		r = -a
	case isa.Mov:
		r = b
	}
	if !is64 {
		r = uint64(uint32(r))
	}
	return r
}

// scalar64 computes dst = dst op src on 64-bit scalar ranges. Both are
// synced; the result is synced by the caller.
func scalar64(op isa.ALUOp, signed bool, dst *reg, src *reg) {
	if dst.varOff.isConst() && src.varOff.isConst() {
		v := evalALU(op, signed, true, dst.varOff.v, src.varOff.v)
		dst.markKnown(v)
		return
	}
	switch op {
	case isa.Add:
		smin, o1 := addOvf(dst.smin, src.smin)
		smax, o2 := addOvf(dst.smax, src.smax)
		umin, c1 := bits.Add64(dst.umin, src.umin, 0)
		umax, c2 := bits.Add64(dst.umax, src.umax, 0)
		v := dst.varOff.add(src.varOff)
		dst.markUnbounded()
		dst.varOff = v
		if !o1 && !o2 {
			dst.smin, dst.smax = smin, smax
		}
		if c1 == c2 {
			dst.umin, dst.umax = umin, umax
		}
	case isa.Sub:
		smin, o1 := subOvf(dst.smin, src.smax)
		smax, o2 := subOvf(dst.smax, src.smin)
		umin, b1 := bits.Sub64(dst.umin, src.umax, 0)
		umax, b2 := bits.Sub64(dst.umax, src.umin, 0)
		v := dst.varOff.sub(src.varOff)
		dst.markUnbounded()
		dst.varOff = v
		if !o1 && !o2 {
			dst.smin, dst.smax = smin, smax
		}
		if b1 == b2 {
			dst.umin, dst.umax = umin, umax
		}
	case isa.Mul:
		v := dst.varOff.mul(src.varOff)
		ok := dst.smin >= 0 && src.smin >= 0 && dst.umax <= math.MaxUint32 && src.umax <= math.MaxUint32
		umin, umax := dst.umin*src.umin, dst.umax*src.umax
		dst.markUnbounded()
		dst.varOff = v
		if ok {
			dst.umin, dst.umax = umin, umax
			dst.smin, dst.smax = int64(umin), int64(umax)
		}
	case isa.And:
		v := dst.varOff.and(src.varOff)
		pos := dst.smin >= 0 && src.smin >= 0
		umax := min(dst.umax, src.umax)
		dst.markUnbounded()
		dst.varOff = v
		dst.umin, dst.umax = v.v, min(umax, v.max())
		if pos {
			dst.smin, dst.smax = int64(dst.umin), int64(dst.umax)
		}
	case isa.Or:
		v := dst.varOff.or(src.varOff)
		pos := dst.smin >= 0 && src.smin >= 0
		umin := max(dst.umin, src.umin)
		dst.markUnbounded()
		dst.varOff = v
		dst.umin, dst.umax = max(umin, v.v), v.max()
		if pos {
			dst.smin, dst.smax = int64(dst.umin), int64(dst.umax)
		}
	case isa.Xor:
		v := dst.varOff.xor(src.varOff)
		pos := dst.smin >= 0 && src.smin >= 0
		dst.markUnbounded()
		dst.varOff = v
		dst.umin, dst.umax = v.v, v.max()
		if pos {
			dst.smin, dst.smax = int64(dst.umin), int64(dst.umax)
		}
	case isa.LSh, isa.RSh, isa.ArSh:
		if !src.varOff.isConst() || src.varOff.v >= 64 {
			dst.markUnbounded()
			return
		}
		s := uint(src.varOff.v)
		switch op {
		case isa.LSh:
			v := dst.varOff.lsh(s)
			ok := s == 0 || dst.umax>>(64-s) == 0
			umin, umax := dst.umin<<s, dst.umax<<s
			dst.markUnbounded()
			dst.varOff = v
			if ok {
				dst.umin, dst.umax = umin, umax
			}
		case isa.RSh:
			v := dst.varOff.rsh(s)
			umin, umax := dst.umin>>s, dst.umax>>s
			dst.markUnbounded()
			dst.varOff = v
			dst.umin, dst.umax = umin, umax
		case isa.ArSh:
			v := dst.varOff.arsh(s, 64)
			smin, smax := dst.smin>>s, dst.smax>>s
			dst.markUnbounded()
			dst.varOff = v
			dst.smin, dst.smax = smin, smax
		}
	case isa.Div, isa.Mod:
		// Linux (up to the kernel the tests compare with) learns nothing
		// from a division or a remainder; knowing more would accept
		// programs it rejects.
		dst.markUnbounded()
	default:
		dst.markUnbounded()
	}
}

func addOvf(a, b int64) (int64, bool) {
	s := a + b
	return s, (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0)
}

func subOvf(a, b int64) (int64, bool) {
	s := a - b
	return s, (a >= 0) != (b >= 0) && (s >= 0) != (a >= 0)
}

// low32 returns r's low 32 bits as a 64-bit scalar, zero-extended (signed
// false) or sign-extended (signed true).
func low32(r *reg, signed bool) reg {
	var o reg
	o.typ = scalarValue
	o.markUnbounded()
	if signed {
		o.varOff = r.varOff.sext32()
		o.smin, o.smax = int64(r.s32min), int64(r.s32max)
	} else {
		o.varOff = r.varOff.subreg()
		o.umin, o.umax = uint64(r.u32min), uint64(r.u32max)
		o.smin, o.smax = int64(r.u32min), int64(r.u32max)
	}
	o.sync()
	return o
}

// scalar32 computes the 32-bit operation dst = dst op src and zero-extends
// the result. It runs the 64-bit computation twice, on zero- and on
// sign-extended operands, and keeps what each tells about the low 32 bits.
func scalar32(op isa.ALUOp, signed bool, dst *reg, src *reg) {
	if dst.varOff.subreg().isConst() && src.varOff.subreg().isConst() {
		dst.markKnown(evalALU(op, signed, false, dst.varOff.v, src.varOff.v))
		return
	}
	var res reg
	res.typ = scalarValue
	res.markUnbounded()
	shift := op == isa.LSh || op == isa.RSh || op == isa.ArSh
	if shift {
		if !src.varOff.subreg().isConst() || uint32(src.varOff.v) >= 32 {
			dst.markUnbounded()
			dst.u32min, dst.u32max = 0, math.MaxUint32
			dst.zext32()
			dst.sync()
			return
		}
		s := uint(uint32(src.varOff.v))
		res.varOff = dst.varOff
		switch op {
		case isa.LSh:
			res.varOff = dst.varOff.lsh(s).subreg()
			if s == 0 || dst.u32max>>(32-s) == 0 {
				res.u32min, res.u32max = dst.u32min<<s, dst.u32max<<s
			}
		case isa.RSh:
			res.varOff = dst.varOff.subreg().rsh(s)
			res.u32min, res.u32max = dst.u32min>>s, dst.u32max>>s
		case isa.ArSh:
			res.varOff = dst.varOff.arsh(s, 32)
			res.s32min, res.s32max = dst.s32min>>s, dst.s32max>>s
		}
	} else {
		res.varOff = tnumUnknown
		for _, sgn := range []bool{false, true} {
			if (op == isa.Div || op == isa.Mod) && sgn != signed {
				continue
			}
			d := low32(dst, sgn)
			s := low32(src, sgn)
			scalar64(op, signed && sgn, &d, &s)
			d.sync()
			res.varOff = res.varOff.intersect(d.varOff.subreg().or(tnum{0, 0xffffffff00000000}))
			if d.umin>>32 == d.umax>>32 {
				res.u32min = max(res.u32min, uint32(d.umin))
				res.u32max = min(res.u32max, uint32(d.umax))
			}
			lo, hi := d.smin+(1<<31), d.smax+(1<<31)
			if d.smin >= math.MinInt64+(1<<31) && d.smax <= math.MaxInt64-(1<<31) && lo>>32 == hi>>32 {
				res.s32min = max(res.s32min, int32(d.smin))
				res.s32max = min(res.s32max, int32(d.smax))
			}
		}
	}
	res.varOff = res.varOff.subreg()
	*dst = res
	dst.deduceBounds()
	dst.zext32()
	dst.sync()
}

// movsx sign-extends the low size bytes of src into dst (64 or 32 bits).
func movsx(dst *reg, src *reg, size int, is64 bool) {
	bitsN := uint(8 * size)
	if src.varOff.isConst() {
		v := uint64(int64(src.varOff.v<<(64-bitsN)) >> (64 - bitsN))
		if !is64 {
			v = uint64(uint32(v))
		}
		dst.setConst(v)
		return
	}
	lim := uint64(1) << (bitsN - 1)
	dst.setUnknown()
	if src.umax < lim {
		// Non-negative: sign extension changes nothing.
		*dst = *src
		dst.id = 0
		if !is64 {
			dst.u32min, dst.u32max = uint32(src.umin), uint32(src.umax)
			dst.zext32()
		}
		dst.sync()
		return
	}
	if is64 {
		dst.smin, dst.smax = -int64(lim), int64(lim)-1
	} else {
		dst.s32min, dst.s32max = -int32(lim), int32(lim-1)
		dst.u32min, dst.u32max = 0, math.MaxUint32
		dst.deduceBounds()
		dst.zext32()
	}
	dst.sync()
}
