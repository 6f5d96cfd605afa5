package isa

import "fmt"

// Error is a malformed instruction: its slot index and what is wrong.
type Error struct {
	Index  int
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("instruction %d: %s", e.Index, e.Reason) }

func errorf(i int, format string, args ...any) error {
	return &Error{Index: i, Reason: fmt.Sprintf(format, args...)}
}

// Validate checks that every slot of p is a well-formed RFC 9669
// instruction: known opcode, reserved fields zero, registers in range, no
// write to the frame pointer, a complete lddw, jump and call targets inside
// the program and never inside an lddw, and a last instruction that does
// not fall off the end. The error is an *Error naming the first bad slot.
func Validate(p Program) error {
	n := len(p.Insns)
	if n == 0 {
		return fmt.Errorf("program has no instructions")
	}
	// second[i] marks the second slot of an lddw.
	second := make([]bool, n)
	for i := 0; i < n; i++ {
		ins := p.Insns[i]
		if ins.IsLdImm64() {
			if i+1 >= n {
				return errorf(i, "lddw is missing its second slot")
			}
			second[i+1] = true
			i++
		}
	}
	for i := 0; i < n; i++ {
		if second[i] {
			continue
		}
		if err := validateOne(p.Insns, i, second); err != nil {
			return err
		}
	}
	last := n - 1
	if second[last] {
		last--
	}
	switch op := p.Insns[last].Op; {
	case op == OpExit, op == OpJa, op == OpJa32:
	default:
		return errorf(last, "last instruction is not an exit or jump")
	}
	return nil
}

func validateOne(insns []Instruction, i int, second []bool) error {
	ins := insns[i]
	if ins.Dst > MaxRegister {
		return errorf(i, "invalid dst register r%d", ins.Dst)
	}
	if ins.Src > MaxRegister && !(ins.Op.Class() == ClassLD || ins.Op == OpCall) {
		return errorf(i, "invalid src register r%d", ins.Src)
	}
	switch c := ins.Op.Class(); c {
	case ClassALU, ClassALU64:
		return validateALU(ins, i)
	case ClassJMP, ClassJMP32:
		return validateJump(insns, i, second)
	case ClassLD:
		return validateLD(insns, i)
	case ClassLDX:
		return validateLDX(ins, i)
	case ClassST, ClassSTX:
		return validateStore(ins, i)
	}
	return nil
}

func writesDst(ins Instruction, i int) error {
	if ins.Dst == R10 {
		return errorf(i, "frame pointer r10 is read only")
	}
	return nil
}

func validateALU(ins Instruction, i int) error {
	op, c := ins.Op.ALUOp(), ins.Op.Class()
	src := ins.Op.Source()
	switch op {
	case Add, Sub, Mul, Div, Or, And, LSh, RSh, Mod, Xor, Mov, ArSh:
		if src == SourceK && ins.Src != 0 {
			return errorf(i, "%s with immediate has non-zero src register", op)
		}
		if src == SourceX && ins.Imm != 0 {
			return errorf(i, "%s with register has non-zero immediate", op)
		}
		switch {
		case ins.Off == 0:
		case (op == Div || op == Mod) && ins.Off == 1:
		case op == Mov && src == SourceX && (ins.Off == 8 || ins.Off == 16 || (ins.Off == 32 && c == ClassALU64)):
		default:
			return errorf(i, "%s has invalid offset %d", op, ins.Off)
		}
	case Neg:
		if src != SourceK || ins.Src != 0 || ins.Imm != 0 || ins.Off != 0 {
			return errorf(i, "neg has reserved fields set")
		}
	case End:
		if c == ClassALU64 && src != ToLE {
			return errorf(i, "bswap has the source bit set")
		}
		if ins.Src != 0 || ins.Off != 0 {
			return errorf(i, "byte swap has reserved fields set")
		}
		if ins.Imm != 16 && ins.Imm != 32 && ins.Imm != 64 {
			return errorf(i, "byte swap of invalid width %d", ins.Imm)
		}
	default:
		return errorf(i, "unknown opcode %#02x", uint8(ins.Op))
	}
	return writesDst(ins, i)
}

