package maps

import (
	"runtime"
	"sync/atomic"

	"github.com/gbpf/gbpf/internal/engine"
)

// Lock acquires the bpf_spin_lock whose 4-byte word is at addr in runtime
// memory (bpf_spin_lock). It spins with compare-and-swap and yields the
// processor between attempts.
func Lock(addr uint64) {
	w := engine.Atomic32(addr)
	for !atomic.CompareAndSwapUint32(w, 0, 1) {
		runtime.Gosched()
	}
}

// Unlock releases the bpf_spin_lock at addr (bpf_spin_unlock).
func Unlock(addr uint64) {
	atomic.StoreUint32(engine.Atomic32(addr), 0)
}

// copyIn copies one CPU's value from src into the runtime value dst,
// leaving dst's spin lock word alone, like the kernel's copy_map_value.
// With lock set it holds the value's spin lock while copying.
func (b *base) copyIn(dst, src []byte, lock bool) {
	off := b.spec.SpinLockOffset
	if off < 0 {
		copy(dst, src)
		return
	}
	if lock {
		Lock(engine.Addr(dst) + uint64(off))
		defer Unlock(engine.Addr(dst) + uint64(off))
	}
	copy(dst[:off], src[:off])
	copy(dst[off+4:], src[off+4:len(dst)])
}

// copyOut copies one CPU's value from the runtime value src to dst and
// zeroes the spin lock word in the copy, like the kernel's lookup. With
// lock set it holds the value's spin lock while copying.
func (b *base) copyOut(dst, src []byte, lock bool) {
	off := b.spec.SpinLockOffset
	if off < 0 {
		copy(dst, src)
		return
	}
	if lock {
		Lock(engine.Addr(src) + uint64(off))
		defer Unlock(engine.Addr(src) + uint64(off))
	}
	copy(dst[:off], src[:off])
	copy(dst[off+4:], src[off+4:])
	clear(dst[off : off+4])
}

// copyInAll copies a Go-side value (all CPUs for per-CPU maps) into the
// runtime value at addr.
func (b *base) copyInAll(addr uint64, value []byte, lock bool) {
	vs := uint64(b.spec.ValueSize)
	for c := 0; c < b.ncpu; c++ {
		src := value[uint64(c)*b.stride:]
		b.copyIn(engine.Bytes(addr+uint64(c)*b.stride, vs), src[:vs], lock)
	}
}

// copyOutAll copies the runtime value at addr (all CPUs) to a Go-side value.
func (b *base) copyOutAll(out []byte, addr uint64, lock bool) {
	vs := uint64(b.spec.ValueSize)
	for c := 0; c < b.ncpu; c++ {
		dst := out[uint64(c)*b.stride:]
		b.copyOut(dst[:vs], engine.Bytes(addr+uint64(c)*b.stride, vs), lock)
		if b.spec.Type.hasPerCPUValues() {
			clear(dst[vs:b.stride])
		}
	}
}
