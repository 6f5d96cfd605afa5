package tools

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/hist"
)

// recordedPartitions names the disk of the recordings.
var recordedPartitions = Partitions{MkDev(254, 0): "vda"}

// expectedBitesize computes bitesize's histograms from recorded
// block_rq_issue records in Go, with the field layout from the recorded
// format file: the oracle for the BPF program run in copy mode.
func expectedBitesize(t *testing.T, comm string) map[string]*hist.Hist {
	t.Helper()
	src, err := OpenRecordings(filepath.Join("testdata", "block_rq_issue.rec"))
	if err != nil {
		t.Fatal(err)
	}
	f := src.Formats()[0]
	want := map[string]*hist.Hist{}
	err = src.Read(0, func(r *Record) error {
		c, err := f.Field("comm").String(r.Raw)
		if err != nil {
			return err
		}
		n, err := f.Field("bytes").Uint(r.Raw)
		if err != nil {
			return err
		}
		if comm != "" && c != comm {
			return nil
		}
		if want[c] == nil {
			want[c] = hist.NewLog2()
		}
		want[c].Add(n / 1024)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

func compareKeyed(t *testing.T, got []Keyed, want map[string]*hist.Hist, key func(Keyed) string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d histograms, want %d", len(got), len(want))
	}
	for _, k := range got {
		w := want[key(k)]
		if w == nil {
			t.Errorf("unexpected histogram %q", key(k))
			continue
		}
		if fmt.Sprint(k.Hist.Slots) != fmt.Sprint(w.Slots) {
			var g, ww bytes.Buffer
			hist.WriteBCC(&g, k.Hist, "x")
			hist.WriteBCC(&ww, w, "x")
			t.Errorf("histogram %q:\n%s\nwant:\n%s", key(k), g.String(), ww.String())
		}
	}
}

// TestBitesizeCopyRecorded runs bitesize's BPF program in gbpf's runtime on
// recorded block_rq_issue records, with no kernel involved.
func TestBitesizeCopyRecorded(t *testing.T) {
	for _, comm := range []string{"", "dd"} {
		t.Run("comm="+comm, func(t *testing.T) {
			src, err := OpenRecordings(filepath.Join("testdata", "block_rq_issue.rec"))
			if err != nil {
				t.Fatal(err)
			}
			b, err := NewBitesize(BitesizeOptions{Mode: ModeCopy, Source: src, Comm: comm, Partitions: recordedPartitions})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			snap, err := b.Read(true)
			if err != nil {
				t.Fatal(err)
			}
			want := expectedBitesize(t, comm)
			if snap.Stats.Faults != 0 {
				t.Errorf("%d program faults: %v", snap.Stats.Faults, b.s.be.(*copyBackend).lastFault())
			}
			if snap.Total() == 0 {
				t.Fatal("no events counted")
			}
			compareKeyed(t, snap.Hists, want, func(k Keyed) string { return k.Labels[0].Value })
			// Read(true) cleared the maps.
			again, err := b.Read(false)
			if err != nil {
				t.Fatal(err)
			}
			if again.Total() != 0 {
				t.Errorf("after clearing: %d events", again.Total())
			}
			var out bytes.Buffer
			if err := WriteSnapshot(&out, snap, FormatBCC, false); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "\nProcess Name = dd\n     kbytes              : count     distribution\n") {
				t.Errorf("bcc output lacks dd's section:\n%s", out.String())
			}
		})
	}
}

// expectedBiolatency pairs recorded issue (or insert) and complete records
// by device and sector, in time order, as biolatency's program does.
func expectedBiolatency(t *testing.T, opts BiolatencyOptions) map[string]*hist.Hist {
	t.Helper()
	src, err := OpenRecordings(recordingPaths()...)
	if err != nil {
		t.Fatal(err)
	}
	type skey struct {
		dev    uint32
		sector uint64
	}
	start := map[skey]uint64{}
	want := map[string]*hist.Hist{}
	formats := src.Formats()
	err = src.Read(0, func(r *Record) error {
		f := formats[r.TP]
		dev, _ := f.Field("dev").Uint(r.Raw)
		sector, _ := f.Field("sector").Uint(r.Raw)
		k := skey{uint32(dev), sector}
		switch src.Tracepoints()[r.TP].Name {
		case "block_rq_insert":
			if opts.Queued {
				start[k] = r.Time
			}
		case "block_rq_issue":
			if _, ok := start[k]; !ok || !opts.Queued {
				start[k] = r.Time
			}
		case "block_rq_complete":
			ts, ok := start[k]
			if !ok {
				return nil
			}
			delete(start, k)
			if r.Time < ts {
				return nil
			}
			d := r.Time - ts
			if opts.Milliseconds {
				d /= 1_000_000
			} else {
				d /= 1000
			}
			var labels []string
			if opts.PerDisk {
				labels = append(labels, recordedPartitions.Name(uint32(dev)))
			}
			if opts.PerFlag {
				rwbs, _ := f.Field("rwbs").Raw(r.Raw)
				labels = append(labels, FlagsName(cString(rwbs[:8])))
			}
			key := strings.Join(labels, ",")
			if want[key] == nil {
				want[key] = hist.NewLog2()
			}
			want[key].Add(d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// TestBiolatencyCopyRecorded runs biolatency's three programs in gbpf's
// runtime on recorded insert, issue and complete records merged by time.
func TestBiolatencyCopyRecorded(t *testing.T) {
	tests := []struct {
		name string
		opts BiolatencyOptions
	}{
		{"plain", BiolatencyOptions{}},
		{"Q", BiolatencyOptions{Queued: true}},
		{"DF", BiolatencyOptions{PerDisk: true, PerFlag: true}},
		{"m-d", BiolatencyOptions{Milliseconds: true, Disk: "vda"}},
	}
	for _, tt := range tests {
		opts := tt.opts
		t.Run(tt.name, func(t *testing.T) {
			paths := recordingPaths()
			if !opts.Queued {
				paths = paths[1:]
			}
			src, err := OpenRecordings(paths...)
			if err != nil {
				t.Fatal(err)
			}
			opts.Mode, opts.Source, opts.Partitions = ModeCopy, src, recordedPartitions
			b, err := NewBiolatency(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			snap, err := b.Read(true)
			if err != nil {
				t.Fatal(err)
			}
			if snap.Stats.Faults != 0 {
				t.Errorf("%d program faults: %v", snap.Stats.Faults, b.s.be.(*copyBackend).lastFault())
			}
			if snap.Total() == 0 {
				t.Fatal("no latencies counted")
			}
			want := expectedBiolatency(t, opts)
			compareKeyed(t, snap.Hists, want, func(k Keyed) string {
				var vals []string
				for _, l := range k.Labels {
					vals = append(vals, l.Value)
				}
				return strings.Join(vals, ",")
			})
		})
	}
}

func TestCopyRejectsWrongLayout(t *testing.T) {
	src, err := OpenRecordings(filepath.Join("testdata", "block_rq_issue.rec"))
	if err != nil {
		t.Fatal(err)
	}
	src.Formats()[0].Field("bytes").Offset = 24
	_, err = NewBitesize(BitesizeOptions{Mode: ModeCopy, Source: src})
	if err == nil || !strings.Contains(err.Error(), "field bytes is at offset 24 size 4 here, the program expects offset 28") {
		t.Errorf("moved field: %v", err)
	}
}
