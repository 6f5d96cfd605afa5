package maps

import (
	"encoding/binary"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gbpf/gbpf/internal/engine"
)

const benchKeys = 1024

func benchMap(b *testing.B, typ Type) (Map, [][]byte, []byte) {
	spec := &Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: benchKeys}
	m := mustNew(b, spec)
	keys := make([][]byte, benchKeys)
	for i := range keys {
		keys[i] = runtimeBytes(b, u32(uint32(i)))
	}
	v := runtimeBytes(b, u64(1))
	for _, k := range keys {
		if r := m.UpdateElem(k, v, UpdateAny, 0); r != 0 {
			b.Fatal(r)
		}
	}
	return m, keys, v
}

func BenchmarkLookupElem(b *testing.B) {
	for _, typ := range []Type{Hash, Array, LRUHash, PerCPUArray} {
		b.Run(typ.String(), func(b *testing.B) {
			m, keys, _ := benchMap(b, typ)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if m.LookupElem(keys[i%benchKeys], 0) == 0 {
					b.Fatal("missing")
				}
			}
		})
		b.Run(typ.String()+"/parallel", func(b *testing.B) {
			m, keys, _ := benchMap(b, typ)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if m.LookupElem(keys[i%benchKeys], 0) == 0 {
						b.Error("missing")
						return
					}
					i++
				}
			})
		})
	}
}

func BenchmarkUpdateElem(b *testing.B) {
	for _, typ := range []Type{Hash, Array, LRUHash, PerCPUHash} {
		b.Run(typ.String(), func(b *testing.B) {
			m, keys, v := benchMap(b, typ)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if r := m.UpdateElem(keys[i%benchKeys], v, UpdateAny, 0); r != 0 {
					b.Fatal(r)
				}
			}
		})
		b.Run(typ.String()+"/parallel", func(b *testing.B) {
			m, keys, v := benchMap(b, typ)
			b.ReportAllocs()
			b.ResetTimer()
			var w atomic.Int32
			b.RunParallel(func(pb *testing.PB) {
				i := int(w.Add(1)) * 7919
				for pb.Next() {
					if r := m.UpdateElem(keys[i%benchKeys], v, UpdateAny, 0); r != 0 {
						b.Error(r)
						return
					}
					i++
				}
			})
		})
	}
}

// BenchmarkRunLookupAdd is what a counting program does per event: enter,
// look up, add atomically, leave.
func BenchmarkRunLookupAdd(b *testing.B) {
	m, keys, _ := benchMap(b, Hash)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			g := EnterProgram()
			atomic.AddUint64(engine.Atomic64(m.LookupElem(keys[i%benchKeys], 0)), 1)
			LeaveProgram(g)
			i++
		}
	})
}

func BenchmarkGoLookup(b *testing.B) {
	m, _, _ := benchMap(b, Hash)
	out := make([]byte, 8)
	key := make([]byte, 4)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		binary.NativeEndian.PutUint32(key, uint32(i%benchKeys))
		if err := m.Lookup(key, out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLPMLookup(b *testing.B) {
	m := mustNew(b, &Spec{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 4096, Flags: NoPrealloc})
	v := runtimeBytes(b, u64(1))
	// A routing-table-like set: /8 to /32 prefixes under 10.0.0.0/8.
	for i := 0; i < 4000; i++ {
		plen := uint32(8 + i%25)
		k := append(u32(plen), 10, byte(i), byte(i>>4), byte(i>>8))
		m.UpdateElem(runtimeBytes(b, k), v, UpdateAny, 0)
	}
	b.Run("serial", func(b *testing.B) {
		key := runtimeBytes(b, append(u32(32), 10, 1, 2, 3))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			key[5], key[6] = byte(i), byte(i>>8)
			m.LookupElem(key, 0)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			key := make([]byte, 8) // Go memory is fine for a key view here
			copy(key, append(u32(32), 10, 1, 2, 3))
			i := 0
			for pb.Next() {
				key[5], key[6] = byte(i), byte(i>>8)
				m.LookupElem(key, 0)
				i++
			}
		})
	})
}

// BenchmarkRingBuf measures records per second from a producer to a
// RingBufReader.
func BenchmarkRingBuf(b *testing.B) {
	for _, size := range []int{16, 256} {
		b.Run(map[int]string{16: "16B", 256: "256B"}[size], func(b *testing.B) {
			rb, rd := newRing(b, 1<<20)
			data := runtimeBytes(b, make([]byte, size))
			done := make(chan error)
			go func() {
				rec := RingBufRecord{}
				for i := 0; i < b.N; i++ {
					if err := rd.ReadInto(&rec); err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; {
				if rb.Output(data, 0) == 0 {
					i++
				}
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
		})
	}
}
