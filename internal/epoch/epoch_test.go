package epoch

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestSafeWaitsForReaders(t *testing.T) {
	g := Enter()
	e := Now()
	for i := 0; i < 10; i++ {
		if Safe(e) {
			t.Fatal("memory retired while a reader is inside became safe")
		}
	}
	g.Leave()
	if !Safe(e) {
		t.Fatal("memory not safe after the reader left")
	}
}

func TestLaterReadersDoNotBlock(t *testing.T) {
	e := Now()
	Advance()
	Advance()
	g := Enter() // entered after the retirement: must not hold it back
	defer g.Leave()
	if !Safe(e) {
		t.Fatal("a reader that entered after retirement blocks reclamation")
	}
}

func TestManyReadersShareSlots(t *testing.T) {
	var guards []Guard
	for i := 0; i < 3*numSlots; i++ {
		guards = append(guards, Enter())
	}
	e := Now()
	if Safe(e) {
		t.Fatal("safe with readers inside")
	}
	for _, g := range guards {
		g.Leave()
	}
	if !Safe(e) {
		t.Fatal("not safe after all readers left")
	}
}

// TestConcurrentReclamation models a pointer that readers follow while a
// writer swaps and retires the target: a retired object must never be
// reused while a reader that may have loaded it is inside.
func TestConcurrentReclamation(t *testing.T) {
	const objects = 64
	var (
		current atomic.Int32 // index of the live object
		inUse   [objects]atomic.Int32
		freed   [objects]atomic.Bool
		stop    atomic.Bool
		wg      sync.WaitGroup
		bad     atomic.Int64
	)
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				g := Enter()
				i := current.Load()
				inUse[i].Add(1)
				if freed[i].Load() {
					bad.Add(1)
				}
				inUse[i].Add(-1)
				g.Leave()
			}
		}()
	}
	type ret struct {
		idx   int32
		epoch uint64
	}
	var limbo []ret
	free := []int32{}
	for i := int32(1); i < objects; i++ {
		free = append(free, i)
	}
	for n := 0; n < 5000; n++ {
		if len(free) == 0 {
			kept := limbo[:0]
			for _, r := range limbo {
				if Safe(r.epoch) {
					freed[r.idx].Store(true)
					free = append(free, r.idx)
				} else {
					kept = append(kept, r)
				}
			}
			limbo = kept
			continue
		}
		next := free[len(free)-1]
		free = free[:len(free)-1]
		freed[next].Store(false)
		old := current.Swap(next)
		limbo = append(limbo, ret{old, Now()})
	}
	stop.Store(true)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d reads of reclaimed objects", bad.Load())
	}
}

func TestZeroGuard(t *testing.T) {
	e := Now()
	var g Guard
	g.Leave() // must not disturb any slot
	if !Safe(e) {
		t.Fatal("not safe without readers")
	}
	in := Enter()
	Guard{}.Leave()
	if Safe(Now()) {
		t.Fatal("zero Guard's Leave ended a real section")
	}
	in.Leave()
}

func TestEnterLeaveAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(1000, func() { Enter().Leave() }); n != 0 {
		t.Fatalf("Enter/Leave allocates %v", n)
	}
}

func BenchmarkEnterLeave(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Enter().Leave()
	}
}

func BenchmarkEnterLeaveParallel(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			Enter().Leave()
		}
	})
}
