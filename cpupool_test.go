package gbpf

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gbpf/gbpf/helpers"
)

// TestCPUPool checks that the pool never gives one CPU to two runs at
// once, and that runs beyond the CPU count wait instead of failing.
func TestCPUPool(t *testing.T) {
	for _, tt := range []struct{ cpus, goroutines int }{
		{1, 1},
		{1, 8},
		{2, 2},
		{2, 16},
		{4, 3},
	} {
		var p cpuPool
		p.init(tt.cpus)
		holders := make([]atomic.Int32, tt.cpus)
		var wg sync.WaitGroup
		for range tt.goroutines {
			wg.Go(func() {
				for range 2000 {
					c := p.acquire(0)
					if n := holders[c.id].Add(1); n != 1 {
						t.Errorf("%d CPUs, %d goroutines: CPU %d held by %d runs", tt.cpus, tt.goroutines, c.id, n)
					}
					holders[c.id].Add(-1)
					p.release(c)
				}
			})
		}
		wg.Wait()
		for i := range p.cpus {
			if c := p.cpus[i]; c.word.Load() != 0 || c.id != i {
				t.Errorf("%d CPUs: CPU %d ends with word %#x id=%d", tt.cpus, i, c.word.Load(), c.id)
			}
		}
		if n := p.waiters.Load(); n != 0 {
			t.Errorf("%d CPUs, %d goroutines: %d waiters left", tt.cpus, tt.goroutines, n)
		}
	}
}

// TestCPUPoolWaits checks that the CPUs taken at once are all different,
// numbered 0 to n-1, and that a run waits while all are busy and gets the
// CPU released next.
func TestCPUPoolWaits(t *testing.T) {
	for _, n := range []int{1, 2, 5} {
		var p cpuPool
		p.init(n)
		held := make([]*cpu, n)
		seen := make(map[int]bool)
		for i := range held {
			held[i] = p.acquire(0)
			seen[held[i].id] = true
		}
		for id := range n {
			if !seen[id] {
				t.Errorf("%d CPUs: CPU %d not handed out while taking all of them", n, id)
			}
		}
		got := make(chan *cpu)
		go func() { got <- p.acquire(0) }()
		select {
		case c := <-got:
			t.Fatalf("%d CPUs: took CPU %d while all were busy", n, c.id)
		case <-time.After(20 * time.Millisecond):
		}
		p.release(held[n-1])
		select {
		case c := <-got:
			if c != held[n-1] {
				t.Errorf("%d CPUs: waiter got CPU %d, want the released CPU %d", n, c.id, held[n-1].id)
			}
			p.release(c)
		case <-time.After(10 * time.Second):
			t.Fatalf("%d CPUs: waiter not woken by release", n)
		}
		for _, c := range held[:n-1] {
			p.release(c)
		}
	}
}

// BenchmarkCPUPool measures taking a CPU, writing its run state as a
// run does, and giving it back, from parallel goroutines; "chan" is the
// same with a buffered channel as the pool.
func BenchmarkCPUPool(b *testing.B) {
	const n = 2
	run := func(c *cpu) { c.state = helpers.State{CPU: c.id} }
	b.Run("pool", func(b *testing.B) {
		var p cpuPool
		p.init(n)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c := p.acquire(0)
				run(c)
				p.release(c)
			}
		})
	})
	b.Run("chan", func(b *testing.B) {
		ch := make(chan *cpu, n)
		for i := range n {
			ch <- &cpu{id: i}
		}
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c := <-ch
				run(c)
				ch <- c
			}
		})
	})
}
