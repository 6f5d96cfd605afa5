package abi

import "unsafe"

// Bytes returns the n bytes of program memory at addr as a slice, without
// copying: how a helper reads and writes the memory a pointer argument
// points to. The caller must know that the range is memory the run owns,
// because the verifier proved it (the helper's prototype declares the
// argument as memory of that size) or because Env.Contains says so; the
// slice must not be used after the helper returns.
//
// It is not inlined: Go 1.26's compiler crashes ("disjointTypes: one of
// arguments is not a pointer") on a copy into an inlined unsafe.Slice of a
// constant length built from unsafe.Add(nil, addr).
//
//go:nocheckptr
//go:noinline
func Bytes(addr, n uint64) []byte {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), uintptr(addr))), n)
}
