// Package conformance runs the bpf_conformance suite (and files in its
// format) against gbpf's engines, through the root API's Program and
// Runtime: the path every program of gbpf's commands takes.
//
// A test file holds a program (assembler text or raw bytes), optional input
// memory and the expected r0 or error text; see ParseData. RunTest runs one
// test on one Engine with the suite's conventions: r1 points at a private
// copy of the input memory in runtime-owned memory, r2 is its length, r10 is the top of a 512-byte stack, helper 5 is
// "unwind", and every instruction of ISA v4 (callx included) is allowed.
// RunDir runs a directory of tests and summarizes the outcome.
//
// Each program is verified first, as a Raw program of the root API
// calling only the suite's helper (see NewProgram). One the verifier
// accepts runs on the Engine; one it rejects runs on the checked interpreter,
// which stops it at the first access outside its stack and memory. The
// plain interpreter and the JIT never receive an unverified program.
//
// A directory of negative tests (the suite's "negative" directory) inverts
// the outcome: each test must be rejected, by an assembly error containing
// its "-- error" text when it has one, or by a result that differs from the
// expected one.
package conformance
