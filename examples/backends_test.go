//go:build linux

package examples_test

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/maps"
)

// comparisons counts what TestBackends compared, for its summary.
var comparisons struct{ returns, elements, maps atomic.Int64 }

// kernelCollection loads s into the kernel through gbpf's API, skipping
// the test (failing it under GBPF_REQUIRE_KERNEL=1) when bpf() is not
// available.
func kernelCollection(t testing.TB, s *gbpf.CollectionSpec, opts *gbpf.Options) *gbpf.Collection {
	t.Helper()
	if opts == nil {
		opts = &gbpf.Options{}
	}
	opts.Backend = gbpf.Kernel
	coll, err := gbpf.NewCollection(s, opts)
	if errors.Is(err, gbpf.ErrNotSupported) || errors.Is(err, maps.ErrPermission) {
		testutil.SkipWithoutKernel(t, fmt.Sprintf("the kernel backend is unavailable: %v", err))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(coll.Close)
	return coll
}

// TestBackends runs every example of the differential table through gbpf's
// API twice, once loaded into the kernel (Options.Backend = Kernel) and
// once into gbpf's runtime on each engine, with the same spec, the same
// setup through Map.Update and the same inputs through Program.Run, and
// compares the return values and, through Map.Iterate on both sides, the
// maps' contents.
func TestBackends(t *testing.T) {
	r0, e0, m0 := comparisons.returns.Load(), comparisons.elements.Load(), comparisons.maps.Load()
	t.Cleanup(func() {
		t.Logf("compared %d return values and %d map elements of %d maps",
			comparisons.returns.Load()-r0, comparisons.elements.Load()-e0, comparisons.maps.Load()-m0)
	})
	for _, d := range differentials(t) {
		for _, cfg := range configs {
			t.Run(d.object+"/"+cfg.name, func(t *testing.T) {
				backendsRun(t, d, cfg)
			})
		}
	}
}

// backendsRun drives d on both backends.
func backendsRun(t *testing.T, d differential, cfg config) {
	s := spec(t, d.object)
	kcoll := kernelCollection(t, s, nil)
	opts := cfg.opts
	gcoll := collection(t, s, config{cfg.name, opts})
	k, g := gbpfSide{kcoll}, gbpfSide{gcoll}
	if d.setup != nil {
		d.setup(t, k)
		d.setup(t, g)
	}
	for i, r := range d.runs {
		kr, gr := k.run(t, r.prog, r.data), g.run(t, r.prog, r.data)
		comparisons.returns.Add(1)
		if kr != gr {
			t.Errorf("run %d (%s on %d bytes): kernel returned %#x, gbpf %#x", i, r.prog, len(r.data), kr, gr)
		}
	}
	names := make([]string, 0, len(kcoll.Maps))
	for name := range kcoll.Maps {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if contains(d.skip, name) {
			continue
		}
		compareBackendMaps(t, name, kcoll.Maps[name], gcoll.Maps[name])
	}
}

// compareBackendMaps checks that two maps, of the two backends, hold the
// same elements, reading both through gbpf's Map API. Per-CPU values are
// compared as sums over the CPUs (the runs land on different CPUs);
// queues and stacks are drained in order.
func compareBackendMaps(t *testing.T, name string, km, gm *gbpf.Map) {
	t.Helper()
	if gm == nil {
		t.Errorf("map %s: missing in gbpf", name)
		return
	}
	if km.Backend() != gbpf.Kernel || gm.Backend() != gbpf.InProcess {
		t.Fatalf("map %s: backends %v and %v", name, km.Backend(), gm.Backend())
	}
	switch gm.Type() {
	case maps.Queue, maps.Stack:
		comparisons.maps.Add(1)
		for i := 0; ; i++ {
			kv, gv := make([]byte, km.ValueSize()), make([]byte, gm.ValueSize())
			kerr, gerr := km.LookupAndDelete(nil, kv), gm.LookupAndDelete(nil, gv)
			if errors.Is(kerr, gbpf.ErrKeyNotExist) != errors.Is(gerr, gbpf.ErrKeyNotExist) || (kerr == nil) != (gerr == nil) {
				t.Errorf("map %s: element %d: kernel %v, gbpf %v", name, i, kerr, gerr)
				return
			}
			if kerr != nil {
				return
			}
			comparisons.elements.Add(1)
			if !bytes.Equal(kv, gv) {
				t.Errorf("map %s: element %d: kernel %x, gbpf %x", name, i, kv, gv)
			}
		}
	case maps.ProgramArray, maps.PerfEventArray, maps.RingBuf, maps.ArrayOfMaps, maps.HashOfMaps:
		return
	}
	comparisons.maps.Add(1)
	kernel, ours := mapContents(t, km), mapContents(t, gm)
	if len(kernel) != len(ours) {
		t.Errorf("map %s: kernel has %d elements, gbpf %d", name, len(kernel), len(ours))
	}
	for k, kv := range kernel {
		comparisons.elements.Add(1)
		if gv, ok := ours[k]; !ok {
			t.Errorf("map %s: key %x: only in the kernel", name, k)
		} else if !bytes.Equal(kv, gv) {
			t.Errorf("map %s: key %x: kernel %x, gbpf %x", name, k, kv, gv)
		}
	}
}

// mapContents reads m with Iterate; per-CPU values are summed word by
// word.
func mapContents(t *testing.T, m *gbpf.Map) map[string][]byte {
	t.Helper()
	perCPU := m.Type() == maps.PerCPUArray || m.Type() == maps.PerCPUHash || m.Type() == maps.LRUCPUHash
	out := map[string][]byte{}
	key := make([]byte, m.KeySize())
	var val []byte
	it := m.Iterate()
	for it.Next(key, &val) {
		v := bytes.Clone(val)
		if perCPU {
			v = wordSums(v, int(m.ValueSize()))
		}
		out[string(key)] = v
	}
	if err := it.Err(); err != nil {
		t.Fatalf("map %s (%v): iterate: %v", m.Name(), m.Backend(), err)
	}
	return out
}

// TestBackendReaders runs the ring buffer and perf output examples on both
// backends and compares the records the readers return.
func TestBackendReaders(t *testing.T) {
	packets := captured(t)
	read := func(t *testing.T, object, prog, m string, kernel bool) [][]byte {
		s := spec(t, object)
		var coll *gbpf.Collection
		if kernel {
			coll = kernelCollection(t, s, nil)
		} else {
			coll = collection(t, s, configs[2])
		}
		var next func() ([]byte, error)
		if m == "events" {
			rd, err := gbpf.NewRingBufReader(coll.Maps[m])
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			next = func() ([]byte, error) {
				if rd.AvailableBytes() == 0 {
					return nil, nil
				}
				rec, err := rd.Read()
				return rec.RawSample, err
			}
			for _, p := range packets {
				run(t, coll, prog, &gbpf.RunOptions{Data: p})
			}
		} else {
			rd, err := gbpf.NewPerfReader(coll.Maps[m], 1<<16)
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			for _, p := range packets {
				run(t, coll, prog, &gbpf.RunOptions{Data: p})
			}
			n := 0
			next = func() ([]byte, error) {
				if n == len(packets) {
					return nil, nil
				}
				rec, err := rd.Read()
				if err == nil && rec.LostSamples != 0 {
					err = fmt.Errorf("%d samples lost", rec.LostSamples)
				}
				n++
				return rec.RawSample, err
			}
		}
		var recs [][]byte
		for {
			b, err := next()
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				return recs
			}
			recs = append(recs, bytes.Clone(b))
		}
	}
	for _, c := range []struct{ object, prog, m string }{
		{"ringbuf", "packet_events", "events"},
		{"perf_output", "sample_packets", "samples"},
	} {
		t.Run(c.object, func(t *testing.T) {
			krecs := read(t, c.object, c.prog, c.m, true)
			grecs := read(t, c.object, c.prog, c.m, false)
			if len(krecs) == 0 {
				t.Fatal("the kernel's reader returned no records")
			}
			if len(krecs) != len(grecs) {
				t.Fatalf("kernel: %d records, gbpf: %d", len(krecs), len(grecs))
			}
			if c.m == "samples" {
				// A sample names the CPU it ran on (bytes 4 to 8),
				// which the two backends choose each their own way.
				for _, recs := range [][][]byte{krecs, grecs} {
					for _, r := range recs {
						if len(r) >= 8 {
							clear(r[4:8])
						}
					}
				}
			}
			// Perf records come per CPU; order them the same way.
			sortRecords(krecs)
			sortRecords(grecs)
			for i := range krecs {
				comparisons.elements.Add(1)
				if c.m == "samples" {
					// The kernel pads a perf sample so that it and its
					// 4-byte size fill whole 8-byte words (the bytes of
					// the pad are whatever the ring held); gbpf's
					// runtime hands over what the program sent.
					if want := (len(grecs[i])+4+7)&^7 - 4; len(krecs[i]) != want {
						t.Errorf("record %d: kernel sent %d bytes, want %d (gbpf's %d, padded)", i, len(krecs[i]), want, len(grecs[i]))
						continue
					}
					krecs[i] = krecs[i][:len(grecs[i])]
				}
				if !bytes.Equal(krecs[i], grecs[i]) {
					t.Errorf("record %d: kernel %x, gbpf %x", i, krecs[i], grecs[i])
				}
			}
		})
	}
}

func sortRecords(recs [][]byte) {
	sort.Slice(recs, func(i, j int) bool { return bytes.Compare(recs[i], recs[j]) < 0 })
}
