package cbpf

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// ToRaw converts prog to golang.org/x/net/bpf raw instructions.
func ToRaw(prog []Instruction) []bpf.RawInstruction {
	out := make([]bpf.RawInstruction, len(prog))
	for i, ins := range prog {
		out[i] = bpf.RawInstruction{Op: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	return out
}

// FromRaw converts golang.org/x/net/bpf raw instructions to a program.
func FromRaw(raw []bpf.RawInstruction) []Instruction {
	out := make([]Instruction, len(raw))
	for i, r := range raw {
		out[i] = Instruction{Op: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return out
}

// ToBPF converts prog to golang.org/x/net/bpf instructions. Opcodes that
// package does not model come out as bpf.RawInstruction values.
func ToBPF(prog []Instruction) []bpf.Instruction {
	out := make([]bpf.Instruction, len(prog))
	for i, r := range ToRaw(prog) {
		out[i] = r.Disassemble()
	}
	return out
}

// FromBPF assembles golang.org/x/net/bpf instructions into a program. The
// error names the first instruction that does not assemble.
func FromBPF(insns []bpf.Instruction) ([]Instruction, error) {
	out := make([]Instruction, len(insns))
	for i, ins := range insns {
		r, err := ins.Assemble()
		if err != nil {
			return nil, fmt.Errorf("instruction %d (%v): %w", i, ins, err)
		}
		out[i] = Instruction{Op: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return out, nil
}
