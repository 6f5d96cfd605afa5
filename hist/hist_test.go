package hist

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files that gbpf itself produced (json)")

func log2Of(values ...uint64) *Hist {
	h := NewLog2()
	for _, v := range values {
		h.Add(v)
	}
	return h
}

func repeat(v uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func linearOf(t *testing.T, min, max, step uint64, values ...uint64) *Hist {
	t.Helper()
	h, err := NewLinear(min, max, step)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		h.Add(v)
	}
	return h
}

// The bcc and bpftrace golden files were printed by bcc's table.py
// (python3-bpfcc 0.26) and by bpftrace 0.17 from the same values.
func TestGolden(t *testing.T) {
	kbytes := append([]uint64{1, 1, 4, 5, 6, 7, 7, 1048576}, repeat(4096, 3)...)
	tests := []struct {
		golden string
		h      *Hist
		render func(*bytes.Buffer, *Hist) error
	}{
		{"bcc_log2_kbytes.golden", log2Of(kbytes...), bccAs("kbytes")},
		{"bcc_log2_wide_usecs.golden", log2Of(append(repeat(1<<49, 7), 4)...), bccAs("usecs")},
		{"bcc_linear_msecs.golden", linearOf(t, 0, 20, 1, 3, 3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6), bccAs("msecs")},
		{"bpftrace_log2.golden", log2Of(0, 1, 1, 5000, 5000, 5000, 2000000), bpftrace},
		{"bpftrace_linear.golden", linearOf(t, 0, 100, 10, 7, 150, 35, 36, 37), bpftrace},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var got bytes.Buffer
			if err := tt.render(&got, tt.h); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", tt.golden))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("got:\n%s\nwant:\n%s", got.Bytes(), want)
			}
		})
	}
}

func bccAs(valType string) func(*bytes.Buffer, *Hist) error {
	return func(b *bytes.Buffer, h *Hist) error { return WriteBCC(b, h, valType) }
}

func bpftrace(b *bytes.Buffer, h *Hist) error { return WriteBpftrace(b, h) }

func TestJSONGolden(t *testing.T) {
	h := log2Of(0, 3, 3, 4096)
	got, err := json.MarshalIndent(ToJSON(h, "kbytes"), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "log2_kbytes.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestEmptyPrintsNothing(t *testing.T) {
	lin, _ := NewLinear(0, 10, 1)
	for _, h := range []*Hist{NewLog2(), lin} {
		var b bytes.Buffer
		if err := WriteBCC(&b, h, "x"); err != nil || b.Len() != 0 {
			t.Errorf("%v WriteBCC of empty = %q, %v", h.Kind, b.String(), err)
		}
		if err := WriteBpftrace(&b, h); err != nil || b.Len() != 0 {
			t.Errorf("%v WriteBpftrace of empty = %q, %v", h.Kind, b.String(), err)
		}
	}
}

func TestLog2Slot(t *testing.T) {
	tests := []struct {
		v    uint64
		slot int
	}{{0, 0}, {1, 1}, {2, 2}, {3, 2}, {4, 3}, {1023, 10}, {1024, 11}, {1<<63 - 1, 63}, {1 << 63, 64}, {1<<64 - 1, 64}}
	for _, tt := range tests {
		if got := Log2Slot(tt.v); got != tt.slot {
			t.Errorf("Log2Slot(%d) = %d, want %d", tt.v, got, tt.slot)
		}
		low, high := Log2Range(tt.slot)
		if tt.v < low || tt.v > high {
			t.Errorf("Log2Range(%d) = [%d, %d], does not hold %d", tt.slot, low, high, tt.v)
		}
	}
}

func TestLinearSlot(t *testing.T) {
	h, err := NewLinear(10, 40, 10)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		v    uint64
		slot int
	}{{0, 0}, {9, 0}, {10, 1}, {19, 1}, {20, 2}, {39, 3}, {40, 4}, {1 << 60, 4}}
	for _, tt := range tests {
		if got := h.Slot(tt.v); got != tt.slot {
			t.Errorf("Slot(%d) = %d, want %d", tt.v, got, tt.slot)
		}
		b := h.Bucket(tt.slot)
		if tt.v < b.Low || tt.v > b.High {
			t.Errorf("Bucket(%d) = [%d, %d], does not hold %d", tt.slot, b.Low, b.High, tt.v)
		}
	}
}

func TestNewLinearErrors(t *testing.T) {
	for _, r := range [][3]uint64{{0, 10, 0}, {10, 10, 1}, {20, 10, 1}, {0, 10, 3}, {0, 1 << 40, 1}} {
		if _, err := NewLinear(r[0], r[1], r[2]); err == nil {
			t.Errorf("NewLinear%v: no error", r)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	h := log2Of(0, 7, 7, 1<<40)
	value := h.Encode(nil)
	if len(value) != SlotsSize(Log2Slots) {
		t.Fatalf("Encode gave %d bytes, want %d", len(value), SlotsSize(Log2Slots))
	}
	got := NewLog2()
	if err := got.Decode(value); err != nil {
		t.Fatal(err)
	}
	if err := got.AddValue(value); err != nil {
		t.Fatal(err)
	}
	if got.Total() != 2*h.Total() || got.Slots[3] != 4 {
		t.Errorf("decoded twice: total %d slot3 %d, want %d and 4", got.Total(), got.Slots[3], 2*h.Total())
	}
	if err := got.Decode(value[:8]); err == nil {
		t.Error("Decode of a short value: no error")
	}
	if err := got.AddValue(value[:8]); err == nil {
		t.Error("AddValue of a short value: no error")
	}
}

func TestMerge(t *testing.T) {
	a, b := log2Of(1, 2), log2Of(2, 1<<20)
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	if a.Total() != 4 || a.Slots[2] != 2 {
		t.Errorf("merged: %v", a.Slots[:4])
	}
	lin, _ := NewLinear(0, 10, 1)
	if err := a.Merge(lin); err == nil {
		t.Error("merging a linear into a log2 histogram: no error")
	}
	c := a.Clone()
	a.Reset()
	if a.Total() != 0 || c.Total() != 4 {
		t.Errorf("Reset/Clone: totals %d and %d, want 0 and 4", a.Total(), c.Total())
	}
}

func TestPowerLabel(t *testing.T) {
	tests := map[int]string{0: "1", 9: "512", 10: "1K", 21: "2M", 32: "4G", 40: "1T", 53: "8P", 64: "16E"}
	for p, want := range tests {
		if got := powerLabel(p); got != want {
			t.Errorf("powerLabel(%d) = %q, want %q", p, got, want)
		}
	}
}

func TestAddAllocatesNothing(t *testing.T) {
	h := NewLog2()
	v := uint64(0)
	if n := testing.AllocsPerRun(1000, func() { v += 4097; h.Add(v) }); n != 0 {
		t.Errorf("Add allocates %v times", n)
	}
}

func BenchmarkAddLog2(b *testing.B) {
	h := NewLog2()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Add(uint64(i) * 4096)
	}
}

func BenchmarkDecode(b *testing.B) {
	h := log2Of(1, 2, 3, 1<<30)
	value := h.Encode(nil)
	b.ReportAllocs()
	for b.Loop() {
		if err := h.Decode(value); err != nil {
			b.Fatal(err)
		}
	}
}
