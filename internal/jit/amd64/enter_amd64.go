//go:build amd64

package amd64

// Supported reports whether the JIT can run on this architecture.
const Supported = true

// jitcall enters (or resumes) machine code with the context at ctx; it
// returns when the machine code leaves, with the reason in context.exit.
//
//go:noescape
func jitcall(ctx uintptr)
