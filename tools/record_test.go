package tools

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gbpf/gbpf/kernel"
)

// The recordings in testdata are real block tracepoint records of this
// project's development machine, taken by
//
//	GBPF_RECORD=1 go test -run TestRecordBlock ./tools
//
// during direct-I/O dd runs of several block sizes.
var recordedTracepoints = []Tracepoint{
	{"block", "block_rq_insert"},
	{"block", "block_rq_issue"},
	{"block", "block_rq_complete"},
}

func recordingPaths() []string {
	var paths []string
	for _, tp := range recordedTracepoints {
		paths = append(paths, filepath.Join("testdata", tp.Name+".rec"))
	}
	return paths
}

func TestRecordBlock(t *testing.T) {
	if os.Getenv("GBPF_RECORD") != "1" {
		t.Skip("set GBPF_RECORD=1 to record testdata/block_rq_*.rec from the running kernel")
	}
	requireKernel(t)
	dir := blockBackedDir(t)
	src, err := OpenLive(recordedTracepoints, kernel.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, w := range []struct{ bs, count int }{{4096, 40}, {16384, 20}, {131072, 10}, {1 << 20, 4}} {
		directWrites(t, dir, w.bs, w.count)
	}
	time.Sleep(100 * time.Millisecond)
	var files []*os.File
	var recs []*Recorder
	for i, tp := range recordedTracepoints {
		f, err := os.Create(filepath.Join("testdata", tp.Name+".rec"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		r, err := NewRecorder(f, tp)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
		dirTracefs, err := kernel.TracefsDir()
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dirTracefs, "events", tp.Group, tp.Name, "format"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", tp.Name+".format"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		_ = i
	}
	n := 0
	for {
		before := n
		err := src.Read(100*time.Millisecond, func(r *Record) error {
			n++
			return recs[r.TP].Write(r)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == before {
			break
		}
	}
	for i := range recs {
		if err := recs[i].Flush(); err != nil {
			t.Fatal(err)
		}
		files[i].Close()
	}
	t.Logf("recorded %d records, %d lost", n, src.Lost())
}

func TestRecordingRoundTrip(t *testing.T) {
	dir := t.TempDir()
	tp := Tracepoint{"block", "block_rq_issue"}
	var buf bytes.Buffer
	r, err := NewRecorder(&buf, tp)
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{{Time: 30, CPU: 1, Raw: []byte("late")}, {Time: 10, CPU: 0, Raw: []byte("early record")}, {Time: 20, Raw: nil}}
	for i := range want {
		if err := r.Write(&want[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "block_rq_issue.rec")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	format, err := os.ReadFile(filepath.Join("testdata", "block_rq_issue.format"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "block_rq_issue.format"), format, 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := OpenRecordings(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var times []uint64
	err = src.Read(0, func(r *Record) error {
		got = append(got, string(r.Raw))
		times = append(times, r.Time)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != "early record" || got[1] != "" || got[2] != "late" || times[0] != 10 || times[2] != 30 {
		t.Errorf("replayed %q at %v, want time order", got, times)
	}
	if err := src.Read(0, func(*Record) error { return nil }); err != io.EOF {
		t.Errorf("second Read = %v, want io.EOF", err)
	}
	// Damaged recordings fail with the byte offset.
	for _, cut := range []int{4, 10, buf.Len() - 3} {
		if err := os.WriteFile(path, buf.Bytes()[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenRecordings(path); err == nil {
			t.Errorf("recording cut at %d bytes: no error", cut)
		}
	}
}

// TestBatchOrdersAndHoldsBack checks the merge of live rings: records come
// out in time order up to the cut-off, and younger ones wait for the next
// round with their bytes intact.
func TestBatchOrdersAndHoldsBack(t *testing.T) {
	var b batch
	add := func(tp int, tm uint64, raw string) {
		b.add(tp, &kernel.Sample{Time: tm, Raw: []byte(raw)})
	}
	add(0, 30, "issue-30")
	add(0, 10, "issue-10")
	add(1, 20, "complete-20")
	add(1, 50, "complete-50")
	var got []string
	collect := func(r *Record) error {
		got = append(got, fmt.Sprintf("%d:%d:%s", r.TP, r.Time, r.Raw))
		return nil
	}
	if err := b.emit(30, collect); err != nil {
		t.Fatal(err)
	}
	add(0, 40, "issue-40")
	if err := b.emit(100, collect); err != nil {
		t.Fatal(err)
	}
	want := []string{"0:10:issue-10", "1:20:complete-20", "0:30:issue-30", "0:40:issue-40", "1:50:complete-50"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// An error stops the round; the unseen records come in the next.
	got = nil
	add(0, 60, "a")
	add(0, 70, "b")
	stop := errors.New("stop")
	err := b.emit(100, func(r *Record) error {
		got = append(got, string(r.Raw))
		return stop
	})
	if err != stop {
		t.Fatalf("emit = %v, want the callback's error", err)
	}
	if err := b.emit(100, func(r *Record) error { got = append(got, string(r.Raw)); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[a b]" {
		t.Errorf("after an error: %v, want [a b]", got)
	}
	if n := testing.AllocsPerRun(100, func() {
		add(0, 1, "steady")
		b.emit(100, func(*Record) error { return nil })
	}); n != 0 {
		t.Errorf("a warm batch allocates %v times a round", n)
	}
}
