// Package amd64 is gbpf's x86-64 JIT compiler: it turns an isa.Program into
// machine code once, and runs that code with no interpretation overhead.
//
// # Register mapping
//
// BPF registers live in fixed machine registers, one to one, as in the Linux
// kernel's JIT:
//
//	r0  rax    r1  rdi    r2  rsi    r3  rdx    r4  rcx    r5  r8
//	r6  rbx    r7  r13    r8  r14    r9  r15    r10 rbp
//
// The remaining registers have fixed jobs: r12 points at the run's context
// (the block of memory through which machine code and Go talk), r9 counts
// down the run's budget, and r10 and r11 are scratch.
//
// # Entering and leaving machine code
//
// Run switches to machine code through a small assembly trampoline (jitcall)
// that saves Go's stack and frame pointers in the context, switches rsp to a
// machine stack owned by the run, loads the BPF registers from the context
// and jumps to a resume address. Machine code never calls Go: to call a
// helper, to yield, or to report a fault it stores the BPF registers, an exit
// code and the address to resume at in the context, restores Go's rsp and
// rbp and returns from the trampoline. Go does the work (runs the helper,
// checks the budget) and calls the trampoline again to resume. bpf-to-bpf
// calls use real call and ret on the machine stack, which survives these
// round trips because the machine stack is not Go's.
//
// A bpf-to-bpf call moves r10 down one frame and saves only those of r6-r9
// that the called function writes; the call depth is checked at run time
// (engine.ErrCallDepth) only when the call graph could nest deeper than
// engine.MaxCallDepth frames (see funcInfo).
//
// Tail calls (program arrays) are not compiled yet; they fit the same
// scheme: an exit to Go naming the map and index, after which Go points the
// context's resume address at the other program's entry, resets the
// machine stack and frame, and resumes.
//
// The BPF stack (engine.MaxCallDepth frames of engine.StackSize bytes), the
// machine stack and the context live together in one engine.Block per
// concurrent run, outside the Go heap; Go pointers are never stored there.
//
// # Budget and preemption
//
// Machine code cannot be preempted by the Go scheduler, so it must return to
// Go now and then. Every backward jump (taken or not) subtracts from the
// countdown in r9 the fewest instructions that can have run since the
// previous such charge (worked out at compile time, see chargeWeights), and
// every bpf-to-bpf call subtracts one; every loop passes through a charge.
// When the countdown goes below zero the code yields to Go, which charges the
// spent amount to env.Budget (ending the run with engine.ErrBudget once more
// than the budget is spent), checks for cancellation (RunContext) and
// resumes. The budget is therefore coarse but never early: a run that
// executes no more than env.Budget instructions never fails with
// engine.ErrBudget; one that keeps looping fails after executing at least
// that many, plus the straight-line code between charges that no charge
// counted. A run yields at least every yieldQuantum units, a few hundred
// microseconds of work, so the garbage collector never waits long for it.
//
// The countdown costs one fused subtract-and-branch per loop trip, which is
// up to a third of a tight loop's time. Options.Bounded leaves it out for
// programs whose running time is bounded otherwise (the verifier's
// complexity limit), at the price of budget, cancellation and yielding.
//
// # Semantics
//
// Everything follows Linux: division by zero gives zero and modulo by zero
// leaves the dividend (both guarded, as x86 would fault), signed division of
// the most negative number by -1 gives that number and its modulo zero,
// 32-bit operations zero-extend, shift counts are masked, and every atomic
// operation is locked. A program must have been accepted by the verifier:
// the JIT does not check memory accesses (use the interpreter's checked mode
// for untrusted programs).
//
// # Constant blinding
//
// With Options.Blind, every immediate that comes from the program (ALU and
// jump constants, stored constants, 64-bit loads, helper ids) is emitted
// XORed with a random per-program key and decoded into a scratch register at
// run time, so that no attacker-chosen byte sequence appears in executable
// memory, as the kernel's bpf_jit_harden does. Shift counts are not blinded:
// they are masked to six bits.
package amd64
