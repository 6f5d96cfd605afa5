package gbpf_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/maps"
)

// kernelColl loads spec into the kernel, skipping the test (failing it
// under GBPF_REQUIRE_KERNEL=1) where the kernel backend is unavailable.
func kernelColl(t *testing.T, spec *gbpf.CollectionSpec, opts *gbpf.Options) *gbpf.Collection {
	t.Helper()
	if opts == nil {
		opts = &gbpf.Options{}
	}
	opts.Backend = gbpf.Kernel
	coll, err := gbpf.NewCollection(spec, opts)
	if errors.Is(err, gbpf.ErrNotSupported) || errors.Is(err, maps.ErrPermission) {
		testutil.SkipWithoutKernel(t, fmt.Sprintf("the kernel backend is unavailable: %v", err))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(coll.Close)
	return coll
}

// errClass names the sentinel err matches, so that transcripts of the two
// backends compare errors by meaning rather than by message.
func errClass(err error) string {
	for _, c := range []struct {
		name string
		err  error
	}{
		{"ok", nil},
		{"ErrKeyNotExist", gbpf.ErrKeyNotExist},
		{"ErrKeyExist", maps.ErrKeyExist},
		{"ErrFull", maps.ErrFull},
		{"ErrInvalid", maps.ErrInvalid},
		{"ErrNotSupported", gbpf.ErrNotSupported},
		{"ErrPermission", maps.ErrPermission},
	} {
		if c.err == nil && err == nil || c.err != nil && errors.Is(err, c.err) {
			return c.name
		}
	}
	return "other error: " + err.Error()
}

// mapScript runs the same Map operations on m and returns their
// transcript: results, errors by class, and contents in key order.
func mapScript(t *testing.T, m *gbpf.Map) []string {
	var out []string
	log := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	perCPU := m.Type() == maps.PerCPUArray || m.Type() == maps.PerCPUHash
	update := func(k uint32, v uint64, f gbpf.MapUpdateFlags) error {
		if perCPU {
			vs := make([]uint64, ncpu(t, m))
			for i := range vs {
				vs[i] = v + uint64(i)
			}
			return m.Update(k, vs, f)
		}
		return m.Update(k, v, f)
	}
	read := func(k uint32) (uint64, error) {
		if perCPU {
			var vs []uint64
			err := m.Lookup(k, &vs)
			var s uint64
			for _, v := range vs {
				s += v
			}
			return s, err
		}
		var v uint64
		err := m.Lookup(k, &v)
		return v, err
	}
	log("update 1=10 any: %s", errClass(update(1, 10, gbpf.UpdateAny)))
	log("update 2=20 noexist: %s", errClass(update(2, 20, gbpf.UpdateNoExist)))
	log("update 2=21 noexist: %s", errClass(update(2, 21, gbpf.UpdateNoExist)))
	log("update 3=30 exist: %s", errClass(update(3, 30, gbpf.UpdateExist)))
	log("update 100=1 any: %s", errClass(update(100, 1, gbpf.UpdateAny)))
	for _, k := range []uint32{1, 2, 3, 9} {
		v, err := read(k)
		log("lookup %d: %d %s", k, v, errClass(err))
	}
	if !perCPU {
		var v uint64
		err := m.LookupAndDelete(uint32(3), &v)
		log("lookup and delete 3: %d %s", v, errClass(err))
	}
	log("delete 9: %s", errClass(m.Delete(uint32(9))))
	log("delete 1: %s", errClass(m.Delete(uint32(1))))
	// NextKey from the start to the end.
	var keys []uint32
	var k uint32
	err := m.NextKey(nil, &k)
	for ; err == nil && len(keys) < 100; err = m.NextKey(k, &k) {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	log("next keys: %v then %s", keys, errClass(err))
	// Batches: update three, read them all back in chunks of two, delete
	// two.
	n, err := m.BatchUpdate([]uint32{5, 6, 7}, batchValues(t, m, []uint64{50, 60, 70}), nil)
	log("batch update: %d %s", n, errClass(err))
	var cursor gbpf.MapBatchCursor
	var got []string
	for range 50 {
		ks := make([]uint32, 2)
		vs := batchValues(t, m, make([]uint64, 2))
		n, err := m.BatchLookup(&cursor, ks, vs, nil)
		for i := range n {
			got = append(got, fmt.Sprintf("%d=%d", ks[i], firstValue(vs, i, ncpu(t, m))))
		}
		if err != nil {
			if !errors.Is(err, gbpf.ErrKeyNotExist) {
				log("batch lookup: %s", errClass(err))
			}
			break
		}
	}
	slices.Sort(got)
	log("batch lookup: %v", got)
	n, err = m.BatchDelete([]uint32{5, 6}, nil)
	log("batch delete: %d %s", n, errClass(err))
	// The contents, through Iterate.
	var elems []string
	it := m.Iterate()
	var ik uint32
	if perCPU {
		var iv []uint64
		for it.Next(&ik, &iv) {
			elems = append(elems, fmt.Sprintf("%d=%d", ik, iv[0]))
		}
	} else {
		var iv uint64
		for it.Next(&ik, &iv) {
			elems = append(elems, fmt.Sprintf("%d=%d", ik, iv))
		}
	}
	slices.Sort(elems)
	log("iterate: %v %s", elems, errClass(it.Err()))
	return out
}

// ncpu is the number of per-CPU values of m: the kernel's possible CPUs,
// or the runtime's.
func ncpu(t *testing.T, m *gbpf.Map) int {
	if m.Backend() == gbpf.Kernel {
		n, err := ebpf.PossibleCPU()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	return maps.NumCPU()
}

// batchValues returns the values of a batch of m: for per-CPU maps, each
// value on every CPU.
func batchValues(t *testing.T, m *gbpf.Map, vs []uint64) []uint64 {
	if m.Type() != maps.PerCPUArray && m.Type() != maps.PerCPUHash {
		return vs
	}
	n := ncpu(t, m)
	out := make([]uint64, 0, len(vs)*n)
	for _, v := range vs {
		for range n {
			out = append(out, v)
		}
	}
	return out
}

// firstValue is element i's value (its first CPU's, per CPU).
func firstValue(vs []uint64, i, ncpu int) uint64 {
	if len(vs) > 2 {
		return vs[i*ncpu]
	}
	return vs[i]
}

// TestBackendMapOperations runs the same Map operations on maps of both
// backends, created from one spec, and compares the transcripts: values,
// errors (by the sentinel they match), key walks, batches and
// iteration.
func TestBackendMapOperations(t *testing.T) {
	for _, typ := range []maps.Type{maps.Hash, maps.Array, maps.PerCPUHash, maps.PerCPUArray, maps.LRUHash} {
		t.Run(typ.String(), func(t *testing.T) {
			spec := &gbpf.CollectionSpec{Maps: map[string]*maps.Spec{
				"m": {Name: "m", Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 16, SpinLockOffset: -1},
			}}
			kc := kernelColl(t, spec, nil)
			gc, err := gbpf.NewCollection(spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer gc.Close()
			kt, gt := mapScript(t, kc.Maps["m"]), mapScript(t, gc.Maps["m"])
			t.Logf("%d operations compared", len(kt))
			if !slices.Equal(kt, gt) {
				t.Errorf("the backends differ:\nkernel:\n  %s\ngbpf:\n  %s", strings.Join(kt, "\n  "), strings.Join(gt, "\n  "))
			}
		})
	}
}

// TestBackendRunOutputs compares DataOut on both backends, and checks
// that ContextOut comes back and that a Task is refused by the kernel.
func TestBackendRunOutputs(t *testing.T) {
	spec, err := gbpf.LoadCollectionSpec("examples/bpf/hash_counter.o")
	if err != nil {
		t.Fatal(err)
	}
	kc := kernelColl(t, spec, nil)
	gc, err := gbpf.NewCollection(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer gc.Close()
	var outs [2][]byte
	for i, c := range []*gbpf.Collection{kc, gc} {
		opts := &gbpf.RunOptions{Data: udpPacket(), DataOut: []byte{}, ContextOut: []byte{}}
		if _, err := c.Programs["count_sources"].Run(opts); err != nil {
			t.Fatal(err)
		}
		outs[i] = opts.DataOut
		if len(opts.ContextOut) < 8 {
			t.Errorf("%v: ContextOut has %d bytes", c.Programs["count_sources"].Backend(), len(opts.ContextOut))
		}
	}
	if !slices.Equal(outs[0], outs[1]) || !slices.Equal(outs[0], udpPacket()) {
		t.Errorf("DataOut: kernel %x, gbpf %x", outs[0], outs[1])
	}
	_, err = kc.Programs["count_sources"].Run(&gbpf.RunOptions{Data: udpPacket(), Task: &helpers.Task{PID: 1}})
	if !errors.Is(err, gbpf.ErrNotSupported) {
		t.Errorf("a Task in the kernel: %v, want ErrNotSupported", err)
	}
}

// TestBackendProgramArray changes a program array from Go on both
// backends (SetProgram, Update with a *Program, an emptied slot) and
// compares what dispatch then returns.
func TestBackendProgramArray(t *testing.T) {
	spec, err := gbpf.LoadCollectionSpec("examples/bpf/tail_call.o")
	if err != nil {
		t.Fatal(err)
	}
	kc := kernelColl(t, spec, nil)
	gc, err := gbpf.NewCollection(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer gc.Close()
	const slotUDP = 1
	var rets [2][]uint64
	for i, c := range []*gbpf.Collection{kc, gc} {
		table := c.Maps["dispatch_table"]
		run := func() {
			ret, err := c.Programs["dispatch"].Run(&gbpf.RunOptions{Data: udpPacket()})
			if err != nil {
				t.Fatal(err)
			}
			rets[i] = append(rets[i], ret)
		}
		run()
		if err := table.SetProgram(slotUDP, c.Programs["handle_tcp"]); err != nil {
			t.Fatal(err)
		}
		run()
		if err := table.SetProgram(slotUDP, nil); err != nil {
			t.Fatal(err)
		}
		run()
		if err := table.Update(uint32(slotUDP), c.Programs["handle_udp"], gbpf.UpdateAny); err != nil {
			t.Fatal(err)
		}
		run()
	}
	if !slices.Equal(rets[0], rets[1]) || rets[0][0] == rets[0][1] || rets[0][2] != 102 {
		t.Errorf("dispatch returned %v in the kernel, %v in gbpf", rets[0], rets[1])
	}
	if err := kc.Maps["dispatch_table"].SetProgram(slotUDP, gc.Programs["handle_udp"]); err == nil {
		t.Error("a runtime program went into a kernel program array")
	}
}
