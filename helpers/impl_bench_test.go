package helpers

import (
	"testing"

	"github.com/gbpf/gbpf/maps"
)

// The helpers as a verified program calls them: no pointer checks.

func BenchmarkMapLookupElem(b *testing.B) {
	for _, typ := range []maps.Type{maps.Hash, maps.Array, maps.PerCPUHash, maps.LRUHash} {
		b.Run(typ.String(), func(b *testing.B) {
			m := newTestMem(b, false)
			mp := newMap(b, maps.Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 1024})
			hd := maps.Handle(mp)
			key, val := m.put([]byte{7, 0, 0, 0}), m.alloc(8)
			if r := mapUpdateElem(m.env, hd, key, val, 0, 0); r != 0 {
				b.Fatal(int64(r))
			}
			b.ReportAllocs()
			for b.Loop() {
				if mapLookupElem(m.env, hd, key, 0, 0, 0) == 0 {
					b.Fatal("miss")
				}
			}
		})
	}
}

func BenchmarkMapUpdateElem(b *testing.B) {
	for _, typ := range []maps.Type{maps.Hash, maps.Array} {
		b.Run(typ.String(), func(b *testing.B) {
			m := newTestMem(b, false)
			mp := newMap(b, maps.Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 1024})
			hd := maps.Handle(mp)
			key, val := m.put([]byte{7, 0, 0, 0}), m.alloc(8)
			b.ReportAllocs()
			for b.Loop() {
				if r := mapUpdateElem(m.env, hd, key, val, 0, 0); r != 0 {
					b.Fatal(int64(r))
				}
			}
		})
	}
}

func BenchmarkMapLookupElemParallel(b *testing.B) {
	mp := newMap(b, maps.Spec{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1024})
	hd := maps.Handle(mp)
	setup := newTestMem(b, false)
	key, val := setup.put([]byte{7, 0, 0, 0}), setup.alloc(8)
	mapUpdateElem(setup.env, hd, key, val, 0, 0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		m := newTestMem(b, false)
		k := m.put([]byte{7, 0, 0, 0})
		for pb.Next() {
			if mapLookupElem(m.env, hd, k, 0, 0, 0) == 0 {
				b.Error("miss")
				return
			}
		}
	})
}

func BenchmarkRingbufOutput(b *testing.B) {
	m := newTestMem(b, false)
	rb := newMap(b, maps.Spec{Type: maps.RingBuf, MaxEntries: 1 << 20})
	hd := maps.Handle(rb)
	rd, err := maps.NewRingBufReader(rb)
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	data := m.alloc(32)
	var rec maps.RingBufRecord
	b.ReportAllocs()
	for b.Loop() {
		if r := ringbufOutput(m.env, hd, data, 32, 0, 0); r != 0 {
			b.Fatal(int64(r))
		}
		if err := rd.ReadInto(&rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTracePrintk(b *testing.B) {
	m := newTestMem(b, false)
	format := m.put([]byte("pid %d read %llu bytes from %s\x00"))
	str := m.put([]byte("/etc/passwd\x00"))
	b.ReportAllocs()
	for b.Loop() {
		tracePrintk(m.env, format, 31, 1234, 4096, str)
	}
}
