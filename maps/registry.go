package maps

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// A handle is how programs name a map: the map's id under a tag in the top
// 16 bits. User-space addresses on 64-bit Linux stay below 2^56, so a
// handle is never the address of runtime memory, and it is never zero.
const (
	handleTag   = uint64(0xB9F0) << 48
	handleMask  = uint64(0xFFFF) << 48
	regChunkLen = 1 << 10
	regChunks   = 1 << 10
	maxID       = regChunkLen*regChunks - 1
)

type regEntry struct{ m Map }

type regChunk [regChunkLen]atomic.Pointer[regEntry]

var registry struct {
	mu     sync.Mutex
	next   uint32 // next id to try, cyclic like the kernel's idr
	live   int
	chunks [regChunks]atomic.Pointer[regChunk]
}

// register gives m an id and makes it reachable through FromHandle.
func register(m Map) (uint32, error) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if registry.live >= maxID {
		return 0, fmt.Errorf("too many maps (%d): %w", registry.live, ErrNoSpace)
	}
	e := &regEntry{m: m}
	for {
		registry.next++
		if registry.next > maxID {
			registry.next = 1
		}
		id := registry.next
		c := registry.chunks[id/regChunkLen].Load()
		if c == nil {
			c = new(regChunk)
			registry.chunks[id/regChunkLen].Store(c)
		}
		if c[id%regChunkLen].Load() == nil {
			c[id%regChunkLen].Store(e)
			registry.live++
			return id, nil
		}
	}
}

func unregister(id uint32) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if c := registry.chunks[id/regChunkLen].Load(); c != nil && c[id%regChunkLen].Load() != nil {
		c[id%regChunkLen].Store(nil)
		registry.live--
	}
}

// Handle returns the 64-bit value by which programs refer to m: non-zero
// and never an address of runtime memory. The loader puts it where a
// pseudo map fd lddw points.
func Handle(m Map) uint64 {
	if m == nil {
		return 0
	}
	return handleTag | uint64(m.ID())
}

// FromHandle returns the map a handle refers to, or nil if h is not the
// handle of a live map. It takes no lock and does not allocate.
func FromHandle(h uint64) Map {
	if h&handleMask != handleTag {
		return nil
	}
	return FromID(uint32(h))
}

// FromID returns the live map with the given id, or nil.
func FromID(id uint32) Map {
	if id == 0 || id > maxID {
		return nil
	}
	c := registry.chunks[id/regChunkLen].Load()
	if c == nil {
		return nil
	}
	e := c[id%regChunkLen].Load()
	if e == nil {
		return nil
	}
	return e.m
}
