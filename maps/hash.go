package maps

import (
	"bytes"
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/epoch"
)

// Element header in runtime memory, before the key and the value.
const (
	hdrNext  = 0  // uint32: index+1 of the next element in the bucket, 0 ends
	hdrHash  = 4  // uint32: the key's hash
	hdrRef   = 8  // uint32: LRU reference bit
	hdrState = 12 // uint32: 1 while linked into a bucket
	hdrSize  = 16
)

// hashMap is Hash, PerCPUHash, LRUHash, LRUCPUHash and HashOfMaps.
//
// Buckets (a power of two, at least MaxEntries, like Linux) hold singly
// linked chains of slab elements. Lookups walk a chain without locks;
// writers take the bucket's lock, link new elements at the head and unlink
// old ones, and retire unlinked elements through the epoch scheme, so a
// reader never sees an element reused under it. Replacing the value of an
// existing key links a new element and retires the old one (the reader of
// the old address keeps reading the old, intact value), except for per-CPU
// values and BPF_F_LOCK updates, which Linux also writes in place.
//
// LRU maps evict with the CLOCK (second chance) algorithm instead of
// failing when full: lookups from programs set an element's reference bit,
// and eviction sweeps a hand over the slab, clearing set bits and evicting
// the first element found clear. Like the kernel's LRU this approximates
// least-recently-used order; it does not keep exact recency.
type hashMap struct {
	base
	slab   *slab
	heads  []atomic.Uint32
	locks  []sync.Mutex
	mask   uint32
	seed   maphash.Seed
	count  atomic.Int64
	keyOff uint64
	valOff uint64
	lru    bool
	ofMaps bool
	hand   atomic.Uint32
}

func newHash(s *Spec) (*hashMap, error) {
	h := &hashMap{}
	h.init(h, s)
	h.seed = maphash.MakeSeed()
	h.keyOff = hdrSize
	h.valOff = hdrSize + round8(uint64(s.KeySize))
	h.lru = s.Type == LRUHash || s.Type == LRUCPUHash
	h.ofMaps = s.Type == HashOfMaps
	prealloc := s.MaxEntries
	if s.Flags&NoPrealloc != 0 {
		prealloc = 0
	}
	sl, err := newSlab(h.valOff+uint64(h.ncpu)*h.stride, prealloc, s.MaxEntries)
	if err != nil {
		return nil, err
	}
	h.slab = sl
	// One bucket per element like Linux, up to 16M buckets; larger maps
	// get longer chains rather than a giant bucket array.
	nb := uint32(1)
	for nb < s.MaxEntries && nb < 1<<24 {
		nb <<= 1
	}
	h.heads = make([]atomic.Uint32, nb)
	h.locks = make([]sync.Mutex, nb)
	h.mask = nb - 1
	return h, nil
}

func (h *hashMap) hash(key []byte) uint32 {
	x := maphash.Bytes(h.seed, key)
	return uint32(x) ^ uint32(x>>32)
}

func load32(addr uint64) uint32     { return atomic.LoadUint32(engine.Atomic32(addr)) }
func store32(addr uint64, v uint32) { atomic.StoreUint32(engine.Atomic32(addr), v) }

// find returns index+1 of key's element in bucket b, or 0.
func (h *hashMap) find(b uint32, key []byte, hv uint32) uint32 {
	ks := uint64(len(key))
	for i := h.heads[b].Load(); i != 0; {
		a := h.slab.addr(i - 1)
		if load32(a+hdrHash) == hv && bytes.Equal(engine.Bytes(a+h.keyOff, ks), key) {
			return i
		}
		i = load32(a + hdrNext)
	}
	return 0
}

// lookup returns the address of key's element, or 0.
func (h *hashMap) lookup(key []byte) uint64 {
	hv := h.hash(key)
	if i := h.find(hv&h.mask, key, hv); i != 0 {
		return h.slab.addr(i - 1)
	}
	return 0
}

// LookupElem returns the address of key's value (CPU cpu's copy for
// per-CPU maps, the inner map's handle for HashOfMaps), or 0.
func (h *hashMap) LookupElem(key []byte, cpu int) uint64 {
	key, ok := h.keyOf(key)
	if !ok {
		return 0
	}
	a := h.lookup(key)
	if a == 0 {
		return 0
	}
	if h.lru && load32(a+hdrRef) == 0 {
		store32(a+hdrRef, 1)
	}
	if h.ofMaps {
		return innerHandle(load32(a + h.valOff))
	}
	return a + h.valOff + uint64(cpuIndex(cpu, h.ncpu))*h.stride
}

// UpdateElem is bpf_map_update_elem from a program.
func (h *hashMap) UpdateElem(key, value []byte, flags uint64, cpu int) int64 {
	if h.ofMaps {
		return errnoEOPNOTSUPP
	}
	key, ok := h.keyOf(key)
	if !ok || h.shortValue(value) {
		return errnoEINVAL
	}
	if h.progReadOnly() {
		return errnoEPERM
	}
	return h.update(key, value, flags, cpu, false)
}

