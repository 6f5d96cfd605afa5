package tools

import (
	"path/filepath"
	"testing"
)

// BenchmarkCopyRun measures copy mode's per-record work: running
// bitesize's program in gbpf's runtime on one recorded block_rq_issue
// record.
func BenchmarkCopyRun(b *testing.B) {
	src, err := OpenRecordings(filepath.Join("testdata", "block_rq_issue.rec"))
	if err != nil {
		b.Fatal(err)
	}
	var recs [][]byte
	src.Read(0, func(r *Record) error {
		recs = append(recs, r.Raw)
		return nil
	})
	u, err := loadRuntime("bitesize", []string{"block_rq_issue"})
	if err != nil {
		b.Fatal(err)
	}
	defer u.close()
	if err := u.update("config", make([]byte, 4), make([]byte, 32)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := u.run(0, recs[i%len(recs)], uint64(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// TestCopyRunAllocatesNothing checks that copy mode's hot path, one program
// run per record, allocates nothing.
func TestCopyRunAllocatesNothing(t *testing.T) {
	src, err := OpenRecordings(filepath.Join("testdata", "block_rq_issue.rec"))
	if err != nil {
		t.Fatal(err)
	}
	var rec []byte
	src.Read(0, func(r *Record) error {
		if rec == nil {
			rec = r.Raw
		}
		return nil
	})
	u, err := loadRuntime("bitesize", []string{"block_rq_issue"})
	if err != nil {
		t.Fatal(err)
	}
	defer u.close()
	if err := u.update("config", make([]byte, 4), make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
	u.run(0, rec, 1) // creates the key's histogram
	if n := testing.AllocsPerRun(1000, func() { u.run(0, rec, 2) }); n != 0 {
		t.Errorf("a program run allocates %v times", n)
	}
}
