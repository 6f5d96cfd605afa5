package tools

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/kernel"
)

// Record is one tracepoint record handed to copy mode.
type Record struct {
	// TP is the index of the tracepoint in the source's Tracepoints.
	TP int
	// Time is when it fired, in CLOCK_MONOTONIC nanoseconds.
	Time uint64
	// CPU is where it fired.
	CPU int
	// Raw is the record, valid only during the callback.
	Raw []byte
}

// RecordSource yields tracepoint records for copy mode: live from perf
// rings, or from recordings.
type RecordSource interface {
	// Tracepoints lists the tracepoints and their record layouts.
	Tracepoints() []Tracepoint
	Formats() []*kernel.Format
	// Read waits up to timeout for records, then hands every available one
	// to fn in time order. It returns io.EOF when a recording is used up.
	Read(timeout time.Duration, fn func(*Record) error) error
	// Lost is the number of records the kernel dropped.
	Lost() uint64
	Close() error
}

// liveSource reads tracepoints through kernel.TracepointReaders and merges
// their records by time.
type liveSource struct {
	tps     []Tracepoint
	formats []*kernel.Format
	readers []*kernel.TracepointReader
	batch   batch
}

// settle is how long after a record's time it is surely in its ring. Read
// hands out only records older than that, so that a record drained from one
// ring never overtakes an older one still being written to another (an
// I/O's completion overtaking its issue).
const settle = 2 * time.Millisecond

// monotonic returns CLOCK_MONOTONIC in nanoseconds, the records' clock.
func monotonic() uint64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return uint64(ts.Nano())
}

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

// A recording is a file of raw records of one tracepoint, beside the
// tracepoint's format file. It starts with recMagic, the group and the
// name (each a u16 length and the bytes), then holds records: u64 time,
// u32 cpu, u32 length, the raw bytes. Integers are little-endian.
const recMagic = "GBPFREC1"

// Recorder writes a recording.
type Recorder struct {
	w   *bufio.Writer
	hdr [16]byte
}

// NewRecorder starts a recording of tracepoint tp on w.
func NewRecorder(w io.Writer, tp Tracepoint) (*Recorder, error) {
	bw := bufio.NewWriter(w)
	bw.WriteString(recMagic)
	for _, s := range []string{tp.Group, tp.Name} {
		if len(s) > 0xffff {
			return nil, fmt.Errorf("recording: name %q too long", s)
		}
		binary.Write(bw, binary.LittleEndian, uint16(len(s)))
		bw.WriteString(s)
	}
	return &Recorder{w: bw}, nil
}

// Write appends one record.
func (r *Recorder) Write(rec *Record) error {
	binary.LittleEndian.PutUint64(r.hdr[0:], rec.Time)
	binary.LittleEndian.PutUint32(r.hdr[8:], uint32(rec.CPU))
	binary.LittleEndian.PutUint32(r.hdr[12:], uint32(len(rec.Raw)))
	r.w.Write(r.hdr[:])
	_, err := r.w.Write(rec.Raw)
	return err
}

// Flush writes buffered records out.
func (r *Recorder) Flush() error { return r.w.Flush() }

// fileSource replays recordings.
type fileSource struct {
	tps     []Tracepoint
	formats []*kernel.Format
	recs    []Record
	done    bool
}

// OpenRecordings reads recordings (path.rec files, each with path.format
// beside it) and replays their records merged by time, all in the first
// Read.
func OpenRecordings(paths ...string) (RecordSource, error) {
	s := &fileSource{}
	for i, path := range paths {
		tp, recs, err := readRecording(path, i)
		if err != nil {
			return nil, err
		}
		formatPath := strings.TrimSuffix(path, ".rec") + ".format"
		b, err := os.ReadFile(formatPath)
		if err != nil {
			return nil, fmt.Errorf("recording %s: %w", path, err)
		}
		format, err := kernel.ParseFormat(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", formatPath, err)
		}
		if format.Name != tp.Name {
			return nil, fmt.Errorf("recording %s is of %s but %s describes %s", path, tp, formatPath, format.Name)
		}
		format.Group = tp.Group
		s.tps = append(s.tps, tp)
		s.formats = append(s.formats, format)
		s.recs = append(s.recs, recs...)
	}
	slices.SortStableFunc(s.recs, func(x, y Record) int { return cmpTime(x.Time, y.Time) })
	return s, nil
}

func readRecording(path string, tpIndex int) (Tracepoint, []Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Tracepoint{}, nil, err
	}
	fail := func(off int, format string, args ...any) (Tracepoint, []Record, error) {
		return Tracepoint{}, nil, fmt.Errorf("recording %s at byte %d: %s", path, off, fmt.Sprintf(format, args...))
	}
	if !bytes.HasPrefix(b, []byte(recMagic)) {
		return fail(0, "not a recording (no %q)", recMagic)
	}
	off := len(recMagic)
	var names [2]string
	for i := range names {
		if off+2 > len(b) {
			return fail(off, "truncated header")
		}
		n := int(binary.LittleEndian.Uint16(b[off:]))
		off += 2
		if off+n > len(b) {
			return fail(off, "truncated header")
		}
		names[i] = string(b[off : off+n])
		off += n
	}
	tp := Tracepoint{names[0], names[1]}
	var recs []Record
	for off < len(b) {
		if off+16 > len(b) {
			return fail(off, "truncated record header")
		}
		t := binary.LittleEndian.Uint64(b[off:])
		cpu := binary.LittleEndian.Uint32(b[off+8:])
		n := int(binary.LittleEndian.Uint32(b[off+12:]))
		off += 16
		if n > len(b)-off {
			return fail(off, "record of %d bytes past the end of the file", n)
		}
		recs = append(recs, Record{TP: tpIndex, Time: t, CPU: int(cpu), Raw: b[off : off+n : off+n]})
		off += n
	}
	return tp, recs, nil
}

func (s *fileSource) Tracepoints() []Tracepoint { return s.tps }
func (s *fileSource) Formats() []*kernel.Format { return s.formats }
func (s *fileSource) Lost() uint64              { return 0 }
func (s *fileSource) Close() error              { return nil }

func (s *fileSource) Read(_ time.Duration, fn func(*Record) error) error {
	if s.done {
		return io.EOF
	}
	s.done = true
	for i := range s.recs {
		if err := fn(&s.recs[i]); err != nil {
			return err
		}
	}
	return nil
}
