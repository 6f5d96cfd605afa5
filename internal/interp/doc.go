// Package interp is gbpf's eBPF interpreter: the full RFC 9669 instruction
// set (ISA v4) with Linux semantics.
//
// Compile decodes an isa.Program once into a compact internal form (one
// fixed-size record per instruction slot, with a pre-computed operation code,
// a pre-extended immediate and resolved jump targets); Run executes that form
// in a tight loop. The per-run state (registers, call frames and the BPF
// stack, which lives in an engine.Block outside the Go heap) comes from a
// pool, so Run allocates nothing and a Program runs from many goroutines at
// once.
//
// A Program runs in one of two modes. Verified mode (the default) loads and
// stores with raw engine.Load*/Store* for programs the verifier accepted.
// Checked mode (Options.Checked) checks every load, store and atomic against
// the live stack frames and env.Regions, and ends the run with an
// *engine.Fault wrapping engine.ErrMemory instead of touching anything else.
package interp
