package helpers

import (
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/maps"
)

// Flags of the perf and ring buffer helpers.
const (
	perfIndexMask  = 0xffffffff // BPF_F_INDEX_MASK
	perfCurrentCPU = 0xffffffff // BPF_F_CURRENT_CPU
	ringbufFlags   = 3          // BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP
)

// ringbufOutput is bpf_ringbuf_output(ringbuf, data, size, flags).
func ringbufOutput(env *engine.Env, r1, r2, r3, r4, _ uint64) uint64 {
	rb, ok := maps.FromHandle(r1).(*maps.RingBufMap)
	if !ok {
		return errnoEINVAL
	}
	data, ok := arg(env, r2, r3, false)
	if !ok {
		return errnoEFAULT
	}
	return uint64(rb.Output(data, r4))
}

// ringbufReserve is bpf_ringbuf_reserve(ringbuf, size, flags): the address
// of size bytes in the ring, or 0.
func ringbufReserve(env *engine.Env, r1, r2, r3, _, _ uint64) uint64 {
	rb, ok := maps.FromHandle(r1).(*maps.RingBufMap)
	if !ok || r3 != 0 {
		return 0
	}
	s := state(env)
	if s == nil {
		return 0
	}
	a := rb.Reserve(r2)
	if a == 0 {
		return 0
	}
	s.reserved = append(s.reserved, reservation{addr: a, ring: rb})
	grant(env, a, r2, true)
	return a
}

// ringbufSubmit is bpf_ringbuf_submit(data, flags).
func ringbufSubmit(env *engine.Env, r1, r2, _, _, _ uint64) uint64 {
	return ringbufCommit(env, r1, r2, false)
}

// ringbufDiscard is bpf_ringbuf_discard(data, flags).
func ringbufDiscard(env *engine.Env, r1, r2, _, _, _ uint64) uint64 {
	return ringbufCommit(env, r1, r2, true)
}

// ringbufCommit submits or discards the record at addr, which the run
// must have reserved (the State keeps the run's open reservations).
func ringbufCommit(env *engine.Env, addr, flags uint64, discard bool) uint64 {
	s := state(env)
	if s == nil || flags&^ringbufFlags != 0 {
		return 0
	}
	var rb *maps.RingBufMap
	for i, r := range s.reserved {
		if r.addr == addr {
			rb = r.ring
			s.reserved = append(s.reserved[:i], s.reserved[i+1:]...)
			break
		}
	}
	if rb == nil {
		return 0
	}
	if discard {
		rb.Discard(addr, flags)
	} else {
		rb.Submit(addr, flags)
	}
	return 0
}

// ringbufQuery is bpf_ringbuf_query(ringbuf, flags).
func ringbufQuery(_ *engine.Env, r1, r2, _, _, _ uint64) uint64 {
	rb, ok := maps.FromHandle(r1).(*maps.RingBufMap)
	if !ok {
		return 0
	}
	return rb.Query(r2)
}

// perfEventOutput is bpf_perf_event_output(ctx, map, flags, data, size):
// it sends data to the reader of the perf buffer at index flags (the
// current CPU's for BPF_F_CURRENT_CPU).
func perfEventOutput(env *engine.Env, _, r2, r3, r4, r5 uint64) uint64 {
	pm, ok := maps.FromHandle(r2).(*maps.PerfEventMap)
	if !ok || r3&^perfIndexMask != 0 {
		return errnoEINVAL
	}
	data, ok := arg(env, r4, r5, false)
	if !ok {
		return errnoEFAULT
	}
	index := int(r3 & perfIndexMask)
	if r3&perfIndexMask == perfCurrentCPU {
		index = cpu(env)
	}
	return uint64(pm.Output(index, data))
}

// reservation is a ring buffer record a run reserved and has not yet
// submitted or discarded.
type reservation struct {
	addr uint64
	ring *maps.RingBufMap
}

// releaseReservations discards the records a run left open (which only an
// unverified program can do), so that the ring does not stall.
func (s *State) releaseReservations() {
	for _, r := range s.reserved {
		r.ring.Discard(r.addr, 0)
	}
	clear(s.reserved)
	s.reserved = s.reserved[:0]
}
