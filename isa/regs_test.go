package isa

import "testing"

func TestRegs(t *testing.T) {
	alu64 := func(op ALUOp, src Source) Opcode { return ALUOpcode(ClassALU64, op, src) }
	r := func(rs ...Register) uint16 {
		var m uint16
		for _, x := range rs {
			m |= 1 << x
		}
		return m
	}
	cases := []struct {
		name          string
		ins           Instruction
		reads, writes uint16
	}{
		{"mov imm", Instruction{Op: alu64(Mov, SourceK), Dst: R3, Imm: 1}, 0, r(R3)},
		{"mov reg", Instruction{Op: alu64(Mov, SourceX), Dst: R3, Src: R10}, r(R10), r(R3)},
		{"add reg", Instruction{Op: alu64(Add, SourceX), Dst: R3, Src: R4}, r(R3, R4), r(R3)},
		{"add imm", Instruction{Op: alu64(Add, SourceK), Dst: R3, Imm: 1}, r(R3), r(R3)},
		{"neg", Instruction{Op: alu64(Neg, SourceK), Dst: R2}, r(R2), r(R2)},
		{"bswap", Instruction{Op: ALUOpcode(ClassALU64, End, ToLE), Dst: R2, Imm: 16}, r(R2), r(R2)},
		{"lddw", Instruction{Op: OpLdImm64, Dst: R7}, 0, r(R7)},
		{"ld abs", Instruction{Op: MemOpcode(ClassLD, ModeABS, SizeW)}, r(R6), CallerSaved},
		{"ld ind", Instruction{Op: MemOpcode(ClassLD, ModeIND, SizeB), Src: R8}, r(R6, R8), CallerSaved},
		{"ldx", Instruction{Op: MemOpcode(ClassLDX, ModeMEM, SizeDW), Dst: R0, Src: R1}, r(R1), r(R0)},
		{"st", Instruction{Op: MemOpcode(ClassST, ModeMEM, SizeW), Dst: R10}, r(R10), 0},
		{"stx", Instruction{Op: MemOpcode(ClassSTX, ModeMEM, SizeW), Dst: R1, Src: R2}, r(R1, R2), 0},
		{"atomic add", Instruction{Op: MemOpcode(ClassSTX, ModeATOMIC, SizeDW), Dst: R1, Src: R2, Imm: int32(AtomicAdd)}, r(R1, R2), 0},
		{"atomic fetch", Instruction{Op: MemOpcode(ClassSTX, ModeATOMIC, SizeDW), Dst: R1, Src: R2, Imm: int32(AtomicAdd | AtomicFetch)}, r(R1, R2), r(R2)},
		{"xchg", Instruction{Op: MemOpcode(ClassSTX, ModeATOMIC, SizeW), Dst: R1, Src: R2, Imm: int32(AtomicXchg)}, r(R1, R2), r(R2)},
		{"cmpxchg", Instruction{Op: MemOpcode(ClassSTX, ModeATOMIC, SizeDW), Dst: R1, Src: R2, Imm: int32(AtomicCmpXchg)}, r(R0, R1, R2), r(R0)},
		{"helper call", Instruction{Op: OpCall, Imm: 1}, ArgRegs, CallerSaved},
		{"local call", Instruction{Op: OpCall, Src: PseudoCallLocal, Imm: 3}, ArgRegs, CallerSaved},
		{"callx", Instruction{Op: OpCallX, Dst: R4}, ArgRegs, CallerSaved},
		{"exit", Instruction{Op: OpExit}, r(R0), 0},
		{"ja", Instruction{Op: OpJa, Off: 2}, 0, 0},
		{"jeq imm", Instruction{Op: JumpOpcode(ClassJMP, JEq, SourceK), Dst: R5, Imm: 1}, r(R5), 0},
		{"jlt reg", Instruction{Op: JumpOpcode(ClassJMP32, JLT, SourceX), Dst: R5, Src: R9}, r(R5, R9), 0},
	}
	for _, c := range cases {
		reads, writes := c.ins.Regs()
		if reads != c.reads || writes != c.writes {
			t.Errorf("%s (%v): reads %#x writes %#x, want %#x %#x", c.name, c.ins, reads, writes, c.reads, c.writes)
		}
	}
}
