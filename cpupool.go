package gbpf

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// cpuPool hands out a runtime's CPUs, one run per CPU at a time. A run
// takes a free CPU with a compare-and-swap on that CPU's own busy flag, so
// runs on different CPUs touch no shared cache line; only when every CPU
// is busy does a run wait, on a condition variable that releases signal
// while someone waits.
type cpuPool struct {
	cpus []*cpu
	// last holds CPUs as they are released, per Go processor: a run tries
	// the CPU last released on its processor first, so that the CPU's
	// state stays in that core's cache. An entry is only a hint; the busy
	// flag decides.
	last sync.Pool

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

// tryAcquire takes a free CPU, or returns nil if every CPU is busy. It
// tries the CPU last released on this processor, then scans from a random
// CPU so that concurrent runs spread out instead of all trying CPU 0
// first.
func (p *cpuPool) tryAcquire() *cpu {
	if c, _ := p.last.Get().(*cpu); c != nil && c.busy.CompareAndSwap(false, true) {
		return c
	}
	n := len(p.cpus)
	i := rand.IntN(n)
	for range n {
		c := p.cpus[i]
		if !c.busy.Load() && c.busy.CompareAndSwap(false, true) {
			return c
		}
		if i++; i == n {
			i = 0
		}
	}
	return nil
}

// acquire takes a free CPU, waiting for one if every CPU is busy.
func (p *cpuPool) acquire() *cpu {
	if c := p.tryAcquire(); c != nil {
		return c
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// A release that clears a busy flag after this increment sees it and
	// signals; one that cleared it before is seen by the next tryAcquire.
	p.waiters.Add(1)
	defer p.waiters.Add(-1)
	for {
		if c := p.tryAcquire(); c != nil {
			return c
		}
		p.freed.Wait()
	}
}

// release gives c back and wakes a waiting run, if any.
func (p *cpuPool) release(c *cpu) {
	c.busy.Store(false)
	p.last.Put(c)
	if p.waiters.Load() != 0 {
		p.mu.Lock()
		p.freed.Signal()
		p.mu.Unlock()
	}
}
