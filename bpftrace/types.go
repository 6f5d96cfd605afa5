package bpftrace

import "fmt"

// Kind is the kind of a value.
type Kind int

// Kinds of values: plain integers and strings, and the aggregations that
// only maps hold.
const (
	KindNone Kind = iota
	KindInt
	KindStr
	KindCount
	KindSum
	KindAvg
	KindMin
	KindMax
	KindStats
	KindHist
	KindLhist
)

// StrLen is the size of str() buffers, bpftrace's default BPFTRACE_STRLEN.
const StrLen = 64

// Type is the type of an expression or a map value.
type Type struct {
	Kind Kind
	// Size is the size in bytes: 8 for integers, the buffer of a string.
	Size int
	// Signed says how an integer prints and compares.
	Signed bool
	// Min, Max and Step are an lhist's constant arguments.
	Min, Max, Step int64
}

var (
	tInt64  = Type{Kind: KindInt, Size: 8, Signed: true}
	tUint64 = Type{Kind: KindInt, Size: 8}
)

func strType(n int) Type { return Type{Kind: KindStr, Size: n} }

// String names t as bpftrace's messages do.
func (t Type) String() string {
	switch t.Kind {
	case KindNone:
		return "none"
	case KindInt:
		if t.Signed {
			return "int64"
		}
		return "uint64"
	case KindStr:
		return fmt.Sprintf("string[%d]", t.Size)
	case KindCount:
		return "count"
	case KindSum:
		return "sum"
	case KindAvg:
		return "avg"
	case KindMin:
		return "min"
	case KindMax:
		return "max"
	case KindStats:
		return "stats"
	case KindHist:
		return "hist"
	case KindLhist:
		return "lhist"
	}
	return "?"
}

// valueSize is the size of a map value of type t in the map.
func (t Type) valueSize() int {
	switch t.Kind {
	case KindStr:
		return t.Size
	case KindAvg, KindStats, KindMin, KindMax:
		return 16
	}
	return 8
}

// sameShape reports whether values of types a and b can share a map or a
// variable.
func sameShape(a, b Type) bool {
	if a.Kind != b.Kind {
		return false
	}
	if a.Kind == KindLhist {
		return a.Min == b.Min && a.Max == b.Max && a.Step == b.Step
	}
	return true
}

// aggName maps aggregation functions to their kinds.
var aggName = map[string]Kind{
	"count": KindCount, "sum": KindSum, "avg": KindAvg, "min": KindMin, "max": KindMax,
	"stats": KindStats, "hist": KindHist, "lhist": KindLhist,
}
