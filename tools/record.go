package tools

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

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
