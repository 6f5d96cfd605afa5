package amd64

import "unsafe"

// leafFunc is the memory of a Go function value whose code is a leaf
// program's direct entry (directEntry): a func value points at a word that
// holds the address of its code. Calling it is an ordinary indirect call
// under Go's internal register ABI, with no trampoline and no switch of
// stacks, which makes a run of a small program cost little more than its
// instructions. Only leaf programs are entered this way: they cannot loop,
// call or leave to Go (a fault returns, see faultStub), so nothing can stop
// the goroutine while it runs machine code.
type leafFunc struct {
	code uintptr
}

// leafFuncs returns the two Go views of a leaf program's entry: with r1 an
// address outside the Go heap (a uint64, as Run takes it), and with r1 a Go
// pointer, which keeps the memory it points at alive and lets the stack
// copier adjust it until the call is made. Both return r0 in rax and a
// LeafFault in rbx, rcx, rdi and rsi, as Go's register ABI assigns
// results: a normal exit leaves r6, r4, r1 and r2 there, which
// LeafFault.Faulted tells from the fault stub's (see faultStub).
func leafFuncs(code uint64) (func(r1, r2 uint64) (uint64, LeafFault), func(r1 unsafe.Pointer, r2 uint64) (uint64, LeafFault)) {
	fv := &leafFunc{code: uintptr(code)}
	return *(*func(uint64, uint64) (uint64, LeafFault))(unsafe.Pointer(&fv)),
		*(*func(unsafe.Pointer, uint64) (uint64, LeafFault))(unsafe.Pointer(&fv))
}
