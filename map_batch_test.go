package gbpf_test

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/maps"
)

func newTestMap(t *testing.T, typ maps.Type, keySize, valueSize, max uint32) *gbpf.Map {
	t.Helper()
	m, err := gbpf.NewMap(&maps.Spec{Name: "m", Type: typ, KeySize: keySize, ValueSize: valueSize, MaxEntries: max, SpinLockOffset: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestMapNextKey(t *testing.T) {
	m := newTestMap(t, maps.Hash, 4, 8, 8)
	var k uint32
	if err := m.NextKey(nil, &k); !errors.Is(err, gbpf.ErrKeyNotExist) {
		t.Fatalf("NextKey of an empty map: %v", err)
	}
	for _, key := range []uint32{7, 8, 9} {
		if err := m.Update(key, uint64(key)*10, gbpf.UpdateAny); err != nil {
			t.Fatal(err)
		}
	}
	var seen []uint32
	var key any // nil: the first key
	for {
		var next uint32
		err := m.NextKey(key, &next)
		if errors.Is(err, gbpf.ErrKeyNotExist) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) > 3 {
			t.Fatalf("NextKey loops: %v", seen)
		}
		seen = append(seen, next)
		key = next
	}
	slices.Sort(seen)
	if !slices.Equal(seen, []uint32{7, 8, 9}) {
		t.Errorf("keys %v", seen)
	}
	// []byte keys both ways.
	out := make([]byte, 4)
	if err := m.NextKey(nil, out); err != nil || !slices.Contains([]uint32{7, 8, 9}, binary.NativeEndian.Uint32(out)) {
		t.Errorf("NextKey into []byte: %v, %v", out, err)
	}
	if err := m.NextKey(uint64(1), &k); err == nil {
		t.Error("NextKey with an 8-byte key of a 4-byte map succeeded")
	}
	if err := m.NextKey(nil, &[2]uint32{}); err == nil {
		t.Error("NextKey into an 8-byte key succeeded")
	}

	a := newTestMap(t, maps.Array, 4, 4, 3)
	if err := a.NextKey(uint32(2), &k); !errors.Is(err, gbpf.ErrKeyNotExist) {
		t.Errorf("NextKey after the last index: %v", err)
	}
	if err := a.NextKey(uint32(0), &k); err != nil || k != 1 {
		t.Errorf("NextKey(0) = %d, %v", k, err)
	}
}

type batchValue struct{ A, B uint32 }

func TestMapBatch(t *testing.T) {
	m := newTestMap(t, maps.Hash, 4, 8, 16)
	keys := []uint32{1, 2, 3, 4, 5}
	values := make([]batchValue, len(keys))
	for i, k := range keys {
		values[i] = batchValue{k, k * 100}
	}
	if n, err := m.BatchUpdate(keys, values, nil); err != nil || n != 5 {
		t.Fatalf("BatchUpdate = %d, %v", n, err)
	}
	if n, err := m.BatchUpdate(keys[:1], values[:1], &gbpf.BatchOptions{ElemFlags: uint64(gbpf.UpdateNoExist)}); err == nil || n != 0 {
		t.Errorf("BatchUpdate NoExist of an existing key = %d, %v", n, err)
	}

	got := map[uint32]batchValue{}
	var cursor gbpf.MapBatchCursor
	kout, vout := make([]uint32, 2), make([]batchValue, 2)
	for range 10 {
		n, err := m.BatchLookup(&cursor, kout, vout, nil)
		for i := range n {
			got[kout[i]] = vout[i]
		}
		if errors.Is(err, gbpf.ErrKeyNotExist) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("BatchLookup copied %d of 2 before the end", n)
		}
	}
	if len(got) != 5 {
		t.Fatalf("BatchLookup found %v", got)
	}
	for i, k := range keys {
		if got[k] != values[i] {
			t.Errorf("key %d: %+v, want %+v", k, got[k], values[i])
		}
	}
	if n, err := m.BatchLookup(&cursor, kout, vout, nil); n != 0 || !errors.Is(err, gbpf.ErrKeyNotExist) {
		t.Errorf("BatchLookup after the end = %d, %v", n, err)
	}

	// Raw bytes, and delete.
	raw := binary.NativeEndian.AppendUint32(binary.NativeEndian.AppendUint32(nil, 1), 2)
	if n, err := m.BatchDelete(raw, nil); err != nil || n != 2 {
		t.Fatalf("BatchDelete = %d, %v", n, err)
	}
	if n, err := m.BatchDelete([]uint32{3, 1, 4}, nil); n != 1 || !errors.Is(err, gbpf.ErrKeyNotExist) {
		t.Errorf("BatchDelete of a missing key = %d, %v", n, err)
	}
	var c2 gbpf.MapBatchCursor
	kb, vb := make([]byte, 4*4), make([]byte, 4*8)
	n, err := m.BatchLookupAndDelete(&c2, kb, vb, nil)
	if n != 2 || !errors.Is(err, gbpf.ErrKeyNotExist) {
		t.Fatalf("BatchLookupAndDelete = %d, %v", n, err)
	}
	for i := range n {
		k, v := binary.NativeEndian.Uint32(kb[i*4:]), binary.NativeEndian.Uint32(vb[i*8+4:])
		if v != k*100 {
			t.Errorf("key %d: B = %d", k, v)
		}
	}
	var k uint32
	if err := m.NextKey(nil, &k); !errors.Is(err, gbpf.ErrKeyNotExist) {
		t.Errorf("map not empty after BatchLookupAndDelete: key %d, %v", k, err)
	}
}

func TestMapBatchPerCPU(t *testing.T) {
	ncpu := maps.NumCPU()
	m := newTestMap(t, maps.PerCPUArray, 4, 4, 4)
	vals := make([]uint32, 2*ncpu)
	for i := range vals {
		vals[i] = uint32(i + 1)
	}
	if n, err := m.BatchUpdate([]uint32{1, 3}, vals, nil); err != nil || n != 2 {
		t.Fatalf("BatchUpdate = %d, %v", n, err)
	}
	var per []uint32
	if err := m.Lookup(uint32(3), &per); err != nil || per[0] != uint32(ncpu+1) || per[ncpu-1] != uint32(2*ncpu) {
		t.Errorf("Lookup(3) = %v, %v", per, err)
	}
	var cursor gbpf.MapBatchCursor
	kout, vout := make([]uint32, 4), make([]uint32, 4*ncpu)
	n, err := m.BatchLookup(&cursor, kout, vout, nil)
	if n != 4 || err != nil && !errors.Is(err, gbpf.ErrKeyNotExist) {
		t.Fatalf("BatchLookup = %d, %v", n, err)
	}
	if kout[3] != 3 || vout[3*ncpu] != uint32(ncpu+1) || vout[ncpu] != 1 || vout[0] != 0 {
		t.Errorf("BatchLookup: keys %v values %v", kout, vout)
	}
	if _, err := m.BatchUpdate([]uint32{1}, []uint32{1}, nil); ncpu > 1 && err == nil {
		t.Error("BatchUpdate with one value for all CPUs succeeded")
	}
}

func TestMapBatchErrors(t *testing.T) {
	m := newTestMap(t, maps.Hash, 4, 8, 4)
	other := newTestMap(t, maps.Hash, 4, 8, 4)
	if _, err := m.BatchUpdate([]uint32{1}, []uint64{1}, nil); err != nil {
		t.Fatal(err)
	}
	kout, vout := make([]uint32, 1), make([]uint64, 1)
	var cursor gbpf.MapBatchCursor
	for _, tc := range []struct {
		name string
		run  func() (int, error)
		is   error
	}{
		{"nil cursor", func() (int, error) { return m.BatchLookup(nil, kout, vout, nil) }, nil},
		{"values too few", func() (int, error) { return m.BatchLookup(&cursor, make([]uint32, 2), vout, nil) }, nil},
		{"keys not a slice", func() (int, error) { return m.BatchLookup(&cursor, uint32(1), vout, nil) }, nil},
		{"empty keys", func() (int, error) { return m.BatchUpdate([]uint32{}, []uint64{}, nil) }, nil},
		{"ragged bytes", func() (int, error) { return m.BatchDelete(make([]byte, 5), nil) }, nil},
		{"value bytes", func() (int, error) { return m.BatchUpdate([]uint32{1}, make([]byte, 7), nil) }, nil},
		{"wrong key type", func() (int, error) { return m.BatchUpdate([]uint16{1}, []uint64{1}, nil) }, nil},
		{"wrong value type", func() (int, error) { return m.BatchUpdate([]uint32{1}, []uint32{1}, nil) }, nil},
		{"flags", func() (int, error) { return m.BatchDelete([]uint32{1}, &gbpf.BatchOptions{Flags: 1}) }, nil},
		{"lookup elem flags", func() (int, error) {
			return m.BatchLookup(&cursor, kout, vout, &gbpf.BatchOptions{ElemFlags: 4})
		}, gbpf.ErrNotSupported},
		{"another map's cursor", func() (int, error) {
			var c gbpf.MapBatchCursor
			if _, err := other.BatchLookup(&c, kout, vout, nil); err != nil && !errors.Is(err, gbpf.ErrKeyNotExist) {
				return 0, nil
			}
			return m.BatchLookup(&c, kout, vout, nil)
		}, nil},
		{"array delete", func() (int, error) {
			return newTestMap(t, maps.Array, 4, 8, 4).BatchDelete([]uint32{1}, nil)
		}, gbpf.ErrNotSupported},
		{"queue", func() (int, error) {
			return newTestMap(t, maps.Queue, 0, 8, 4).BatchUpdate([]uint32{1}, []uint64{1}, nil)
		}, gbpf.ErrNotSupported},
	} {
		n, err := tc.run()
		if err == nil || n != 0 || tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: %d, %v", tc.name, n, err)
		}
	}
	var v uint64
	if err := m.Lookup(uint32(1), &v); err != nil || v != 1 {
		t.Errorf("failed batches changed the map: %d, %v", v, err)
	}
}
