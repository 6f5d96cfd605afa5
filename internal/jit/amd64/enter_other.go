//go:build !(linux && amd64)

package amd64

// Supported reports whether the JIT can run here: only on linux/amd64,
// where its fault handler contains faults in machine code.
const Supported = false

func jitcall(ctx uintptr) { panic("jit: not supported on this platform") }
