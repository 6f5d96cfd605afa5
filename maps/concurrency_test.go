package maps

import (
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
)

// TestConcurrentAtomicCounts has goroutines behave like programs counting
// events per key: look up, insert if missing, atomically add. The totals
// must be exact.
func TestConcurrentAtomicCounts(t *testing.T) {
	for _, typ := range []Type{Hash, LRUHash, Array} {
		t.Run(typ.String(), func(t *testing.T) {
			const keys, workers, perWorker = 16, 8, 2000
			m := mustNew(t, &Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 64})
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(w), 1))
					key := make([]byte, 4)
					zero := make([]byte, 8)
					for i := 0; i < perWorker; i++ {
						binary.NativeEndian.PutUint32(key, uint32(r.IntN(keys)))
						g := EnterProgram()
						a := m.LookupElem(key, w)
						if a == 0 {
							if ret := m.UpdateElem(key, zero, UpdateNoExist, w); ret != 0 && ret != errnoEEXIST {
								t.Errorf("insert: %d", ret)
							}
							a = m.LookupElem(key, w)
						}
						atomic.AddUint64(engine.Atomic64(a), 1)
						LeaveProgram(g)
					}
				}(w)
			}
			wg.Wait()
			var total uint64
			v := make([]byte, 8)
			for k := uint32(0); k < keys; k++ {
				if err := m.Lookup(u32(k), v); err != nil {
					t.Fatal(err)
				}
				total += binary.NativeEndian.Uint64(v)
			}
			if total != workers*perWorker {
				t.Fatalf("total %d, want %d", total, workers*perWorker)
			}
		})
	}
}

func TestConcurrentPerCPU(t *testing.T) {
	SetNumCPU(4)
	defer SetNumCPU(defaultCPUs)
	for _, typ := range []Type{PerCPUHash, PerCPUArray, LRUCPUHash} {
		t.Run(typ.String(), func(t *testing.T) {
			m := mustNew(t, &Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 8})
			if err := m.Update(u32(3), make([]byte, 4*8), UpdateAny); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for cpu := 0; cpu < 4; cpu++ {
				wg.Add(1)
				go func(cpu int) {
					defer wg.Done()
					for i := 0; i < 1000*(cpu+1); i++ {
						g := EnterProgram()
						atomic.AddUint64(engine.Atomic64(m.LookupElem(u32(3), cpu)), 1)
						LeaveProgram(g)
					}
				}(cpu)
			}
			wg.Wait()
			v := make([]byte, 4*8)
			if err := m.Lookup(u32(3), v); err != nil {
				t.Fatal(err)
			}
			for cpu := 0; cpu < 4; cpu++ {
				if got := binary.NativeEndian.Uint64(v[cpu*8:]); got != uint64(1000*(cpu+1)) {
					t.Errorf("cpu %d: %d", cpu, got)
				}
			}
			// A program update touches only its own CPU's copy.
			if r := m.UpdateElem(u32(3), u64(7), UpdateExist, 2); r != 0 {
				t.Fatal(r)
			}
			m.Lookup(u32(3), v)
			if binary.NativeEndian.Uint64(v[16:]) != 7 || binary.NativeEndian.Uint64(v[8:]) != 2000 {
				t.Errorf("after program update: %x", v)
			}
		})
	}
}

// TestConcurrentChurn runs writers that insert, replace and delete while
// readers look values up inside runs: every value a reader sees must be
// the intact value written for its key, never a torn or reused one.
func TestConcurrentChurn(t *testing.T) {
	for _, typ := range []Type{Hash, LRUHash, LPMTrie} {
		t.Run(typ.String(), func(t *testing.T) {
			spec := &Spec{Type: typ, KeySize: 8, ValueSize: 16, MaxEntries: 32}
			if typ == LPMTrie {
				spec.Flags = NoPrealloc
			}
			m := mustNew(t, spec)
			mkKey := func(k uint32) []byte {
				if typ == LPMTrie {
					return binary.BigEndian.AppendUint32(u32(32), k)
				}
				return u64(uint64(k))
			}
			var stop atomic.Bool
			var wg, readers sync.WaitGroup
			var reads, bad atomic.Int64
			for w := 0; w < 2; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(w), 2))
					val := make([]byte, 16)
					for i := 0; i < 20000; i++ {
						k := uint32(r.IntN(48))
						gen := r.Uint64() & 0xffffffff
						binary.NativeEndian.PutUint64(val, uint64(k)<<32|gen)
						binary.NativeEndian.PutUint64(val[8:], ^(uint64(k)<<32 | gen))
						if r.IntN(3) == 0 {
							m.Delete(mkKey(k))
						} else {
							m.Update(mkKey(k), val, UpdateAny)
						}
					}
				}(w)
			}
			for rd := 0; rd < 2; rd++ {
				readers.Add(1)
				go func(rd int) {
					defer readers.Done()
					r := rand.New(rand.NewPCG(uint64(rd), 3))
					for !stop.Load() {
						k := uint32(r.IntN(48))
						g := EnterProgram()
						if a := m.LookupElem(mkKey(k), 0); a != 0 {
							x, y := engine.Load64(a), engine.Load64(a+8)
							for j := 0; j < 50; j++ { // hold it a while
								if engine.Load64(a) != x {
									bad.Add(1)
								}
							}
							if x>>32 != uint64(k) || y != ^x {
								bad.Add(1)
							}
							reads.Add(1)
						}
						LeaveProgram(g)
					}
				}(rd)
			}
			wg.Wait()
			stop.Store(true)
			readers.Wait()
			if bad.Load() != 0 {
				t.Fatalf("%d bad reads of %d", bad.Load(), reads.Load())
			}
			if reads.Load() == 0 {
				t.Fatal("no reads")
			}
		})
	}
}

// TestConcurrentLRUEviction has goroutines insert far more keys than an
// LRU map holds: every insert must succeed by evicting, and the map never
// holds more than MaxEntries.
func TestConcurrentLRUEviction(t *testing.T) {
	for _, typ := range []Type{LRUHash, LRUCPUHash} {
		t.Run(typ.String(), func(t *testing.T) {
			m := mustNew(t, &Spec{Type: typ, KeySize: 4, ValueSize: 8, MaxEntries: 8})
			var wg sync.WaitGroup
			var failed atomic.Int64
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					key := make([]byte, 4)
					val := make([]byte, 8)
					for i := 0; i < 2000; i++ {
						binary.NativeEndian.PutUint32(key, uint32(w<<16|i))
						g := EnterProgram()
						if m.UpdateElem(key, val, UpdateAny, w) != 0 {
							failed.Add(1)
						}
						LeaveProgram(g)
						if n := m.(*hashMap).Len(); n > 8 {
							t.Errorf("%d elements in an 8-entry map", n)
							return
						}
					}
				}(w)
			}
			wg.Wait()
			if failed.Load() != 0 {
				t.Fatalf("%d LRU inserts failed", failed.Load())
			}
		})
	}
}
