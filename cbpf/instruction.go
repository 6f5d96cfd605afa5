package cbpf

import "fmt"

// Instruction is one classic BPF instruction, laid out like the kernel's
// struct sock_filter: a 16-bit opcode, the true and false jump offsets and a
// 32-bit constant.
type Instruction struct {
	Op uint16 // opcode (code)
	Jt uint8  // jump offset if true
	Jf uint8  // jump offset if false
	K  uint32 // constant operand
}

// Stmt returns a non-jump instruction, like the kernel's BPF_STMT macro.
func Stmt(op uint16, k uint32) Instruction { return Instruction{Op: op, K: k} }

// Jump returns a jump instruction, like the kernel's BPF_JUMP macro.
func Jump(op uint16, k uint32, jt, jf uint8) Instruction {
	return Instruction{Op: op, Jt: jt, Jf: jf, K: k}
}

// String returns the instruction as its four fields, in the style of
// tcpdump -dd.
func (ins Instruction) String() string {
	return fmt.Sprintf("{ 0x%x, %d, %d, 0x%08x }", ins.Op, ins.Jt, ins.Jf, ins.K)
}

// IsJump reports whether the instruction is in the JMP class.
func (ins Instruction) IsJump() bool { return Class(ins.Op) == ClassJMP }

// IsConditionalJump reports whether the instruction is a conditional jump.
func (ins Instruction) IsConditionalJump() bool {
	return Class(ins.Op) == ClassJMP && Op(ins.Op) != JmpJA
}

// IsReturn reports whether the instruction is in the RET class.
func (ins Instruction) IsReturn() bool { return Class(ins.Op) == ClassRET }

// validOpcodes holds the opcodes the Linux checker accepts
// (chk_code_allowed in net/core/filter.c).
var validOpcodes = func() [256]bool {
	var v [256]bool
	for _, op := range []uint16{AluADD, AluSUB, AluMUL, AluDIV, AluMOD, AluAND, AluOR, AluXOR, AluLSH, AluRSH} {
		v[ClassALU|op|SrcK] = true
		v[ClassALU|op|SrcX] = true
	}
	v[ClassALU|AluNEG] = true
	for _, sz := range []uint16{SizeW, SizeH, SizeB} {
		v[ClassLD|sz|ModeABS] = true
		v[ClassLD|sz|ModeIND] = true
	}
	v[ClassLD|SizeW|ModeLEN] = true
	v[ClassLD|ModeIMM] = true
	v[ClassLD|ModeMEM] = true
	v[ClassLDX|SizeW|ModeLEN] = true
	v[ClassLDX|SizeB|ModeMSH] = true
	v[ClassLDX|ModeIMM] = true
	v[ClassLDX|ModeMEM] = true
	v[ClassST] = true
	v[ClassSTX] = true
	v[ClassMISC|MiscTAX] = true
	v[ClassMISC|MiscTXA] = true
	v[ClassRET|SrcK] = true
	v[ClassRET|SrcA] = true
	v[ClassJMP|JmpJA] = true
	for _, op := range []uint16{JmpJEQ, JmpJGT, JmpJGE, JmpJSET} {
		v[ClassJMP|op|SrcK] = true
		v[ClassJMP|op|SrcX] = true
	}
	return v
}()

// ValidOpcode reports whether the Linux checker accepts op.
func ValidOpcode(op uint16) bool { return op < 256 && validOpcodes[op] }
