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
// engine.MaxCallDepth frames, or when the program also calls helpers, one
// of which may start a callback (see funcInfo).
//
// A call of a small straight-line function is compiled as a copy of its
// body instead (see findInlined): no call, frame or budget charge.
//
// # Leaf programs
//
// A program without loops, calls or function references never leaves its
// machine code before it exits and runs for a bounded, short time. Such a
// leaf gets a direct entry (directEntry) that Go calls as an ordinary
// function value (leafFunc), on the goroutine's own stack, with no context,
// machine stack or trampoline: Run costs a few nanoseconds more than the
// program's instructions, and RunBytes passes a Go byte slice as r1 and r2.
//
// # Callbacks
//
// During a run, env.Stack is the run's BPF stack and env.CallFunc lets a
// helper such as bpf_loop or bpf_for_each_map_elem call a function of the
// program (its slot index, which an lddw of a function loads). The helper
// runs while the machine code is stopped at the helper's exit, so CallFunc
// saves the context (the caller's registers, machine stack pointer and
// resume address), pushes on the machine stack the address of the code
// that ends a run, and resumes the machine code at the callback's slot
// with r1 to r5 set and r10 one frame below the caller's. The callback's
// exit returns to that code, which leaves to Go as the end of a run does.
// Meanwhile the callback's own helper calls and yields are served by the
// same Go loop, nested: a callback may call helpers that call back again,
// up to engine.MaxCallDepth frames in all. The budget countdown carries
// on through the callback, and Go restores the caller's context (r6-r9
// included) afterwards, keeping the countdown.
//
// # Tail calls
//
// bpf_tail_call needs no jump inside the machine code: the helper records
// the program to run next and stops the run (engine.Env.Stop), and the
// runtime runs that program, JIT-compiled or not, on the same context with
// a fresh stack, counting up to 33 tail calls as Linux does. The cost is
// one return to Go and one entry per tail call, a few tens of nanoseconds.
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
// Entering a callback (callFunc, in Go) subtracts engine.CallbackCost and
// one for the callback's exit, which no charge counts, so that callbacks
// nested in callbacks cannot run for ever without a loop of their own.
// When the countdown goes below zero the code yields to Go, which charges the
// spent amount to env.Budget (ending the run with engine.ErrBudget once more
// than the budget is spent), checks for cancellation (env.Context or
// RunContext) and resumes; callback entries and helper calls also look at
// the context, as a select on its Done channel, when the run has one. The
// budget is therefore coarse but never early: a run that spends no more
// than env.Budget (instructions, and CallbackCost per callback, as the
// interpreter counts exactly) never fails with engine.ErrBudget; one that
// keeps looping fails after spending at least that much, plus the
// straight-line code between charges that no charge counted (at most the
// function's length per charge, or per callback). A run yields at least
// every yieldQuantum units, tens to a few hundred microseconds of work; at
// every yield the Go scheduler may stop the goroutine for a garbage
// collection (a call with a stack check), and once a millisecond the run
// also steps aside with runtime.Gosched, so that the collector's workers
// and other goroutines get the thread. (A Gosched at every yield cost up
// to a quarter of a fast loop's time on a goroutine locked to its thread.)
//
// The countdown costs a subtract and a branch that is never taken per loop
// trip, which a tight loop hides in its dependency chains as long as it
// does not straddle a 64-byte fetch boundary; so the first instruction of
// every loop is aligned to 32 bytes (loopAlign), which made memsum 1.5 and
// sort 1.8 times faster, within a few percent of bounded code in
// isolation. Options.Bounded leaves the countdown out for programs whose
// running time is bounded otherwise (the verifier's complexity limit), at
// the price of budget, cancellation and yielding.
//
// # Semantics
//
// Everything follows Linux: division by zero gives zero and modulo by zero
// leaves the dividend (both guarded, as x86 would fault), signed division of
// the most negative number by -1 gives that number and its modulo zero,
// 32-bit operations zero-extend, shift counts are masked, and every atomic
// operation is locked. A program must have been accepted by the verifier:
// the JIT does not check memory accesses (use the interpreter's checked mode
// for untrusted programs). It refuses only a stack access through r10
// outside its frame, which it can see without a verifier.
//
// # Faults
//
// A fault in machine code, which only a verifier or JIT bug can cause,
// ends the run with an *engine.Fault naming the instruction
// (engine.ErrMemory for SIGSEGV and SIGBUS, ErrMachineFault otherwise)
// instead of crashing the process. All machine code lives in one reserved
// range of addresses (code.go), and a signal handler of the package's own,
// in front of Go's, resumes a thread that faulted there at its program's
// fault stub, which returns to Go as an exit does (fault.go,
// fault_linux_amd64.go). A fault outside the code of the program's
// instructions, which only a run whose state was overwritten can cause,
// ends the process with a message (exit status 2). Faults in Go code stay
// the Go runtime's. The normal path has no extra instruction.
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
