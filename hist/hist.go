// Package hist holds the histograms that gbpf's tools aggregate in BPF maps:
// their in-map layout (one little-endian u64 count per slot, one value per
// map key) and their rendering as bcc and bpftrace print them, or as JSON.
//
// A log2 histogram has Log2Slots slots. Slot 0 counts the value 0 and slot i
// (i >= 1) counts the values in [2^(i-1), 2^i), so slot 1 holds 1, slot 2
// holds 2 and 3, slot 3 holds 4 to 7. This is the layout of bcc's
// bpf_log2l() and of bpftrace's hist() (less its negative bucket).
//
// A linear histogram over [Min, Max) in steps of Step has one slot below
// Min, one per step, and one at or above Max, as bpftrace's lhist() does.
package hist

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Log2Slots is the number of slots of a log2 histogram: slot 0 for the value
// 0 and one per power of two up to 2^63.
const Log2Slots = 65

// Kind says how a histogram's slots map to values.
type Kind int

// The kinds of histogram.
const (
	Log2 Kind = iota
	Linear
)

// String returns "log2" or "linear".
func (k Kind) String() string {
	switch k {
	case Log2:
		return "log2"
	case Linear:
		return "linear"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Hist is one histogram: the counts of its slots and how slots map to values.
type Hist struct {
	Kind Kind
	// Min, Max and Step describe a Linear histogram; Log2 ignores them.
	Min, Max, Step uint64
	// Slots holds one count per slot.
	Slots []uint64
}

// NewLog2 returns an empty log2 histogram.
func NewLog2() *Hist { return &Hist{Kind: Log2, Slots: make([]uint64, Log2Slots)} }

// NewLinear returns an empty linear histogram over [min, max) in steps of
// step. It fails unless min < max and step divides max-min.
func NewLinear(min, max, step uint64) (*Hist, error) {
	if step == 0 || min >= max || (max-min)%step != 0 {
		return nil, fmt.Errorf("hist: invalid linear range [%d, %d) step %d: need min < max and step dividing max-min", min, max, step)
	}
	n := (max-min)/step + 2
	if n > 1<<20 {
		return nil, fmt.Errorf("hist: linear range [%d, %d) step %d has %d slots, more than %d", min, max, step, n, 1<<20)
	}
	return &Hist{Kind: Linear, Min: min, Max: max, Step: step, Slots: make([]uint64, n)}, nil
}

// Log2Slot returns the slot of v in a log2 histogram: 0 for 0, otherwise
// floor(log2(v)) + 1.
func Log2Slot(v uint64) int { return bits.Len64(v) }

// Log2Range returns the values that slot i of a log2 histogram counts:
// [low, high], both inclusive.
func Log2Range(i int) (low, high uint64) {
	switch {
	case i <= 0:
		return 0, 0
	case i >= 64:
		return 1 << 63, 1<<64 - 1
	}
	return 1 << (i - 1), 1<<i - 1
}

// LinearSlot returns the slot of v in a linear histogram over [min, max) in
// steps of step: 0 below min, 1 + (v-min)/step inside, and the last slot at
// or above max.
func LinearSlot(v, min, max, step uint64) int {
	switch {
	case v < min:
		return 0
	case v >= max:
		return int((max-min)/step) + 1
	}
	return int((v-min)/step) + 1
}

// Slot returns the slot that counts v.
func (h *Hist) Slot(v uint64) int {
	if h.Kind == Linear {
		return LinearSlot(v, h.Min, h.Max, h.Step)
	}
	return Log2Slot(v)
}

// Add counts one occurrence of v.
func (h *Hist) Add(v uint64) { h.Slots[h.Slot(v)]++ }

// Total returns the sum of all slots.
func (h *Hist) Total() uint64 {
	var t uint64
	for _, c := range h.Slots {
		t += c
	}
	return t
}

// Merge adds the counts of o, which must be of the same shape, to h.
func (h *Hist) Merge(o *Hist) error {
	if o.Kind != h.Kind || len(o.Slots) != len(h.Slots) || o.Min != h.Min || o.Max != h.Max || o.Step != h.Step {
		return fmt.Errorf("hist: cannot merge %v histogram of %d slots into %v histogram of %d slots", o.Kind, len(o.Slots), h.Kind, len(h.Slots))
	}
	for i, c := range o.Slots {
		h.Slots[i] += c
	}
	return nil
}

// Reset zeroes every slot.
func (h *Hist) Reset() { clear(h.Slots) }

// Clone returns a deep copy of h.
func (h *Hist) Clone() *Hist {
	c := *h
	c.Slots = append([]uint64(nil), h.Slots...)
	return &c
}

// Bucket is one slot with the values it counts, both bounds inclusive.
type Bucket struct {
	Low, High uint64
	Count     uint64
	// Under and Over mark a linear histogram's slots below Min and at or
	// above Max.
	Under, Over bool
}

// Bucket returns slot i with its bounds.
func (h *Hist) Bucket(i int) Bucket {
	b := Bucket{Count: h.Slots[i]}
	if h.Kind == Log2 {
		b.Low, b.High = Log2Range(i)
		return b
	}
	last := len(h.Slots) - 1
	switch {
	case i == 0:
		b.Under, b.High = true, h.Min
		if h.Min > 0 {
			b.High--
		}
	case i == last:
		b.Over, b.Low, b.High = true, h.Max, 1<<64-1
	default:
		b.Low = h.Min + uint64(i-1)*h.Step
		b.High = b.Low + h.Step - 1
	}
	return b
}

// SlotsSize returns the size in bytes of the in-map value of a histogram of
// n slots.
func SlotsSize(n int) int { return 8 * n }

// Decode fills h.Slots from a map value: len(h.Slots) little-endian u64
// counts. It fails if the value has another size.
func (h *Hist) Decode(value []byte) error {
	if len(value) != 8*len(h.Slots) {
		return fmt.Errorf("hist: map value of %d bytes, want %d (%d u64 slots)", len(value), 8*len(h.Slots), len(h.Slots))
	}
	for i := range h.Slots {
		h.Slots[i] = binary.LittleEndian.Uint64(value[8*i:])
	}
	return nil
}

// AddValue adds the counts of a map value (as Decode reads it) to h. Per-CPU
// maps give one such value per CPU.
func (h *Hist) AddValue(value []byte) error {
	if len(value) != 8*len(h.Slots) {
		return fmt.Errorf("hist: map value of %d bytes, want %d (%d u64 slots)", len(value), 8*len(h.Slots), len(h.Slots))
	}
	for i := range h.Slots {
		h.Slots[i] += binary.LittleEndian.Uint64(value[8*i:])
	}
	return nil
}

// Encode appends h's in-map value to b.
func (h *Hist) Encode(b []byte) []byte {
	for _, c := range h.Slots {
		b = binary.LittleEndian.AppendUint64(b, c)
	}
	return b
}

// used returns the first and last non-empty slots, or -1, -1.
func (h *Hist) used() (first, last int) {
	first, last = -1, -1
	for i, c := range h.Slots {
		if c != 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last
}

func (h *Hist) max() uint64 {
	var m uint64
	for _, c := range h.Slots {
		m = max(m, c)
	}
	return m
}
