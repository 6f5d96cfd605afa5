package isa

// Register sets: bit i stands for register ri.
const (
	// ArgRegs are r1-r5, the arguments of a call.
	ArgRegs uint16 = 0x3e
	// CallerSaved are r0-r5, which a call leaves undefined or sets.
	CallerSaved uint16 = 0x3f
)

// Regs returns the registers ins reads and writes, as sets (bit i for ri),
// by the ISA alone: a call of any kind may read every argument register
// (ArgRegs; a helper's prototype may say fewer) and writes CallerSaved;
// exit reads r0; the legacy packet loads read the context in r6 (and the
// index register of BPF_IND) and write CallerSaved, as Linux defines them.
// The second slot of lddw reads and writes nothing.
func (ins Instruction) Regs() (reads, writes uint16) {
	bit := func(r Register) uint16 { return 1 << (r & 15) }
	op := ins.Op
	switch c := op.Class(); {
	case ins.IsLdImm64():
		return 0, bit(ins.Dst)
	case c.IsALU():
		if op.ALUOp() != Mov {
			reads = bit(ins.Dst)
		}
		if op.Source() == SourceX && op.ALUOp() != Neg && op.ALUOp() != End {
			reads |= bit(ins.Src)
		}
		return reads, bit(ins.Dst)
	case c == ClassLD:
		reads = bit(R6)
		if op.Mode() == ModeIND {
			reads |= bit(ins.Src)
		}
		return reads, CallerSaved
	case c == ClassLDX:
		return bit(ins.Src), bit(ins.Dst)
	case c == ClassST:
		return bit(ins.Dst), 0
	case c == ClassSTX:
		reads = bit(ins.Dst) | bit(ins.Src)
		if op.Mode() == ModeATOMIC {
			switch a := AtomicOp(ins.Imm); {
			case a == AtomicCmpXchg:
				return reads | bit(R0), bit(R0)
			case a&AtomicFetch != 0:
				return reads, bit(ins.Src)
			}
		}
		return reads, 0
	}
	switch op.JumpOp() { // the jump classes
	case Call:
		if op == OpCallX {
			return ArgRegs | bit(ins.Dst), CallerSaved
		}
		return ArgRegs, CallerSaved
	case Exit:
		return bit(R0), 0
	case Ja:
		return 0, 0
	}
	reads = bit(ins.Dst)
	if op.Source() == SourceX {
		reads |= bit(ins.Src)
	}
	return reads, 0
}