func validateJump(insns []Instruction, i int, second []bool) error {
	ins := insns[i]
	c, op, src := ins.Op.Class(), ins.Op.JumpOp(), ins.Op.Source()
	target := func() error {
		t := ins.JumpTarget(i)
		if t < 0 || t >= len(insns) {
			return errorf(i, "jump out of range from insn %d to %d", i, t)
		}
		if second[t] {
			return errorf(i, "jump into the middle of lddw at insn %d", t-1)
		}
		return nil
	}
	switch op {
	case Ja:
		if src != SourceK || ins.Dst != 0 || ins.Src != 0 {
			return errorf(i, "ja has reserved fields set")
		}
		if c == ClassJMP && ins.Imm != 0 || c == ClassJMP32 && ins.Off != 0 {
			return errorf(i, "ja has reserved fields set")
		}
		return target()
	case Call:
		if c != ClassJMP {
			return errorf(i, "unknown opcode %#02x", uint8(ins.Op))
		}
		if src == SourceX {
			// callx: the target helper id is in the dst register.
			if ins.Src != 0 || ins.Off != 0 || ins.Imm != 0 {
				return errorf(i, "callx has reserved fields set")
			}
			return nil
		}
		if ins.Dst != 0 || ins.Off != 0 {
			return errorf(i, "call has reserved fields set")
		}
		switch ins.Src {
		case PseudoCallHelper, PseudoCallKfunc:
			return nil
		case PseudoCallLocal:
			return target()
		}
		return errorf(i, "call has invalid src %d", ins.Src)
	case Exit:
		if c != ClassJMP || src != SourceK {
			return errorf(i, "unknown opcode %#02x", uint8(ins.Op))
		}
		if ins.Dst != 0 || ins.Src != 0 || ins.Off != 0 || ins.Imm != 0 {
			return errorf(i, "exit has reserved fields set")
		}
		return nil
	case JEq, JGT, JGE, JSet, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE:
		if src == SourceK && ins.Src != 0 {
			return errorf(i, "%s with immediate has non-zero src register", op)
		}
		if src == SourceX && ins.Imm != 0 {
			return errorf(i, "%s with register has non-zero immediate", op)
		}
		return target()
	}
	return errorf(i, "unknown opcode %#02x", uint8(ins.Op))
}

func validateLD(insns []Instruction, i int) error {
	ins := insns[i]
	switch ins.Op.Mode() {
	case ModeIMM:
		if ins.Op != OpLdImm64 {
			return errorf(i, "unknown opcode %#02x", uint8(ins.Op))
		}
		if ins.Off != 0 {
			return errorf(i, "lddw has non-zero offset")
		}
		if ins.Src > PseudoMapIdxValue {
			return errorf(i, "lddw has invalid src %d", ins.Src)
		}
		next := insns[i+1]
		if next.Op != 0 || next.Dst != 0 || next.Src != 0 || next.Off != 0 {
			return errorf(i+1, "second slot of lddw has reserved fields set")
		}
		if ins.Src == PseudoFunc {
			t := ins.JumpTarget(i)
			if t < 0 || t >= len(insns) {
				return errorf(i, "function address out of range from insn %d to %d", i, t)
			}
		}
		return writesDst(ins, i)
	case ModeABS, ModeIND:
		if ins.Op.Size() == SizeDW {
			return errorf(i, "unknown opcode %#02x", uint8(ins.Op))
		}
		if ins.Dst != 0 || ins.Off != 0 || ins.Op.Mode() == ModeABS && ins.Src != 0 {
			return errorf(i, "legacy packet load has reserved fields set")
		}
		if ins.Src > MaxRegister {
			return errorf(i, "invalid src register r%d", ins.Src)
		}
		return nil
	}
	return errorf(i, "unknown opcode %#02x", uint8(ins.Op))
}

func validateLDX(ins Instruction, i int) error {
	switch ins.Op.Mode() {
	case ModeMEM:
	case ModeMEMSX:
		if ins.Op.Size() == SizeDW {
			return errorf(i, "unknown opcode %#02x", uint8(ins.Op))
		}
	default:
		return errorf(i, "unknown opcode %#02x", uint8(ins.Op))
	}
	if ins.Imm != 0 {
		return errorf(i, "load has non-zero immediate")
	}
	return writesDst(ins, i)
}

func validateStore(ins Instruction, i int) error {
	c := ins.Op.Class()
	switch ins.Op.Mode() {
	case ModeMEM:
		if c == ClassST && ins.Src != 0 {
			return errorf(i, "store of immediate has non-zero src register")
		}
		if c == ClassSTX && ins.Imm != 0 {
			return errorf(i, "store of register has non-zero immediate")
		}
		return nil
	case ModeATOMIC:
		if c != ClassSTX {
			return errorf(i, "unknown opcode %#02x", uint8(ins.Op))
		}
		if s := ins.Op.Size(); s != SizeW && s != SizeDW {
			return errorf(i, "atomic operation of invalid size %s", s)
		}
		switch AtomicOp(ins.Imm) {
		case AtomicAdd, AtomicOr, AtomicAnd, AtomicXor,
			AtomicAdd | AtomicFetch, AtomicOr | AtomicFetch, AtomicAnd | AtomicFetch, AtomicXor | AtomicFetch,
			AtomicXchg, AtomicCmpXchg:
			return nil
		}
		return errorf(i, "invalid atomic operation %#x", ins.Imm)
	}
	return errorf(i, "unknown opcode %#02x", uint8(ins.Op))
}
