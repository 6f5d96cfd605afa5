package interp

import (
	"fmt"
	"sync/atomic"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// atomicOp performs the atomic read-modify-write o (opAtomic32 or
// opAtomic64) of in as the kernel does: the fetch forms load the old value
// into src (zero-extended for 32-bit), and cmpxchg compares with r0 and
// always loads the old value into r0.
func atomicOp(o op, in *insn, r *[16]uint64) {
	addr := r[in.dst&15] + uint64(in.off)
	src := &r[in.src&15]
	if o == opAtomic32 {
		p := engine.Atomic32(addr)
		v := uint32(*src)
		switch isa.AtomicOp(in.k) {
		case isa.AtomicAdd:
			atomic.AddUint32(p, v)
		case isa.AtomicOr:
			atomic.OrUint32(p, v)
		case isa.AtomicAnd:
			atomic.AndUint32(p, v)
		case isa.AtomicXor:
			xor32(p, v)
		case isa.AtomicAdd | isa.AtomicFetch:
			*src = uint64(atomic.AddUint32(p, v) - v)
		case isa.AtomicOr | isa.AtomicFetch:
			*src = uint64(atomic.OrUint32(p, v))
		case isa.AtomicAnd | isa.AtomicFetch:
			*src = uint64(atomic.AndUint32(p, v))
		case isa.AtomicXor | isa.AtomicFetch:
			*src = uint64(xor32(p, v))
		case isa.AtomicXchg:
			*src = uint64(atomic.SwapUint32(p, v))
		case isa.AtomicCmpXchg:
			old := uint32(r[0])
			for {
				cur := atomic.LoadUint32(p)
				if cur != old || atomic.CompareAndSwapUint32(p, cur, v) {
					r[0] = uint64(cur)
					break
				}
			}
		}
		return
	}
	p := engine.Atomic64(addr)
	v := *src
	switch isa.AtomicOp(in.k) {
	case isa.AtomicAdd:
		atomic.AddUint64(p, v)
	case isa.AtomicOr:
		atomic.OrUint64(p, v)
	case isa.AtomicAnd:
		atomic.AndUint64(p, v)
	case isa.AtomicXor:
		xor64(p, v)
	case isa.AtomicAdd | isa.AtomicFetch:
		*src = atomic.AddUint64(p, v) - v
	case isa.AtomicOr | isa.AtomicFetch:
		*src = atomic.OrUint64(p, v)
	case isa.AtomicAnd | isa.AtomicFetch:
		*src = atomic.AndUint64(p, v)
	case isa.AtomicXor | isa.AtomicFetch:
		*src = xor64(p, v)
	case isa.AtomicXchg:
		*src = atomic.SwapUint64(p, v)
	case isa.AtomicCmpXchg:
		old := r[0]
		for {
			cur := atomic.LoadUint64(p)
			if cur != old || atomic.CompareAndSwapUint64(p, cur, v) {
				r[0] = cur
				break
			}
		}
	}
}

// xor32 and xor64 atomically xor v into *p and return the old value.
func xor32(p *uint32, v uint32) uint32 {
	for {
		old := atomic.LoadUint32(p)
		if atomic.CompareAndSwapUint32(p, old, old^v) {
			return old
		}
	}
}

func xor64(p *uint64, v uint64) uint64 {
	for {
		old := atomic.LoadUint64(p)
		if atomic.CompareAndSwapUint64(p, old, old^v) {
			return old
		}
	}
}

// allowed reports whether the n bytes at addr lie in the live stack
// frames [m.lo, m.top) or in one of env's regions (and may be written, if
// write is set).
func (m *machine) allowed(env *engine.Env, addr, n uint64, write bool) bool {
	// One unsigned compare: addr below lo wraps around to a huge offset.
	if addr-m.lo <= m.top-m.lo-n {
		return true
	}
	return inRegions(env.Regions, addr, n, write)
}

func inRegions(regions []engine.Region, addr, n uint64, write bool) bool {
	for _, reg := range regions {
		if reg.Contains(addr, n, write) {
			return true
		}
	}
	return false
}

// nullPage is the size of the page at address 0 that no region may
// contain; an access there is reported as a null pointer.
const nullPage = 4096

// memFault is the fault of a checked access of n bytes at addr by the
// instruction at slot pc, which m.allowed refused (or an atomic access
// that is not aligned to its size, as the kernel requires).
func (m *machine) memFault(env *engine.Env, pc int, addr, n uint64, write bool) *engine.Fault {
	what := "read"
	if write {
		what = "write"
	}
	msg := fmt.Sprintf("%s of %d bytes at %#x", what, n, addr)
	switch {
	case m.allowed(env, addr, n, write): // allowed, so it is misaligned
		return misalignedAtomic(pc, addr, n)
	case addr < nullPage:
		msg += " (null pointer)"
	case write && inRegions(env.Regions, addr, n, false):
		msg += " (read-only memory)"
	case addr >= m.top-stackBytes-engine.StackSize && addr < m.top+engine.StackSize:
		msg += " (outside the live stack frames)"
	}
	return &engine.Fault{PC: pc, Err: engine.ErrMemory, Msg: msg}
}

// misalignedAtomic is the fault of the atomic access of n bytes at addr,
// not aligned to its size, by the instruction at slot pc. The kernel's
// verifier rejects such an access even where the CPU allows unaligned
// access; Go's atomics on arm64 die of SIGBUS on it.
func misalignedAtomic(pc int, addr, n uint64) *engine.Fault {
	return &engine.Fault{PC: pc, Err: engine.ErrMemory, Msg: fmt.Sprintf("misaligned atomic write of %d bytes at %#x", n, addr)}
}
