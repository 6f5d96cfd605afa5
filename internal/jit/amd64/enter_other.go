//go:build !amd64

package amd64

// Supported reports whether the JIT can run on this architecture.
const Supported = false

func jitcall(ctx uintptr) { panic("jit: not supported on this architecture") }