// DeleteElem is bpf_map_delete_elem from a program.
func (h *hashMap) DeleteElem(key []byte) int64 {
	key, ok := h.keyOf(key)
	if !ok {
		return errnoEINVAL
	}
	if h.progReadOnly() {
		return errnoEPERM
	}
	if h.remove(key, nil) {
		return 0
	}
	return errnoENOENT
}

// writeValue stores a value into the element at a: all CPUs' copies from
// a Go-side value, or one CPU's copy.
func (h *hashMap) writeValue(a uint64, value []byte, lock bool, cpu int, all bool) {
	v := a + h.valOff
	if all {
		h.copyInAll(v, value, lock)
		return
	}
	v += uint64(cpuIndex(cpu, h.ncpu)) * h.stride
	h.copyIn(engine.Bytes(v, uint64(h.spec.ValueSize)), value, lock)
}

// update creates or replaces key's element. With all set, value holds
// every CPU's copy (the Go side); otherwise one ValueSize for CPU cpu.
func (h *hashMap) update(key, value []byte, flags uint64, cpu int, all bool) int64 {
	if r := h.checkUpdateFlags(flags); r != 0 {
		return r
	}
	lock := flags&UpdateLock != 0
	hv := h.hash(key)
	b := hv & h.mask
	if lock {
		// BPF_F_LOCK on an existing element writes in place under the
		// value's spin lock, without the bucket lock.
		g := epoch.Enter()
		i := h.find(b, key, hv)
		switch {
		case i != 0 && flags&UpdateNoExist != 0:
			g.Leave()
			return errnoEEXIST
		case i == 0 && flags&UpdateExist != 0:
			g.Leave()
			return errnoENOENT
		case i != 0:
			h.writeValue(h.slab.addr(i-1), value, true, cpu, all)
			g.Leave()
			return 0
		}
		g.Leave()
	}
	reserved := false
	for {
		h.locks[b].Lock()
		old := h.find(b, key, hv)
		switch {
		case old != 0 && flags&UpdateNoExist != 0:
			h.locks[b].Unlock()
			h.unreserve(reserved)
			return errnoEEXIST
		case old == 0 && flags&UpdateExist != 0:
			h.locks[b].Unlock()
			h.unreserve(reserved)
			return errnoENOENT
		case old != 0 && (h.spec.Type.hasPerCPUValues() || lock):
			// Per-CPU values are written in place, like Linux.
			h.writeValue(h.slab.addr(old-1), value, lock, cpu, all)
			h.locks[b].Unlock()
			h.unreserve(reserved)
			return 0
		}
		if old == 0 && !reserved {
			// A new element needs room. Make it outside the bucket lock:
			// LRU eviction takes other buckets' locks.
			h.locks[b].Unlock()
			if r := h.reserve(); r != 0 {
				return r
			}
			reserved = true
			continue
		}
		idx, ok := h.slab.alloc()
		if !ok {
			h.locks[b].Unlock()
			h.unreserve(reserved)
			return errnoENOSPC
		}
		a := h.slab.addr(idx)
		store32(a+hdrHash, hv)
		copy(engine.Bytes(a+h.keyOff, uint64(len(key))), key)
		h.writeValue(a, value, false, cpu, all)
		store32(a+hdrRef, 1)
		store32(a+hdrState, 1)
		store32(a+hdrNext, h.heads[b].Load())
		h.heads[b].Store(idx + 1) // publish
		if old != 0 {
			h.unlinkLocked(b, old)
			h.unreserve(reserved)
		}
		h.locks[b].Unlock()
		return 0
	}
}

// reserve counts a new element in. When the map is full, an LRU map
// evicts an element and hands its place over to the caller, so that
// concurrent inserters cannot take it away.
func (h *hashMap) reserve() int64 {
	max := int64(h.spec.MaxEntries)
	for tries := 0; tries < 64; {
		if c := h.count.Load(); c < max {
			if h.count.CompareAndSwap(c, c+1) {
				return 0
			}
			continue
		}
		tries++
		if !h.lru {
			return errnoE2BIG
		}
		if h.evict() {
			return 0
		}
	}
	return errnoE2BIG
}

func (h *hashMap) unreserve(reserved bool) {
	if reserved {
		h.count.Add(-1)
	}
}

// unlinkLocked removes element i (index+1) from bucket b, whose lock is
// held, and retires it. It reports whether i was in the bucket.
func (h *hashMap) unlinkLocked(b, i uint32) bool {
	a := h.slab.addr(i - 1)
	next := load32(a + hdrNext)
	if h.heads[b].Load() == i {
		h.heads[b].Store(next)
	} else {
		found := false
		for p := h.heads[b].Load(); p != 0; {
			pa := h.slab.addr(p - 1)
			n := load32(pa + hdrNext)
			if n == i {
				store32(pa+hdrNext, next)
				found = true
				break
			}
			p = n
		}
		if !found {
			return false
		}
	}
	store32(a+hdrState, 0)
	h.slab.release(i - 1)
	return true
}

