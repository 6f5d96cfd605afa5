package amd64

import (
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64/x86"
)

// TestLeafStackGuard checks the assumption a leaf's direct entry makes
// without a stack check: that its frame (saved r14 and rbp and up to
// engine.StackSize bytes of BPF stack) fits in the goroutine stack below
// any Go function that calls it. It calls the largest leaf frame at every
// depth of a recursion, which puts the caller's stack pointer at every
// distance from the point where Go grows the stack, and compares the
// lowest byte the leaf writes with the bottom of the goroutine's stack
// (g.stack.lo, the first word of the runtime's g, which r14 holds under
// Go's register ABI). A smaller guard area in a future Go, or a bigger
// frame, fails here rather than corrupting memory below the stack.
func TestLeafStackGuard(t *testing.T) {
	// The largest frame: r8 and r10 saved, 512 bytes, all written.
	leaf := compileT(t, assemble(t, "mov %r8, 1\nstdw [%r10-512], 0\nmov %r0, %r10\nexit"), Options{})
	if !leaf.Leaf() {
		t.Fatal("not a leaf")
	}
	// getg returns r14: the goroutine, when called from Go.
	var a x86.Assembler
	a.MovRegReg(x86.W64, x86.RAX, x86.R14)
	a.Ret()
	code, err := newExecMem(a.Buf, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer code.free()
	getg, _ := leafFuncs(uint64(uintptr(code.addr())))

	minMargin := uint64(1 << 62)
	var descend func(n int) uint64
	descend = func(n int) uint64 {
		var pad [24]byte // a small frame: fine steps of the stack pointer
		pad[n%len(pad)] = byte(n)
		if n > 0 {
			return descend(n-1) + uint64(pad[n%len(pad)])
		}
		g, _ := getg(0, 0)
		lo := engine.Load64(g) // g.stack.lo
		r10, f := leaf.leafAddr(0, 0)
		if f.Faulted(r10) {
			t.Fatal("fault")
		}
		if engine.Load64(g) != lo {
			return 0 // the stack moved meanwhile (calls of -race's hooks)
		}
		lowest := r10 - engine.StackSize
		if lowest < lo {
			t.Fatalf("at depth %d the leaf's frame reaches %d bytes below the goroutine stack", n, lo-lowest)
		}
		minMargin = min(minMargin, lowest-lo)
		return 0
	}
	for depth := range 2000 {
		done := make(chan struct{})
		go func() { // a fresh, small stack
			defer close(done)
			descend(depth)
		}()
		<-done
	}
	t.Logf("smallest margin below the leaf's frame: %d bytes", minMargin)
}
