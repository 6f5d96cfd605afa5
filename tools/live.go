package tools

import (
	"errors"
	"slices"
	"time"

	"github.com/gbpf/gbpf/kernel"
)

// liveSource reads tracepoints through kernel.TracepointReaders and merges
// their records by time.
type liveSource struct {
	tps     []Tracepoint
	formats []*kernel.Format
	readers []*kernel.TracepointReader
	batch   batch
	one     Record // the record handed out by a single-tracepoint source
}

// settle is how long after a record's time it is surely in its ring. Read
// hands out only records older than that, so that a record drained from one
// ring never overtakes an older one still being written to another (an
// I/O's completion overtaking its issue).
const settle = 2 * time.Millisecond

// batch collects records from several rings, hands them out in time order
// up to a cut-off, and keeps the younger ones for the next round.
type batch struct {
	arena []byte
	recs  []Record
	offs  []int // start of each record's bytes in arena
	keepA []byte
	keepR []Record
	keepO []int
}

func (b *batch) add(tp int, s *kernel.Sample) {
	b.offs = append(b.offs, len(b.arena))
	b.arena = append(b.arena, s.Raw...)
	b.recs = append(b.recs, Record{TP: tp, Time: s.Time, CPU: s.CPU})
}

// emit hands fn the records no younger than cut, in time order, and keeps
// the rest.
func (b *batch) emit(cut uint64, fn func(*Record) error) error {
	for i := range b.recs {
		end := len(b.arena)
		if i+1 < len(b.offs) {
			end = b.offs[i+1]
		}
		b.recs[i].Raw = b.arena[b.offs[i]:end:end]
	}
	slices.SortStableFunc(b.recs, func(x, y Record) int { return cmpTime(x.Time, y.Time) })
	n := 0
	for n < len(b.recs) && b.recs[n].Time <= cut {
		n++
	}
	var err error
	from := n // the first record to keep: the young ones, or after an error the unseen ones
	for i := range b.recs[:n] {
		if err = fn(&b.recs[i]); err != nil {
			from = i + 1
			break
		}
	}
	keep := b.recs[from:]
	b.keepA, b.keepR, b.keepO = b.keepA[:0], b.keepR[:0], b.keepO[:0]
	for _, r := range keep {
		b.keepO = append(b.keepO, len(b.keepA))
		b.keepA = append(b.keepA, r.Raw...)
		r.Raw = nil
		b.keepR = append(b.keepR, r)
	}
	b.arena, b.keepA = b.keepA, b.arena
	b.recs, b.keepR = b.keepR, b.recs
	b.offs, b.keepO = b.keepO, b.offs
	return err
}

func cmpTime(x, y uint64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// OpenLive opens every tracepoint in tps for copying.
func OpenLive(tps []Tracepoint, opts kernel.ReaderOptions) (RecordSource, error) {
	s := &liveSource{tps: tps}
	for _, tp := range tps {
		r, err := kernel.OpenTracepoint(tp.Group, tp.Name, opts)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.readers = append(s.readers, r)
		s.formats = append(s.formats, r.Format())
	}
	return s, nil
}

func (s *liveSource) Tracepoints() []Tracepoint { return s.tps }
func (s *liveSource) Formats() []*kernel.Format { return s.formats }

func (s *liveSource) Read(timeout time.Duration, fn func(*Record) error) error {
	if len(s.readers) == 1 {
		// One tracepoint: nothing to merge, so hand the records out
		// straight from the ring, CPU by CPU, without copying them.
		_, err := s.readers[0].Read(timeout, func(smp *kernel.Sample) error {
			s.one = Record{Time: smp.Time, CPU: smp.CPU, Raw: smp.Raw}
			return fn(&s.one)
		})
		return err
	}
	cut := monotonic() - uint64(settle)
	for i, r := range s.readers {
		wait := time.Duration(0)
		if i == 0 {
			wait = timeout
		}
		_, err := r.Read(wait, func(smp *kernel.Sample) error {
			s.batch.add(i, smp)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return s.batch.emit(cut, fn)
}

func (s *liveSource) Lost() uint64 {
	var n uint64
	for _, r := range s.readers {
		n += r.Lost()
	}
	return n
}

func (s *liveSource) Close() error {
	var errs []error
	for _, r := range s.readers {
		errs = append(errs, r.Close())
	}
	return errors.Join(errs...)
}
