package maps

import (
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/epoch"
	"github.com/gbpf/gbpf/internal/proc"
)

// maxSlabBytes bounds what a map preallocates, so that an absurd
// MaxEntries fails with ENOMEM instead of exhausting memory.
const maxSlabBytes = 1 << 33

// slabShards is the number of independently locked free lists; writers on
// different processors rarely meet on one lock.
const slabShards = 8

// slabRun is how many neighbouring elements a shard gets at a time.
const slabRun = 8

// slab hands out fixed-size, 8-byte aligned elements of runtime memory by
// index. Memory comes in chunks (one engine.Block each), so an element
// never moves and an address, once handed to a program, stays mapped until
// the map is closed. Freed elements go through limbo: they are reused only
// after the epoch scheme says no run that could have seen them is left.
type slab struct {
	elemSize uint64
	shift    uint // log2 of elements per chunk
	bases    atomic.Pointer[[]uint64]

	growMu sync.Mutex
	blocks []*engine.Block
	n      uint32 // elements created so far; growMu

	shards [slabShards]slabShard
}

// slabShard is one free list with its own limbo.
type slabShard struct {
	mu      sync.Mutex
	free    []uint32
	limbo   limboRing
	retires uint64 // elements retired here so far
	_       [64]byte
}

type retired struct {
	idx   uint32
	epoch uint64
}

// limboRing is a FIFO of retired elements, oldest first, so their epochs
// are non-decreasing.
type limboRing struct {
	buf        []retired
	head, size int
}

func (r *limboRing) push(x retired) {
	if r.size == len(r.buf) {
		n := make([]retired, max(16, 2*len(r.buf)))
		for i := 0; i < r.size; i++ {
			n[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = n, 0
	}
	r.buf[(r.head+r.size)%len(r.buf)] = x
	r.size++
}

func (r *limboRing) peek() (retired, bool) {
	if r.size == 0 {
		return retired{}, false
	}
	return r.buf[r.head], true
}

func (r *limboRing) pop() {
	r.head = (r.head + 1) % len(r.buf)
	r.size--
}

// newSlab makes a slab of elements of size bytes (rounded up to 8) and
// preallocates prealloc of them; hint is the number of elements the map
// expects to hold at most.
func newSlab(size uint64, prealloc, hint uint32) (*slab, error) {
	s := &slab{elemSize: round8(max(size, 8))}
	// Chunks of up to 1 MiB (at least one element), smaller when the map
	// is small, so that even a large map needs few mappings.
	per := uint64(1)
	for (per*2)*s.elemSize <= 1<<20 && per < 1<<16 && per < max(uint64(hint), 16) {
		per <<= 1
	}
	s.shift = uint(bits.TrailingZeros64(per))
	if uint64(prealloc)*s.elemSize > maxSlabBytes {
		return nil, fmt.Errorf("preallocating %d elements of %d bytes: %w", prealloc, s.elemSize, eNOMEM)
	}
	empty := []uint64{}
	s.bases.Store(&empty)
	s.growMu.Lock()
	defer s.growMu.Unlock()
	for s.n < prealloc {
		if err := s.grow(); err != nil {
			s.destroyLocked()
			return nil, err
		}
	}
	return s, nil
}

// addr returns the address of element idx.
func (s *slab) addr(idx uint32) uint64 {
	b := *s.bases.Load()
	return b[idx>>s.shift] + uint64(idx&(1<<s.shift-1))*s.elemSize
}

// bytes returns element idx's memory.
func (s *slab) bytes(idx uint32) []byte { return engine.Bytes(s.addr(idx), s.elemSize) }

// grow adds a chunk and deals its elements out to the shards; s.growMu
// is held.
func (s *slab) grow() error {
	per := uint32(1) << s.shift
	blk, err := engine.Alloc(int(uint64(per) * s.elemSize))
	if err != nil {
		return err
	}
	s.blocks = append(s.blocks, blk)
	old := *s.bases.Load()
	nb := make([]uint64, len(old)+1)
	copy(nb, old)
	nb[len(old)] = blk.Addr()
	s.bases.Store(&nb)
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		// Lower indices end up on top of each free list. A shard gets
		// runs of slabRun neighbours, so that elements taken on different
		// processors (alloc) rarely share a cache line.
		for j := per; j > 0; j-- {
			if idx := s.n + j - 1; idx/slabRun%slabShards == uint32(i) {
				sh.free = append(sh.free, idx)
			}
		}
		sh.mu.Unlock()
	}
	s.n += per
	return nil
}

// take pops a free element of the shard: the oldest retired one when its
// grace period is over (that keeps the working set small), else a free
// one.
func (sh *slabShard) take() (uint32, bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if r, ok := sh.limbo.peek(); ok && epoch.Now() >= r.epoch+2 {
		sh.limbo.pop()
		return r.idx, true
	}
	if n := len(sh.free); n > 0 {
		idx := sh.free[n-1]
		sh.free = sh.free[:n-1]
		return idx, true
	}
	return 0, false
}

// alloc returns a free element, zeroed. It looks in the shard of the
// processor it runs on first, then in the others; if none has one it tries
// once to end a grace period, and grows the slab when still nothing is
// free.
func (s *slab) alloc() (uint32, bool) {
	start := uint32(proc.ID())
	for pass := 0; pass < 2; pass++ {
		for i := uint32(0); i < slabShards; i++ {
			if idx, ok := s.shards[(start+i)%slabShards].take(); ok {
				clear(s.bytes(idx))
				return idx, true
			}
		}
		if pass == 0 {
			epoch.Advance()
		}
	}
	s.growMu.Lock()
	err := s.grow()
	s.growMu.Unlock()
	if err != nil {
		return 0, false
	}
	return s.alloc()
}

// release retires idx: it becomes free once every run that may still hold
// its address has left.
func (s *slab) release(idx uint32) {
	e := epoch.Now()
	sh := &s.shards[idx%slabShards]
	sh.mu.Lock()
	sh.limbo.push(retired{idx: idx, epoch: e})
	sh.retires++
	n := sh.retires
	sh.mu.Unlock()
	if n%32 == 0 {
		epoch.Advance() // let grace periods end without waiting for a full slab
	}
}

// regions returns the slab's chunks as they are now; the slab may grow
// later.
func (s *slab) regions(writable bool) []engine.Region {
	s.growMu.Lock()
	defer s.growMu.Unlock()
	rs := make([]engine.Region, 0, len(s.blocks))
	for _, b := range s.blocks {
		rs = append(rs, b.Region(writable))
	}
	return rs
}

// destroy unmaps all memory. No program may run on the map any more.
func (s *slab) destroy() {
	s.growMu.Lock()
	defer s.growMu.Unlock()
	s.destroyLocked()
}

func (s *slab) destroyLocked() {
	for _, b := range s.blocks {
		b.Free()
	}
	s.blocks = nil
	empty := []uint64{}
	s.bases.Store(&empty)
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.free, sh.limbo = nil, limboRing{}
		sh.mu.Unlock()
	}
}
