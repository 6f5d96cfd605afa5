package maps

import (
	"encoding/binary"
	"fmt"
	"time"
)

// PerfRecord is one record read from a perf event array.
type PerfRecord struct {
	// CPU is the index (CPU) the record was written to.
	CPU int
	// RawSample is the sample; empty when the record reports losses.
	RawSample []byte
	// LostSamples is the number of samples dropped on this CPU because
	// its buffer was full, reported before the next sample.
	LostSamples uint64
}

// PerfReader reads the per-CPU buffers of a PerfEventArray, like
// cilium/ebpf's perf.Reader. It attaches a buffer of perCPUBuffer bytes to
// every index of the map; Close detaches them.
type PerfReader struct {
	m      *PerfEventMap
	bufs   []*perfBuffer
	next   int // round-robin position
	notify chan struct{}
	wait   readWait
}

// NewPerfReader attaches buffers of perCPUBuffer bytes (rounded up to a
// multiple of 8) to every index of m, a PerfEventArray, replacing earlier
// ones.
func NewPerfReader(m Map, perCPUBuffer int) (*PerfReader, error) {
	p, ok := m.(*PerfEventMap)
	if !ok {
		return nil, fmt.Errorf("perf reader of %s: %w", typeOf(m), ErrInvalid)
	}
	if perCPUBuffer < 16 {
		return nil, invalidf("perf reader: buffer size %d too small", perCPUBuffer)
	}
	size := round8(uint64(perCPUBuffer))
	r := &PerfReader{m: p, notify: make(chan struct{}, 1)}
	r.wait.init()
	for i := range p.bufs {
		b := &perfBuffer{buf: make([]byte, size), reader: r}
		r.bufs = append(r.bufs, b)
		p.bufs[i].Store(b)
	}
	return r, nil
}

func (r *PerfReader) wake() { wake(r.notify) }

// SetDeadline makes Read return os.ErrDeadlineExceeded once t has passed;
// the zero time means no deadline.
func (r *PerfReader) SetDeadline(t time.Time) {
	r.wait.setDeadline(t)
	r.wake()
}

// Close detaches the reader's buffers; pending and future Reads return
// os.ErrClosed.
func (r *PerfReader) Close() error {
	r.wait.close(func() {
		for i, b := range r.bufs {
			r.m.bufs[i].CompareAndSwap(b, nil)
		}
	})
	return nil
}

// Read returns the next record.
func (r *PerfReader) Read() (PerfRecord, error) {
	var rec PerfRecord
	err := r.ReadInto(&rec)
	return rec, err
}

// ReadInto reads the next record into rec, reusing rec.RawSample's memory.
func (r *PerfReader) ReadInto(rec *PerfRecord) error {
	return r.wait.read(r.notify, func() (bool, error) { return r.tryRead(rec), nil })
}

// tryRead takes a record from the next CPU that has one.
func (r *PerfReader) tryRead(rec *PerfRecord) bool {
	for k := 0; k < len(r.bufs); k++ {
		i := (r.next + k) % len(r.bufs)
		b := r.bufs[i]
		b.mu.Lock()
		if b.tail == b.head {
			// Losses happened after the samples still buffered, so they
			// are reported once those are read.
			if b.lost != 0 {
				rec.CPU, rec.LostSamples, rec.RawSample = i, b.lost, rec.RawSample[:0]
				b.lost = 0
				b.mu.Unlock()
				r.next = i + 1
				return true
			}
			b.mu.Unlock()
			continue
		}
		var hdr [4]byte
		b.read(hdr[:], b.tail)
		n := int(binary.NativeEndian.Uint32(hdr[:]))
		if cap(rec.RawSample) >= n {
			rec.RawSample = rec.RawSample[:n]
		} else {
			rec.RawSample = make([]byte, n)
		}
		b.read(rec.RawSample, b.tail+4)
		b.tail += round8(uint64(4 + n))
		b.mu.Unlock()
		rec.CPU, rec.LostSamples = i, 0
		r.next = i + 1
		return true
	}
	return false
}
