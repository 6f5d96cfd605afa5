package maps

import (
	"fmt"
	"os"
	"time"

	"github.com/gbpf/gbpf/internal/engine"
)

// RingBufRecord is one record read from a ring buffer.
type RingBufRecord struct {
	// RawSample is the record's data.
	RawSample []byte
	// Remaining is the number of bytes still unread in the ring after
	// this record.
	Remaining int
}

// RingBufReader reads records from a RingBuf map, like cilium/ebpf's
// ringbuf.Reader. Read blocks until a record is committed, the deadline
// passes (os.ErrDeadlineExceeded) or the reader or map is closed
// (os.ErrClosed). A ring has at most one reader at a time.
type RingBufReader struct {
	rb   *RingBufMap
	wait readWait
}

// NewRingBufReader returns a reader of m, which must be a RingBuf map.
func NewRingBufReader(m Map) (*RingBufReader, error) {
	rb, ok := m.(*RingBufMap)
	if !ok {
		return nil, fmt.Errorf("ring buffer reader of %s: %w", typeOf(m), ErrInvalid)
	}
	r := &RingBufReader{rb: rb}
	r.wait.init()
	return r, nil
}

// SetDeadline makes Read return os.ErrDeadlineExceeded once t has passed;
// the zero time means no deadline.
func (r *RingBufReader) SetDeadline(t time.Time) {
	r.wait.setDeadline(t)
	r.rb.wake() // let a blocked Read look at the new deadline
}

// Close makes pending and future Reads return os.ErrClosed.
func (r *RingBufReader) Close() error {
	r.wait.close(nil)
	return nil
}

// BufferSize returns the size of the ring's data area.
func (r *RingBufReader) BufferSize() int { return int(r.rb.mask + 1) }

// AvailableBytes returns the number of bytes committed or reserved but not
// yet read.
func (r *RingBufReader) AvailableBytes() int {
	r.rb.memMu.RLock()
	defer r.rb.memMu.RUnlock()
	if r.rb.closed.Load() {
		return 0
	}
	return int(r.rb.Query(RingBufAvailData))
}

// Read returns the next record.
func (r *RingBufReader) Read() (RingBufRecord, error) {
	var rec RingBufRecord
	err := r.ReadInto(&rec)
	return rec, err
}

// ReadInto reads the next record into rec, reusing rec.RawSample's
// memory when it is large enough.
func (r *RingBufReader) ReadInto(rec *RingBufRecord) error {
	return r.wait.read(r.rb.notify, func() (bool, error) { return r.tryRead(rec) })
}

// tryRead consumes committed records up to the first sample, skipping
// discarded ones. It reports whether it filled rec.
func (r *RingBufReader) tryRead(rec *RingBufRecord) (bool, error) {
	rb := r.rb
	rb.memMu.RLock()
	defer rb.memMu.RUnlock()
	if rb.closed.Load() {
		return false, os.ErrClosed
	}
	cons := load64(rb.cons)
	prod := load64(rb.prod)
	for cons < prod {
		hdr := rb.data + cons&rb.mask
		l := load32(hdr)
		if l&RingBufBusyBit != 0 {
			return false, nil // not committed yet
		}
		size := uint64(l &^ (RingBufBusyBit | RingBufDiscardBit))
		next := cons + round8(size+RingBufHeaderSize)
		if l&RingBufDiscardBit == 0 {
			if uint64(cap(rec.RawSample)) >= size {
				rec.RawSample = rec.RawSample[:size]
			} else {
				rec.RawSample = make([]byte, size)
			}
			copy(rec.RawSample, engine.Bytes(hdr+RingBufHeaderSize, size))
			store64(rb.cons, next)
			rec.Remaining = int(prod - next)
			return true, nil
		}
		cons = next
		store64(rb.cons, cons)
	}
	return false, nil
}
