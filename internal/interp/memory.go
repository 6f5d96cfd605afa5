package interp

import (
	"fmt"
	"sync/atomic"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// atomicOp performs an atomic read-modify-write as the kernel does: the
// fetch forms load the old value into src (zero-extended for 32-bit), and
// cmpxchg compares with r0 and always loads the old value into r0.
func atomicOp(in *insn, r *[16]uint64) {
	addr := r[in.dst&15] + uint64(in.off)
	src := &r[in.src&15]
	if in.op == opAtomic32 {
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

// memOp performs the memory operation in.sub after checkAccess allowed it.
func memOp(in *insn, r *[16]uint64) {
	switch in.sub {
	case opLdxB:
		r[in.dst&15] = engine.Load8(r[in.src&15] + uint64(in.off))
	case opLdxH:
		r[in.dst&15] = engine.Load16(r[in.src&15] + uint64(in.off))
	case opLdxW:
		r[in.dst&15] = engine.Load32(r[in.src&15] + uint64(in.off))
	case opLdxDW:
		r[in.dst&15] = engine.Load64(r[in.src&15] + uint64(in.off))
	case opLdxSB:
		r[in.dst&15] = uint64(int64(int8(engine.Load8(r[in.src&15] + uint64(in.off)))))
	case opLdxSH:
		r[in.dst&15] = uint64(int64(int16(engine.Load16(r[in.src&15] + uint64(in.off)))))
	case opLdxSW:
		r[in.dst&15] = uint64(int64(int32(engine.Load32(r[in.src&15] + uint64(in.off)))))
	case opStB:
		engine.Store8(r[in.dst&15]+uint64(in.off), in.k)
	case opStH:
		engine.Store16(r[in.dst&15]+uint64(in.off), in.k)
	case opStW:
		engine.Store32(r[in.dst&15]+uint64(in.off), in.k)
	case opStDW:
		engine.Store64(r[in.dst&15]+uint64(in.off), in.k)
	case opStxB:
		engine.Store8(r[in.dst&15]+uint64(in.off), r[in.src&15])
	case opStxH:
		engine.Store16(r[in.dst&15]+uint64(in.off), r[in.src&15])
	case opStxW:
		engine.Store32(r[in.dst&15]+uint64(in.off), r[in.src&15])
	case opStxDW:
		engine.Store64(r[in.dst&15]+uint64(in.off), r[in.src&15])
	case opAtomic32, opAtomic64:
		atomicOp(&insn{op: in.sub, dst: in.dst, src: in.src, off: in.off, k: in.k}, r)
	}
}

// access describes the memory a checked instruction touches.
func access(in *insn, r *[16]uint64) (addr, size uint64, write bool) {
	switch in.sub {
	case opLdxB, opLdxSB:
		return r[in.src&15] + uint64(in.off), 1, false
	case opLdxH, opLdxSH:
		return r[in.src&15] + uint64(in.off), 2, false
	case opLdxW, opLdxSW:
		return r[in.src&15] + uint64(in.off), 4, false
	case opLdxDW:
		return r[in.src&15] + uint64(in.off), 8, false
	case opStB, opStxB:
		return r[in.dst&15] + uint64(in.off), 1, true
	case opStH, opStxH:
		return r[in.dst&15] + uint64(in.off), 2, true
	case opStW, opStxW, opAtomic32:
		return r[in.dst&15] + uint64(in.off), 4, true
	default: // opStDW, opStxDW, opAtomic64
		return r[in.dst&15] + uint64(in.off), 8, true
	}
}

// nullPage is the size of the page at address 0 that no region may
// contain; an access there is reported as a null pointer.
const nullPage = 4096

// checkAccess checks the memory that in (an opChecked) touches against the
// live stack frames [lo, hi) and env.Regions. Atomics must also be aligned
// to their size, as the kernel requires.
func checkAccess(in *insn, r *[16]uint64, env *engine.Env, lo, hi uint64) *engine.Fault {
	addr, size, write := access(in, r)
	what := "read"
	if write {
		what = "write"
	}
	if (in.sub == opAtomic32 || in.sub == opAtomic64) && addr%size != 0 {
		return &engine.Fault{Err: engine.ErrMemory, Msg: fmt.Sprintf("misaligned atomic %s of %d bytes at %#x", what, size, addr)}
	}
	stack := engine.Region{Start: lo, End: hi, Writable: true}
	if stack.Contains(addr, size, write) {
		return nil
	}
	for _, reg := range env.Regions {
		if reg.Contains(addr, size, write) {
			return nil
		}
	}
	msg := fmt.Sprintf("%s of %d bytes at %#x", what, size, addr)
	switch {
	case addr < nullPage:
		msg += " (null pointer)"
	case write && readOnly(env.Regions, addr, size):
		msg += " (read-only memory)"
	case addr >= hi-stackBytes && addr < hi:
		msg += " (outside the live stack frames)"
	}
	return &engine.Fault{Err: engine.ErrMemory, Msg: msg}
}

func readOnly(regions []engine.Region, addr, size uint64) bool {
	for _, reg := range regions {
		if reg.Contains(addr, size, false) {
			return true
		}
	}
	return false
}
