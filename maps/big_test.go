package maps

import "testing"

func TestLargeMaps(t *testing.T) {
	if testing.Short() {
		t.Skip("large maps")
	}
	for _, s := range []Spec{
		{Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: 1 << 20},
		{Type: Hash, KeySize: 8, ValueSize: 4096, MaxEntries: 1 << 16, Flags: NoPrealloc},
		{Type: LRUHash, KeySize: 8, ValueSize: 8, MaxEntries: 1 << 18},
		{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 1 << 20},
	} {
		t.Run(s.String(), func(t *testing.T) {
			m := mustNew(t, &s)
			v := make([]byte, s.ValueSize)
			for i := uint64(0); i < uint64(s.MaxEntries); i += uint64(s.MaxEntries) / 4096 {
				k := u64(i)[:s.KeySize]
				if err := m.Update(k, v, UpdateAny); err != nil {
					t.Fatal(err)
				}
			}
			if h, ok := m.(*hashMap); ok {
				if n := len(*h.slab.bases.Load()); n > 1024 {
					t.Errorf("%d chunks", n)
				}
			}
		})
	}
}
