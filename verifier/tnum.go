package verifier

import (
	"fmt"
	"math/bits"
)

// tnum is a tristate number: each bit is known 0, known 1 or unknown. Bits
// set in m are unknown; the others have the value of the bit in v. v and m
// never share a bit.
type tnum struct{ v, m uint64 }

var tnumUnknown = tnum{0, ^uint64(0)}

func tnumConst(v uint64) tnum { return tnum{v, 0} }

// tnumRange returns the tightest tnum containing every value in [min, max].
func tnumRange(min, max uint64) tnum {
	chi := min ^ max
	n := bits.Len64(chi)
	if n > 63 {
		return tnumUnknown
	}
	delta := uint64(1)<<n - 1
	return tnum{min &^ delta, delta}
}

func (a tnum) isConst() bool        { return a.m == 0 }
func (a tnum) isUnknown() bool      { return a.m == ^uint64(0) }
func (a tnum) equals(v uint64) bool { return a.m == 0 && a.v == v }
func (a tnum) max() uint64          { return a.v | a.m }

func (a tnum) lsh(s uint) tnum { return tnum{a.v << s, a.m << s} }
func (a tnum) rsh(s uint) tnum { return tnum{a.v >> s, a.m >> s} }

// arsh shifts right arithmetically as a value of width 32 or 64 bits.
func (a tnum) arsh(s uint, width uint) tnum {
	if width == 32 {
		return tnum{uint64(uint32(int32(uint32(a.v)) >> s)), uint64(uint32(int32(uint32(a.m)) >> s))}
	}
	return tnum{uint64(int64(a.v) >> s), uint64(int64(a.m) >> s)}
}

func (a tnum) add(b tnum) tnum {
	sm := a.m + b.m
	sv := a.v + b.v
	sigma := sm + sv
	chi := sigma ^ sv
	mu := chi | a.m | b.m
	return tnum{sv &^ mu, mu}
}

func (a tnum) sub(b tnum) tnum {
	dv := a.v - b.v
	alpha := dv + a.m
	beta := dv - b.m
	chi := alpha ^ beta
	mu := chi | a.m | b.m
	return tnum{dv &^ mu, mu}
}

func (a tnum) and(b tnum) tnum {
	alpha := a.v | a.m
	beta := b.v | b.m
	v := a.v & b.v
	return tnum{v, alpha & beta &^ v}
}

func (a tnum) or(b tnum) tnum {
	v := a.v | b.v
	mu := a.m | b.m
	return tnum{v, mu &^ v}
}

func (a tnum) xor(b tnum) tnum {
	v := a.v ^ b.v
	mu := a.m | b.m
	return tnum{v &^ mu, mu}
}

func (a tnum) mul(b tnum) tnum {
	accV := a.v * b.v
	accM := tnum{}
	for a.v != 0 || a.m != 0 {
		if a.v&1 != 0 {
			accM = accM.add(tnum{0, b.m})
		} else if a.m&1 != 0 {
			accM = accM.add(tnum{0, b.v | b.m})
		}
		a = a.rsh(1)
		b = b.lsh(1)
	}
	return tnumConst(accV).add(accM)
}

// intersect returns what is known from both a and b (both describe the
// same value).
func (a tnum) intersect(b tnum) tnum {
	v := a.v | b.v
	mu := a.m & b.m
	return tnum{v &^ mu, mu}
}

// cast truncates a to size bytes.
func (a tnum) cast(size int) tnum {
	if size >= 8 {
		return a
	}
	mask := uint64(1)<<(8*size) - 1
	return tnum{a.v & mask, a.m & mask}
}

// contains reports whether every value of b is a value of a.
func (a tnum) contains(b tnum) bool {
	if b.m&^a.m != 0 {
		return false
	}
	return b.v&^a.m == a.v
}

func (a tnum) subreg() tnum      { return a.cast(4) }
func (a tnum) clearSubreg() tnum { return tnum{a.v &^ 0xffffffff, a.m &^ 0xffffffff} }

// withSubreg replaces the low 32 bits of a by those of s.
func (a tnum) withSubreg(s tnum) tnum { return a.clearSubreg().or(s.subreg()) }

// sext32 sign-extends the low 32 bits of a.
func (a tnum) sext32() tnum {
	return tnum{uint64(int64(int32(uint32(a.v)))), uint64(int64(int32(uint32(a.m))))}
}

// String formats a as the kernel's tnum_strn does: a known value as a
// number (decimal up to 65535, else hex), otherwise "(value; mask)".
func (a tnum) String() string {
	switch {
	case a.m != 0:
		return fmt.Sprintf("(%#x; %#x)", a.v, a.m)
	case a.v <= 0xffff:
		return fmt.Sprint(a.v)
	}
	return fmt.Sprintf("%#x", a.v)
}
