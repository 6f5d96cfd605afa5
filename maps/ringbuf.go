package maps

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/internal/engine"
)

// Ring buffer record header bits and sizes, as in Linux.
const (
	RingBufBusyBit    = 1 << 31 // BPF_RINGBUF_BUSY_BIT: record reserved, not yet committed
	RingBufDiscardBit = 1 << 30 // BPF_RINGBUF_DISCARD_BIT: record discarded
	RingBufHeaderSize = 8       // BPF_RINGBUF_HDR_SZ: u32 len, u32 pg_off
)

// Flags of bpf_ringbuf_output, _submit and _discard.
const (
	RingBufNoWakeup    uint64 = 1 // BPF_RB_NO_WAKEUP
	RingBufForceWakeup uint64 = 2 // BPF_RB_FORCE_WAKEUP
)

// Queries of bpf_ringbuf_query.
const (
	RingBufAvailData uint64 = 0 // BPF_RB_AVAIL_DATA
	RingBufRingSize  uint64 = 1 // BPF_RB_RING_SIZE
	RingBufConsPos   uint64 = 2 // BPF_RB_CONS_POS
	RingBufProdPos   uint64 = 3 // BPF_RB_PROD_POS
)

// RingBufMap is RingBuf, laid out like the kernel's: a page holding the
// consumer position, a page holding the producer position, then the data
// area of MaxEntries bytes, mapped twice in a row so that a record that
// wraps around the end is still contiguous. Each record starts with an
// 8-byte header (length with busy and discard bits, page offset) and is
// padded to 8 bytes. Producers (programs) reserve under a lock and commit
// without one; one Go-side consumer (RingBufReader) reads.
type RingBufMap struct {
	base
	mu     sync.Mutex   // serializes producers, like the kernel's spinlock
	memMu  sync.RWMutex // readers hold it for reading while they touch memory
	mem    unsafe.Pointer
	memLen uintptr
	start  uint64 // address of the consumer page
	cons   uint64 // address of consumer_pos
	prod   uint64 // address of producer_pos
	data   uint64 // address of the data area
	mask   uint64
	notify chan struct{}
}

func newRingBuf(s *Spec) (*RingBufMap, error) {
	r := &RingBufMap{notify: make(chan struct{}, 1)}
	r.init(r, s)
	if err := r.mapMemory(uint64(s.MaxEntries)); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

func load64(addr uint64) uint64     { return atomic.LoadUint64(engine.Atomic64(addr)) }
func store64(addr uint64, v uint64) { atomic.StoreUint64(engine.Atomic64(addr), v) }

// Reserve is bpf_ringbuf_reserve: it reserves size bytes and returns their
// address, or 0 if the ring has no room. The record stays invisible to the
// reader until Submit or Discard. (The helper checks that its flags are 0.)
func (r *RingBufMap) Reserve(size uint64) uint64 {
	if size > r.mask+1-RingBufHeaderSize || size >= RingBufDiscardBit {
		return 0
	}
	n := round8(size + RingBufHeaderSize)
	r.mu.Lock()
	if r.closed.Load() { // Close unmaps the ring under r.mu
		r.mu.Unlock()
		return 0
	}
	cons := load64(r.cons)
	prod := load64(r.prod)
	if prod+n-cons > r.mask { // Linux keeps the ring from filling completely

		r.mu.Unlock()
		return 0
	}
	hdr := r.data + prod&r.mask
	store32(hdr+4, uint32((hdr-r.start)/uint64(pageSize)))
	store32(hdr, uint32(size)|RingBufBusyBit)
	store64(r.prod, prod+n)
	r.mu.Unlock()
	return hdr + RingBufHeaderSize
}

// commit clears the busy bit of the record at addr, marks it discarded if
// asked, and wakes the reader as Linux does: when forced, or when the
// reader has caught up to this record, unless told not to.
func (r *RingBufMap) commit(addr, flags uint64, discard bool) {
	hdr := addr - RingBufHeaderSize
	if hdr < r.data || hdr > r.data+r.mask {
		return // not a record of this ring
	}
	l := load32(hdr)
	if l&RingBufBusyBit == 0 {
		return
	}
	l &^= RingBufBusyBit
	if discard {
		l |= RingBufDiscardBit
	}
	store32(hdr, l)
	if flags&RingBufForceWakeup != 0 || (flags&RingBufNoWakeup == 0 && load64(r.cons)&r.mask == hdr-r.data) {
		r.wake()
	}
}

func (r *RingBufMap) wake() { wake(r.notify) }

// Submit is bpf_ringbuf_submit: it commits the record reserved at addr.
func (r *RingBufMap) Submit(addr, flags uint64) { r.commit(addr, flags, false) }

// Discard is bpf_ringbuf_discard: it drops the record reserved at addr.
func (r *RingBufMap) Discard(addr, flags uint64) { r.commit(addr, flags, true) }

// Output is bpf_ringbuf_output: it copies data into a new record. It
// returns 0, -EINVAL for unknown flags or -EAGAIN if the ring is full.
func (r *RingBufMap) Output(data []byte, flags uint64) int64 {
	if flags&^(RingBufNoWakeup|RingBufForceWakeup) != 0 {
		return errnoEINVAL
	}
	a := r.Reserve(uint64(len(data)))
	if a == 0 {
		return -int64(eAGAIN)
	}
	copy(engine.Bytes(a, uint64(len(data))), data)
	r.commit(a, flags, false)
	return 0
}

// Query is bpf_ringbuf_query.
func (r *RingBufMap) Query(flags uint64) uint64 {
	switch flags {
	case RingBufAvailData:
		return load64(r.prod) - load64(r.cons)
	case RingBufRingSize:
		return r.mask + 1
	case RingBufConsPos:
		return load64(r.cons)
	case RingBufProdPos:
		return load64(r.prod)
	}
	return 0
}

// Memory returns the data area (both mappings) as a region programs may
// write, for checked runs.
func (r *RingBufMap) Memory() []abi.Region {
	return []engine.Region{{Start: r.data, End: r.data + 2*(r.mask+1), Writable: true}}
}

func (r *RingBufMap) unsupported(op string) error {
	return fmt.Errorf("%s: %s: %w", r.spec.Type, op, ErrNotSupported)
}

// Lookup is not supported on ring buffers.
func (r *RingBufMap) Lookup(key, valueOut []byte) error { return r.unsupported("lookup") }

// Update is not supported on ring buffers.
func (r *RingBufMap) Update(key, value []byte, flags uint64) error { return r.unsupported("update") }

// Delete is not supported on ring buffers.
func (r *RingBufMap) Delete(key []byte) error { return r.unsupported("delete") }

// NextKey is not supported on ring buffers.
func (r *RingBufMap) NextKey(key, nextKeyOut []byte) error { return r.unsupported("next key") }

// Close unmaps the ring. Readers return ErrClosed.
func (r *RingBufMap) Close() error {
	if !r.close() {
		return nil
	}
	r.wake()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.memMu.Lock()
	defer r.memMu.Unlock()
	return r.unmapMemory()
}
