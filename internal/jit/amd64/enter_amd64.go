//go:build linux && amd64

package amd64

// Supported reports whether the JIT can run here: only on linux/amd64,
// where its fault handler contains faults in machine code.
const Supported = true

// jitcall enters (or resumes) machine code with the context at ctx; it
// returns when the machine code leaves, with the reason in context.exit.
//
//go:noescape
func jitcall(ctx uintptr)
