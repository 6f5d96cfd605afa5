package verifier

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gbpf/gbpf/isa"
)

func TestTnum(t *testing.T) {
	tests := []struct {
		name string
		got  tnum
		want tnum
	}{
		{"const", tnumConst(5), tnum{5, 0}},
		{"range 0..7", tnumRange(0, 7), tnum{0, 7}},
		{"range 8..15", tnumRange(8, 15), tnum{8, 7}},
		{"range 5..9", tnumRange(5, 9), tnum{0, 15}},
		{"range full", tnumRange(0, math.MaxUint64), tnumUnknown},
		{"add consts", tnumConst(3).add(tnumConst(4)), tnumConst(7)},
		{"add unknown low bits", tnum{0, 1}.add(tnumConst(1)), tnum{0, 3}},
		{"sub consts", tnumConst(10).sub(tnumConst(4)), tnumConst(6)},
		{"and mask", tnumUnknown.and(tnumConst(0xf0)), tnum{0, 0xf0}},
		{"or const", tnum{0, 3}.or(tnumConst(4)), tnum{4, 3}},
		{"xor self-known", tnumConst(6).xor(tnumConst(3)), tnumConst(5)},
		{"mul consts", tnumConst(6).mul(tnumConst(7)), tnumConst(42)},
		{"lsh", tnum{1, 2}.lsh(4), tnum{16, 32}},
		{"rsh", tnum{16, 32}.rsh(4), tnum{1, 2}},
		{"arsh64 negative", tnumConst(uint64(1)<<63).arsh(62, 64), tnumConst(^uint64(1))},
		{"arsh32", tnumConst(0x80000000).arsh(4, 32), tnumConst(0xf8000000)},
		{"cast", tnum{0x1234, 0xff00}.cast(1), tnum{0x34, 0}},
		{"sext32", tnumConst(0xffffffff).sext32(), tnumConst(math.MaxUint64)},
		{"intersect", tnum{0, 0xff}.intersect(tnum{0x10, 0x0f}), tnum{0x10, 0x0f}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if !tnumUnknown.contains(tnumConst(9)) || tnumConst(9).contains(tnumUnknown) {
		t.Error("contains")
	}
}

// randomScalar returns an abstract scalar and a concrete value it holds.
func randomScalar(rnd *rand.Rand) (reg, uint64) {
	var r reg
	pick := func() uint64 {
		switch rnd.IntN(5) {
		case 0:
			return uint64(rnd.IntN(16))
		case 1:
			return uint64(rnd.Int64N(1 << 33))
		case 2:
			return -uint64(rnd.IntN(300))
		case 3:
			return uint64(1)<<63 - uint64(rnd.IntN(4))
		}
		return rnd.Uint64()
	}
	x := pick()
	switch rnd.IntN(4) {
	case 0:
		r.setConst(x)
	case 1:
		r.setUnknown()
	case 2: // a range around x
		r.setUnknown()
		lo, hi := x-uint64(rnd.IntN(100)), x+uint64(rnd.IntN(100))
		if lo <= x && x <= hi {
			r.umin, r.umax = lo, hi
		}
		r.sync()
	default: // known bits
		r.setUnknown()
		m := rnd.Uint64() & rnd.Uint64()
		r.varOff = tnum{x &^ m, m}
		r.sync()
	}
	return r, x
}

// holds reports whether the abstract value r contains the concrete v.
func holds(r *reg, v uint64) bool {
	return r.varOff.contains(tnumConst(v)) && r.umin <= v && v <= r.umax &&
		r.smin <= int64(v) && int64(v) <= r.smax &&
		r.u32min <= uint32(v) && uint32(v) <= r.u32max &&
		r.s32min <= int32(uint32(v)) && int32(uint32(v)) <= r.s32max
}

// TestScalarOpsSound checks the abstract ALU against the concrete one: the
// result of an operation on values inside the abstract operands lies in the
// abstract result.
func TestScalarOpsSound(t *testing.T) {
	ops := []isa.ALUOp{isa.Add, isa.Sub, isa.Mul, isa.Div, isa.Or, isa.And, isa.LSh, isa.RSh, isa.Mod, isa.Xor, isa.ArSh}
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200000; i++ {
		a, x := randomScalar(rnd)
		b, y := randomScalar(rnd)
		if !holds(&a, x) || !holds(&b, y) {
			t.Fatalf("generator: %v does not hold %#x or %v %#x", a.String(), x, b.String(), y)
		}
		op := ops[rnd.IntN(len(ops))]
		signed := (op == isa.Div || op == isa.Mod) && rnd.IntN(2) == 0
		is64 := rnd.IntN(2) == 0
		if op == isa.LSh || op == isa.RSh || op == isa.ArSh {
			lim := uint64(64)
			if !is64 {
				lim = 32
			}
			y %= lim
			b.setConst(y)
		}
		want := evalALU(op, signed, is64, x, y)
		got := a
		if is64 {
			scalar64(op, signed, &got, &b)
			got.sync()
		} else {
			scalar32(op, signed, &got, &b)
		}
		if !holds(&got, want) {
			t.Fatalf("%v(signed=%v, 64=%v) of %s (%#x) and %s (%#x) = %#x, abstract result %s does not hold it",
				op, signed, is64, a.String(), x, b.String(), y, want, got.String())
		}
	}
}

// TestRefineSound checks branch refinement: values that satisfy the
// condition stay inside the refined registers, and a branch judged
// impossible has no such values.
func TestRefineSound(t *testing.T) {
	ops := []isa.JumpOp{isa.JEq, isa.JNE, isa.JGT, isa.JGE, isa.JLT, isa.JLE, isa.JSGT, isa.JSGE, isa.JSLT, isa.JSLE, isa.JSet}
	rnd := rand.New(rand.NewPCG(5, 6))
	cond := func(op isa.JumpOp, is32 bool, x, y uint64) bool {
		if is32 {
			x, y = uint64(uint32(x)), uint64(uint32(y))
			sx, sy := int64(int32(uint32(x))), int64(int32(uint32(y)))
			return evalCond(op, x, y, sx, sy)
		}
		return evalCond(op, x, y, int64(x), int64(y))
	}
	for i := 0; i < 200000; i++ {
		a, x := randomScalar(rnd)
		b, y := randomScalar(rnd)
		if rnd.IntN(4) == 0 {
			y = x + uint64(rnd.IntN(3)) - 1
			b.setConst(y)
		}
		op := ops[rnd.IntN(len(ops))]
		is32 := rnd.IntN(3) == 0
		c := cond(op, is32, x, y)
		switch branchTaken(&a, &b, op, is32) {
		case 1:
			if !c {
				t.Fatalf("%v (32=%v) %s %s: judged always true, false for %#x, %#x", op, is32, a.String(), b.String(), x, y)
			}
		case 0:
			if c {
				t.Fatalf("%v (32=%v) %s %s: judged always false, true for %#x, %#x", op, is32, a.String(), b.String(), x, y)
			}
		}
		ra, rb := a, b
		ok := refine(&ra, &rb, op, is32, c)
		if !ok {
			t.Fatalf("%v (32=%v) holds=%v on %s %s: judged impossible, but %#x, %#x", op, is32, c, a.String(), b.String(), x, y)
		}
		if !holds(&ra, x) || !holds(&rb, y) {
			t.Fatalf("%v (32=%v) holds=%v on %s (%#x) %s (%#x): refined to %s %s", op, is32, c, a.String(), x, b.String(), y, ra.String(), rb.String())
		}
	}
}

func evalCond(op isa.JumpOp, x, y uint64, sx, sy int64) bool {
	switch op {
	case isa.JEq:
		return x == y
	case isa.JNE:
		return x != y
	case isa.JGT:
		return x > y
	case isa.JGE:
		return x >= y
	case isa.JLT:
		return x < y
	case isa.JLE:
		return x <= y
	case isa.JSGT:
		return sx > sy
	case isa.JSGE:
		return sx >= sy
	case isa.JSLT:
		return sx < sy
	case isa.JSLE:
		return sx <= sy
	case isa.JSet:
		return x&y != 0
	}
	return false
}

func TestMovsxSound(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 100000; i++ {
		a, x := randomScalar(rnd)
		size := []int{1, 2, 4}[rnd.IntN(3)]
		is64 := rnd.IntN(2) == 0 || size == 4
		bits := uint(8 * size)
		want := uint64(int64(x<<(64-bits)) >> (64 - bits))
		if !is64 {
			want = uint64(uint32(want))
		}
		var got reg
		movsx(&got, &a, size, is64)
		if !holds(&got, want) {
			t.Fatalf("movsx%d (64=%v) of %s (%#x) = %#x, abstract %s", bits, is64, a.String(), x, want, got.String())
		}
	}
}
