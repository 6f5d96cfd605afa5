// Package epoch implements epoch-based reclamation (EBR), the user-space
// counterpart of the kernel's RCU that gbpf uses for map memory.
//
// A program run is a read-side critical section: the runtime calls Enter
// before the run and Leave after it. Memory that a writer unlinks while runs
// may still hold its address is retired with the current epoch (Now) and
// handed back for reuse only once Safe reports that every run which could
// have seen it has left.
//
// Readers announce themselves in a fixed table of cache-line padded slots.
// A slot word packs the announced epoch and the number of runs sharing the
// slot, so Enter and Leave are one compare-and-swap and one atomic add on a
// slot that is, with high probability, private to the caller: no global
// lock, no allocation. The global epoch advances only when every occupied
// slot has announced the current epoch; memory retired in epoch e is safe
// once the global epoch reaches e+2.
package epoch

import (
	"sync/atomic"

	"github.com/gbpf/gbpf/internal/proc"
)

// numSlots is the size of the reader table. Runs beyond this many at once
// share slots, which stays correct and only delays reclamation.
const numSlots = 128

const (
	countBits = 24
	countMask = 1<<countBits - 1
)

type slot struct {
	word atomic.Uint64 // epoch<<countBits | active runs
	_    [56]byte
}

var (
	global atomic.Uint64 // current epoch, starts at 1
	slots  [numSlots]slot
)

func init() { global.Store(1) }

// Guard marks one read-side critical section. Leave ends it. The zero
// Guard is not inside any section; its Leave does nothing.
type Guard struct {
	slot uint32 // slot index + 1
}

// Enter starts a read-side critical section and returns its Guard. Every
// Enter must be matched by exactly one Leave of the returned Guard.
func Enter() Guard {
	// Start at the slot of the processor the goroutine runs on: runs on
	// different processors then touch different slots.
	start := uint32(proc.ID()) % numSlots
	// First pass: take an idle slot, or join one that already announces
	// the current epoch (joining never holds the epoch back).
	for i := uint32(0); i < numSlots; i++ {
		idx := (start + i) % numSlots
		s := &slots[idx].word
		for {
			e := global.Load()
			w := s.Load()
			n := w & countMask
			if n != 0 && w>>countBits != e {
				break // busy with an older epoch: look elsewhere
			}
			if n == countMask {
				break
			}
			nw := e<<countBits | (n + 1)
			if s.CompareAndSwap(w, nw) {
				return Guard{slot: idx + 1}
			}
		}
	}
	// Every slot is busy with an older epoch: join the first one with room.
	// Its older announcement is conservative, so this is always safe.
	for i := uint32(0); ; i++ {
		idx := (start + i) % numSlots
		s := &slots[idx].word
		w := s.Load()
		if w&countMask == countMask {
			continue
		}
		var nw uint64
		if w&countMask == 0 {
			nw = global.Load()<<countBits | 1
		} else {
			nw = w + 1
		}
		if s.CompareAndSwap(w, nw) {
			return Guard{slot: idx + 1}
		}
	}
}

// Leave ends the critical section started by the Enter that returned g.
// It must be called exactly once per Enter.
func (g Guard) Leave() {
	if g.slot != 0 {
		slots[g.slot-1].word.Add(^uint64(0))
	}
}

// Now returns the current epoch. Memory unlinked before the call is tagged
// with the result when it is retired.
func Now() uint64 { return global.Load() }

// Advance moves the global epoch forward by one if every active reader has
// announced the current epoch, and returns the epoch after the attempt.
func Advance() uint64 {
	e := global.Load()
	for i := range slots {
		w := slots[i].word.Load()
		if w&countMask != 0 && w>>countBits != e {
			return global.Load()
		}
	}
	global.CompareAndSwap(e, e+1)
	return global.Load()
}

// Safe reports whether memory retired in epoch retired can be reused: no
// run that started before it was retired is still running. It tries to
// advance the epoch first.
func Safe(retired uint64) bool {
	e := global.Load()
	if e >= retired+2 {
		return true
	}
	e = Advance()
	if e < retired+2 {
		e = Advance()
	}
	return e >= retired+2
}
