// Package interp is gbpf's eBPF interpreter: the full RFC 9669 instruction
// set (ISA v4) with Linux semantics.
//
// Compile validates an isa.Program and decodes it once into a compact
// internal form: one 16-byte record per instruction slot (so jump targets
// and fault positions need no translation), with an operation code that
// already says class, operation, operand source and width, an immediate
// extended the way the operation needs it, and resolved jump targets. Run
// executes that form in one loop. The per-run state (registers, call
// frames, and the BPF stack: eight 512-byte frames in an engine.Block
// outside the Go heap) comes from a pool, so Run allocates nothing and a
// Program runs from many goroutines at once.
//
// A Program runs in one of two modes. Verified mode (the default) loads
// and stores with raw engine.Load*/Store*, for programs the verifier
// accepted. Checked mode (Options.Checked) checks every load, store and
// atomic against the live stack frames and env.Regions, and ends the run
// with an *engine.Fault wrapping engine.ErrMemory, naming the instruction,
// the access size and the address, instead of touching anything else.
//
// Options.Sanitize adds the leak sanitizer to checked mode: the run tracks
// which values are addresses (a tag per register and per stack byte) and
// ends with an *engine.Fault wrapping engine.ErrLeak at the instruction
// that turns an address into data the program can observe. Sanitized runs
// go through the run loop one instruction at a time, calling the
// sanitizer between two, so the other modes pay nothing for it.
//
// Both modes count every executed instruction, and engine.CallbackCost for
// every callback, against env.Budget (engine.ErrBudget, exactly: a run
// fails as soon as its count would exceed the budget), end a run with a
// fault wrapping env.Context's error within tens of microseconds of its
// cancellation (see exec), limit bpf-to-bpf calls to engine.MaxCallDepth frames
// (engine.ErrCallDepth), call helpers by their Linux id from env.Helpers
// (callx takes the id from its dst register), and end a run when a helper
// calls env.Stop. During a run, env.Stack is the stack's memory and
// env.CallFunc calls back into the program (for helpers such as bpf_loop);
// an lddw of a function (isa.PseudoFunc) loads the slot index CallFunc
// takes.
package interp
