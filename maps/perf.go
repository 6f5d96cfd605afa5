package maps

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
)

// PerfEventMap is PerfEventArray: one output buffer per index (per CPU),
// which a PerfReader attaches. Output copies a sample into the buffer of
// an index; when the buffer is full the sample is lost and counted, like
// the kernel's perf ring, and the reader reports the count.
type PerfEventMap struct {
	base
	bufs []atomic.Pointer[perfBuffer]
}

// perfBuffer is one index's ring of records: a 4-byte length, the data,
// padding to 8 bytes.
type perfBuffer struct {
	mu         sync.Mutex
	buf        []byte
	head, tail uint64 // write and read positions, modulo len(buf)
	lost       uint64
	reader     *PerfReader
}

func newPerfEventArray(s *Spec) (*PerfEventMap, error) {
	if s.MaxEntries > maxGoSlots {
		return nil, fmt.Errorf("%s: MaxEntries %d: %w", s.Type, s.MaxEntries, eNOMEM)
	}
	p := &PerfEventMap{bufs: make([]atomic.Pointer[perfBuffer], s.MaxEntries)}
	p.init(p, s)
	p.noBatch = noBatch
	return p, nil
}

// Output is bpf_perf_event_output for index (the helper resolves
// BPF_F_CURRENT_CPU to the running cpu). It returns 0, -E2BIG for an index
// out of range, -ENOENT when no reader is attached there, or -ENOSPC when
// the buffer is full (the sample is counted as lost).
func (p *PerfEventMap) Output(index int, data []byte) int64 {
	if uint(index) >= uint(len(p.bufs)) {
		return errnoE2BIG
	}
	b := p.bufs[index].Load()
	if b == nil {
		return errnoENOENT
	}
	n := round8(uint64(4 + len(data)))
	b.mu.Lock()
	size := uint64(len(b.buf))
	if b.head+n-b.tail > size {
		b.lost++
		b.mu.Unlock()
		return errnoENOSPC
	}
	var hdr [4]byte
	binary.NativeEndian.PutUint32(hdr[:], uint32(len(data)))
	b.write(b.head, hdr[:])
	b.write(b.head+4, data)
	b.head += n
	r := b.reader
	b.mu.Unlock()
	r.wake()
	return 0
}

// write copies src into the ring at position pos, wrapping around.
func (b *perfBuffer) write(pos uint64, src []byte) {
	off := pos % uint64(len(b.buf))
	k := copy(b.buf[off:], src)
	copy(b.buf, src[k:])
}

// read copies len(dst) bytes from position pos.
func (b *perfBuffer) read(dst []byte, pos uint64) {
	off := pos % uint64(len(b.buf))
	k := copy(dst, b.buf[off:])
	copy(dst[k:], b.buf)
}

func (p *PerfEventMap) unsupported(op string) error {
	return fmt.Errorf("%s: %s: %w", p.spec.Type, op, ErrNotSupported)
}

// Lookup is not supported: the values are perf events.
func (p *PerfEventMap) Lookup(key, valueOut []byte) error { return p.unsupported("lookup") }

// Update is not supported: attach a PerfReader instead.
func (p *PerfEventMap) Update(key, value []byte, flags uint64) error {
	return p.unsupported("update (use NewPerfReader)")
}

// Delete detaches the buffer at index key; Output there fails with -ENOENT.
func (p *PerfEventMap) Delete(key []byte) error {
	key, err := p.keyArg(key)
	if err != nil {
		return err
	}
	i := binary.NativeEndian.Uint32(key)
	if i >= uint32(len(p.bufs)) {
		return ErrFull
	}
	if p.bufs[i].Swap(nil) == nil {
		return ErrKeyNotExist
	}
	return nil
}

// NextKey walks the indexes like an array.
func (p *PerfEventMap) NextKey(key, nextKeyOut []byte) error {
	return arrayNextKey(&p.base, key, nextKeyOut)
}

// Close detaches all buffers.
func (p *PerfEventMap) Close() error {
	if p.close() {
		for i := range p.bufs {
			p.bufs[i].Store(nil)
		}
	}
	return nil
}
