package maps

import (
	"errors"
	"os"
	"testing"
	"time"
)

// TestReadIntoAllocatesNothing checks that both readers take a waiting
// record, and wait out a deadline, without allocating once rec's buffer
// is large enough.
func TestReadIntoAllocatesNothing(t *testing.T) {
	rb, rrd := newRing(t, 1<<12)
	ringRec := RingBufRecord{RawSample: make([]byte, 0, 64)}
	data := runtimeBytes(t, []byte("sample"))

	SetNumCPU(2)
	defer SetNumCPU(defaultCPUs)
	m := mustNew(t, &Spec{Type: PerfEventArray, KeySize: 4, ValueSize: 4})
	pm := m.(*PerfEventMap)
	prd, err := NewPerfReader(m, 256)
	if err != nil {
		t.Fatal(err)
	}
	defer prd.Close()
	perfRec := PerfRecord{RawSample: make([]byte, 0, 64)}

	for _, tt := range []struct {
		name string
		read func() error
	}{
		{"ringbuf", func() error {
			if r := rb.Output(data, 0); r != 0 {
				t.Fatalf("output: %d", r)
			}
			return rrd.ReadInto(&ringRec)
		}},
		{"perf", func() error {
			if r := pm.Output(1, []byte("sample")); r != 0 {
				t.Fatalf("output: %d", r)
			}
			return prd.ReadInto(&perfRec)
		}},
		{"ringbuf deadline", func() error {
			rrd.SetDeadline(time.Now().Add(-time.Second))
			defer rrd.SetDeadline(time.Time{})
			if err := rrd.ReadInto(&ringRec); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("read past the deadline: %v", err)
			}
			return nil
		}},
		{"perf deadline", func() error {
			prd.SetDeadline(time.Now().Add(-time.Second))
			defer prd.SetDeadline(time.Time{})
			if err := prd.ReadInto(&perfRec); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("read past the deadline: %v", err)
			}
			return nil
		}},
	} {
		var err error
		n := testing.AllocsPerRun(100, func() {
			if e := tt.read(); e != nil {
				err = e
			}
		})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if n != 0 {
			t.Errorf("%s: ReadInto allocates %v times", tt.name, n)
		}
	}
	if string(ringRec.RawSample) != "sample" || string(perfRec.RawSample) != "sample" || perfRec.CPU != 1 {
		t.Errorf("records %q and %q (CPU %d), want \"sample\" from CPU 1", ringRec.RawSample, perfRec.RawSample, perfRec.CPU)
	}
}
