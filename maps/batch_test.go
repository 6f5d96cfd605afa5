package maps

import (
	"encoding/binary"
	"errors"
	"testing"
)

func TestBatchOps(t *testing.T) {
	for _, typ := range []Type{Hash, PerCPUHash, LRUHash, Array, LPMTrie} {
		t.Run(typ.String(), func(t *testing.T) {
			spec := &Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 100}
			if typ == LPMTrie {
				spec.KeySize, spec.Flags = 8, NoPrealloc
			}
			m := mustNew(t, spec)
			ks, vs := int(spec.KeySize), m.(interface{ goValueSize() int }).goValueSize()
			key := func(i int) []byte {
				if typ == LPMTrie {
					return binary.BigEndian.AppendUint32(u32(32), uint32(i))
				}
				return u32(uint32(i))
			}
			var keys, values []byte
			for i := 0; i < 100; i++ {
				keys = append(keys, key(i)...)
				v := make([]byte, vs)
				binary.NativeEndian.PutUint64(v, uint64(i)*3)
				values = append(values, v...)
			}
			if n, err := m.BatchUpdate(keys, values, UpdateAny); n != 100 || err != nil {
				t.Fatalf("BatchUpdate: %d, %v", n, err)
			}
			collect := func(del bool) map[uint64]uint64 {
				seen := map[uint64]uint64{}
				var c BatchCursor
				kout, vout := make([]byte, 7*ks), make([]byte, 7*vs)
				for rounds := 0; ; rounds++ {
					var n int
					var err error
					if del {
						n, err = m.BatchLookupAndDelete(&c, kout, vout)
					} else {
						n, err = m.BatchLookup(&c, kout, vout)
					}
					for i := 0; i < n; i++ {
						k := kout[i*ks : (i+1)*ks]
						id := uint64(binary.NativeEndian.Uint32(k))
						if typ == LPMTrie {
							id = uint64(binary.BigEndian.Uint32(k[4:]))
						}
						if _, dup := seen[id]; dup {
							t.Fatalf("key %d twice", id)
						}
						seen[id] = binary.NativeEndian.Uint64(vout[i*vs:])
					}
					if errors.Is(err, ErrKeyNotExist) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					if n != 7 || rounds > 100 {
						t.Fatalf("round %d: %d elements", rounds, n)
					}
				}
				return seen
			}
			seen := collect(false)
			if len(seen) != 100 {
				t.Fatalf("BatchLookup saw %d elements", len(seen))
			}
			for k, v := range seen {
				if v != k*3 {
					t.Fatalf("key %d: value %d", k, v)
				}
			}
			if typ == LPMTrie { // Linux has no lookup-and-delete for tries
				var c BatchCursor
				if _, err := m.BatchLookupAndDelete(&c, make([]byte, ks), make([]byte, vs)); !errors.Is(err, ErrNotSupported) {
					t.Errorf("LPM BatchLookupAndDelete: %v", err)
				}
				if n, err := m.BatchDelete(keys); n != 100 || err != nil {
					t.Errorf("LPM BatchDelete: %d %v", n, err)
				}
				return
			}
			if typ == Array {
				var c BatchCursor
				if _, err := m.BatchLookupAndDelete(&c, make([]byte, ks), make([]byte, vs)); !errors.Is(err, ErrNotSupported) {
					t.Errorf("array BatchLookupAndDelete: %v", err)
				}
				if _, err := m.BatchDelete(keys); !errors.Is(err, ErrNotSupported) {
					t.Errorf("array BatchDelete: %v", err)
				}
				return
			}
			if n, err := m.BatchDelete(keys[:10*ks]); n != 10 || err != nil {
				t.Fatalf("BatchDelete: %d %v", n, err)
			}
			if n, err := m.BatchDelete(keys[:10*ks]); n != 0 || !errors.Is(err, ErrKeyNotExist) {
				t.Fatalf("BatchDelete of deleted keys: %d %v", n, err)
			}
			if got := collect(true); len(got) != 90 {
				t.Fatalf("BatchLookupAndDelete took %d", len(got))
			}
			if err := m.NextKey(nil, make([]byte, ks)); !errors.Is(err, ErrKeyNotExist) {
				t.Fatalf("map not empty after BatchLookupAndDelete: %v", err)
			}
			if n, err := m.BatchUpdate(keys, values[:10], UpdateAny); n != 0 || !errors.Is(err, ErrInvalid) {
				t.Fatalf("BatchUpdate with short values: %d %v", n, err)
			}
		})
	}
}
