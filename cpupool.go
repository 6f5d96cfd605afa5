package gbpf

import (
	"sync"
	"sync/atomic"

	"github.com/gbpf/gbpf/internal/proc"
)

// cpuPool hands out a runtime's CPUs, one run per CPU at a time. A run
// takes a free CPU with a compare-and-swap on that CPU's own word, so
// runs on different CPUs touch no shared cache line; only when every CPU
// is busy does a run wait, on a condition variable that releases signal
// while someone waits. A run tries first the CPU numbered after the Go
// processor it runs on (proc.ID), so that runs on one processor keep
// using one CPU, whose state stays in that core's cache, and runs on
// different processors start on different CPUs; the number is only a
// hint, the word decides. The word taken already names the program the
// run is for, which makes the compare-and-swap also the mark that
// Program.Close looks for (see Program.enter).
type cpuPool struct {
	cpus []*cpu

	mu      sync.Mutex
	freed   sync.Cond // signalled under mu when a CPU is released
	waiters atomic.Int32
}

// init makes n CPUs, numbered 0 to n-1, all free.
func (p *cpuPool) init(n int) {
	p.cpus = make([]*cpu, n)
	for i := range p.cpus {
		c := &cpu{id: i}
		c.state.TailPolicy = c
		p.cpus[i] = c
	}
	p.freed.L = &p.mu
}

// tryAcquire takes a free CPU, setting its word to 1|mark, or returns nil
// if every CPU is busy. It scans from the CPU of this processor's number,
// so that concurrent runs spread out instead of all trying CPU 0 first.
func (p *cpuPool) tryAcquire(mark uint64) *cpu {
	n := len(p.cpus)
	i := proc.ID()
	if i >= n {
		i %= n
	}
	for range n {
		c := p.cpus[i]
		if c.word.Load() == 0 && c.word.CompareAndSwap(0, mark|1) {
			return c
		}
		if i++; i == n {
			i = 0
		}
	}
	return nil
}

// acquire takes a free CPU as tryAcquire does, waiting for one if every
// CPU is busy.
func (p *cpuPool) acquire(mark uint64) *cpu {
	if c := p.tryAcquire(mark); c != nil {
		return c
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// A release that clears a word after this increment sees it and
	// signals; one that cleared it before is seen by the next tryAcquire.
	p.waiters.Add(1)
	defer p.waiters.Add(-1)
	for {
		if c := p.tryAcquire(mark); c != nil {
			return c
		}
		p.freed.Wait()
	}
}

// release gives c back and wakes a waiting run, if any.
func (p *cpuPool) release(c *cpu) {
	c.word.Store(0)
	if p.waiters.Load() != 0 {
		p.mu.Lock()
		p.freed.Signal()
		p.mu.Unlock()
	}
}
