package bench

import (
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
)

// InsnClass is a microbenchmark of one instruction class: a loop whose body
// is many copies of one instruction.
type InsnClass struct {
	Name string
	// Insn is the instruction, in assembler text. It may use r1 (1), r2
	// (3), r3 (7) and the stack slot [r10-8] (8-byte aligned); r6 is the
	// loop counter.
	Insn string
	// Executes is how many instructions one copy executes (a local call
	// also executes the callee's exit).
	Executes int
}

// InsnClasses are the instruction classes the microbenchmarks cover.
var InsnClasses = []InsnClass{
	{"alu64", "add %r1, %r2", 1},
	{"alu32", "add32 %r1, %r2", 1},
	{"alu64-imm", "xor %r1, 0x55", 1},
	{"mul64", "mul %r1, %r3", 1},
	{"div64", "div %r1, %r3", 1},
	{"mod32", "mod32 %r1, %r3", 1},
	{"lddw", "lddw %r1, 0x123456789", 1},
	{"jump", "jeq %r1, %r2, +0", 1},
	{"jump32", "jset32 %r1, 0x10, +0", 1},
	{"load", "ldxdw %r1, [%r10-8]", 1},
	{"store", "stxdw [%r10-8], %r1", 1},
	{"atomic", "lock add [%r10-8], %r2", 1},
	{"atomic-fetch", "lock fetch add [%r10-8], %r1", 1},
	{"call-local", "call local f", 2},
	{"call-helper", "call 1", 1},
}

const (
	insnCopies = 16   // copies of the instruction in the loop body
	insnLoops  = 1000 // iterations of the loop
)

// Program returns the microbenchmark's program and the number of
// instructions one run executes.
func (c InsnClass) Program() (isa.Program, int, error) {
	var s strings.Builder
	fmt.Fprintf(&s, "mov %%r6, %d\nmov %%r1, 1\nmov %%r2, 3\nmov %%r3, 7\nstdw [%%r10-8], 0\nloop:\n", insnLoops)
	for range insnCopies {
		fmt.Fprintln(&s, c.Insn)
	}
	s.WriteString("sub %r6, 1\njne %r6, 0, loop\nmov %r0, 0\nexit\nf:\nexit\n")
	p, err := asm.Assemble(s.String())
	if err != nil {
		return isa.Program{}, 0, fmt.Errorf("%s: %w", c.Name, err)
	}
	return p, 5 + insnLoops*(insnCopies*c.Executes+2) + 2, nil
}

// NopHelpers is the helper table of the microbenchmarks: helper 1 returns
// its first argument.
var NopHelpers = []abi.Helper{1: func(_ *abi.Env, r1, _, _, _, _ uint64) uint64 { return r1 }}
