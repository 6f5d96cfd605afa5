package gbpf

import (
	"fmt"
	"time"

	"github.com/gbpf/gbpf/maps"
)

// RingBufRecord is a record read from a ring buffer.
type RingBufRecord = maps.RingBufRecord

// PerfRecord is a record read from a perf event array, or a count of lost
// records.
type PerfRecord = maps.PerfRecord

// ringSource is what a RingBufReader reads: the runtime's reader, or the
// kernel's through cilium/ebpf.
type ringSource interface {
	ReadInto(rec *maps.RingBufRecord) error
	SetDeadline(t time.Time)
	BufferSize() int
	AvailableBytes() int
	Close() error
}

// perfSource is what a PerfReader reads.
type perfSource interface {
	ReadInto(rec *maps.PerfRecord) error
	SetDeadline(t time.Time)
	Close() error
}

// RingBufReader reads the records that programs submit to a ring buffer
// map, of either backend, like cilium/ebpf's ringbuf.Reader.
type RingBufReader struct {
	src ringSource
	// rt is src for a runtime map: called directly, so that Read costs
	// what the runtime's reader costs.
	rt *maps.RingBufReader
}

// NewRingBufReader returns a reader of the records that programs submit to
// a ring buffer map. Read blocks until a record arrives, the reader's
// deadline passes (os.ErrDeadlineExceeded) or it is closed (os.ErrClosed).
func NewRingBufReader(m *Map) (*RingBufReader, error) {
	if k, ok := asKernelMap(m.m); ok {
		src, err := newKernelRingBuf(k)
		if err != nil {
			return nil, fmt.Errorf("map %s: %w", m.name, err)
		}
		return &RingBufReader{src: src}, nil
	}
	rt, err := maps.NewRingBufReader(m.m)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", m.name, err)
	}
	return &RingBufReader{src: rt, rt: rt}, nil
}

// Read returns the next record.
func (r *RingBufReader) Read() (RingBufRecord, error) {
	if r.rt != nil {
		return r.rt.Read()
	}
	var rec RingBufRecord
	err := r.src.ReadInto(&rec)
	return rec, err
}

// ReadInto reads the next record into rec, reusing its buffer.
func (r *RingBufReader) ReadInto(rec *RingBufRecord) error { return r.src.ReadInto(rec) }

// SetDeadline makes Read return os.ErrDeadlineExceeded once t has passed;
// the zero time removes the deadline.
func (r *RingBufReader) SetDeadline(t time.Time) { r.src.SetDeadline(t) }

// BufferSize returns the size of the ring in bytes.
func (r *RingBufReader) BufferSize() int { return r.src.BufferSize() }

// AvailableBytes returns how many bytes of records wait to be read.
func (r *RingBufReader) AvailableBytes() int { return r.src.AvailableBytes() }

// Close releases the reader; a blocked Read returns os.ErrClosed.
func (r *RingBufReader) Close() error { return r.src.Close() }

// PerfReader reads the records that programs send to a perf event array
// with bpf_perf_event_output, of either backend, like cilium/ebpf's
// perf.Reader.
type PerfReader struct {
	src perfSource
	rt  *maps.PerfReader // src for a runtime map, called directly
}

// NewPerfReader attaches a reader with a buffer of perCPUBuffer bytes per
// CPU to a perf event array map; bpf_perf_event_output sends to it.
func NewPerfReader(m *Map, perCPUBuffer int) (*PerfReader, error) {
	if k, ok := asKernelMap(m.m); ok {
		src, err := newKernelPerf(k, perCPUBuffer)
		if err != nil {
			return nil, fmt.Errorf("map %s: %w", m.name, err)
		}
		return &PerfReader{src: src}, nil
	}
	rt, err := maps.NewPerfReader(m.m, perCPUBuffer)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", m.name, err)
	}
	return &PerfReader{src: rt, rt: rt}, nil
}

// Read returns the next record.
func (r *PerfReader) Read() (PerfRecord, error) {
	if r.rt != nil {
		return r.rt.Read()
	}
	var rec PerfRecord
	err := r.src.ReadInto(&rec)
	return rec, err
}

// ReadInto reads the next record into rec, reusing its buffer.
func (r *PerfReader) ReadInto(rec *PerfRecord) error { return r.src.ReadInto(rec) }

// SetDeadline makes Read return os.ErrDeadlineExceeded once t has passed;
// the zero time removes the deadline.
func (r *PerfReader) SetDeadline(t time.Time) { r.src.SetDeadline(t) }

// Close releases the reader; a blocked Read returns os.ErrClosed.
func (r *PerfReader) Close() error { return r.src.Close() }