// remove deletes key's element, copying its value to out first if out is
// not nil. It reports whether the key existed.
func (h *hashMap) remove(key, out []byte) bool {
	hv := h.hash(key)
	b := hv & h.mask
	h.locks[b].Lock()
	i := h.find(b, key, hv)
	if i == 0 {
		h.locks[b].Unlock()
		return false
	}
	if out != nil {
		h.copyOutAll(out, h.slab.addr(i-1)+h.valOff, false)
	}
	h.unlinkLocked(b, i)
	h.count.Add(-1)
	h.locks[b].Unlock()
	return true
}

// evict removes one element chosen by the CLOCK hand, leaving the count
// of elements unchanged for the caller's new element.
func (h *hashMap) evict() bool {
	n := uint32(len(*h.slab.bases.Load())) << h.slab.shift
	if n == 0 {
		return false
	}
	for tries := uint32(0); tries < 2*n+2; tries++ {
		idx := (h.hand.Add(1) - 1) % n
		a := h.slab.addr(idx)
		if load32(a+hdrState) != 1 {
			continue
		}
		if load32(a+hdrRef) != 0 {
			store32(a+hdrRef, 0)
			continue
		}
		b := load32(a+hdrHash) & h.mask
		h.locks[b].Lock()
		if load32(a+hdrState) == 1 && h.unlinkLocked(b, idx+1) {
			// The count stays: the caller takes over the place.
			h.locks[b].Unlock()
			return true
		}
		h.locks[b].Unlock()
	}
	return false
}

// Lookup copies key's value (the inner map's id for HashOfMaps).
func (h *hashMap) Lookup(key, valueOut []byte) error {
	return h.LookupWithFlags(key, valueOut, 0)
}

// LookupWithFlags copies key's value, under its spin lock with UpdateLock.
func (h *hashMap) LookupWithFlags(key, valueOut []byte, flags uint64) error {
	if err := h.checkLookupFlags(flags); err != nil {
		return err
	}
	key, valueOut, err := h.lookupArgs(key, valueOut)
	if err != nil {
		return err
	}
	g := epoch.Enter()
	defer g.Leave()
	a := h.lookup(key)
	if a == 0 {
		return ErrKeyNotExist
	}
	h.copyOutAll(valueOut, a+h.valOff, flags&UpdateLock != 0)
	return nil
}

// Update creates or replaces key's element.
func (h *hashMap) Update(key, value []byte, flags uint64) error {
	key, value, err := h.updateArgs(key, value, flags)
	if err != nil {
		return err
	}
	if h.ofMaps {
		if err := checkInner(h.spec, value); err != nil {
			return err
		}
	}
	return errorOf(h.update(key, value, flags, 0, true))
}

// Delete removes key's element.
func (h *hashMap) Delete(key []byte) error {
	key, err := h.keyArg(key)
	if err != nil {
		return err
	}
	if err := h.checkWrite(); err != nil {
		return err
	}
	if !h.remove(key, nil) {
		return ErrKeyNotExist
	}
	return nil
}

// LookupAndDelete copies key's value and removes the element.
func (h *hashMap) LookupAndDelete(key, valueOut []byte) error {
	key, err := h.keyArg(key)
	if err != nil {
		return err
	}
	if valueOut, err = h.valueArg(valueOut); err != nil {
		return err
	}
	if err := h.checkWrite(); err != nil {
		return err
	}
	if !h.remove(key, valueOut) {
		return ErrKeyNotExist
	}
	return nil
}

// NextKey follows Linux: the next element in key's bucket, else the first
// element of the following buckets; a missing key restarts at the first.
func (h *hashMap) NextKey(key, nextKeyOut []byte) error {
	if h.closed.Load() {
		return ErrClosed
	}
	ks := int(h.spec.KeySize)
	if len(nextKeyOut) < ks {
		return invalidf("%s: next key buffer is %d bytes, need %d", h.spec.Type, len(nextKeyOut), ks)
	}
	g := epoch.Enter()
	defer g.Leave()
	b := uint32(0)
	if key != nil {
		k, err := h.keyArg(key)
		if err != nil {
			return err
		}
		hv := h.hash(k)
		if i := h.find(hv&h.mask, k, hv); i != 0 {
			if n := load32(h.slab.addr(i-1) + hdrNext); n != 0 {
				copy(nextKeyOut, engine.Bytes(h.slab.addr(n-1)+h.keyOff, uint64(ks)))
				return nil
			}
			b = hv&h.mask + 1
		}
	}
	for ; b <= h.mask; b++ {
		if i := h.heads[b].Load(); i != 0 {
			copy(nextKeyOut, engine.Bytes(h.slab.addr(i-1)+h.keyOff, uint64(ks)))
			return nil
		}
	}
	return ErrKeyNotExist
}

// Memory returns the runtime memory holding the elements now, for checked
// runs; it grows with the map.
func (h *hashMap) Memory() []engine.Region { return h.slab.regions(!h.progReadOnly()) }

// Len returns the number of elements.
func (h *hashMap) Len() int { return int(h.count.Load()) }

// Close frees the map's memory.
func (h *hashMap) Close() error {
	if !h.close() {
		return nil
	}
	for i := range h.heads {
		h.heads[i].Store(0) // later program lookups find nothing
	}
	h.slab.destroy()
	return nil
}
