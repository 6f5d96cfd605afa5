// Package isa is the eBPF instruction set of RFC 9669 (ISA v4): opcodes,
// the decoded instruction form, and the 8-byte little-endian wire format.
//
// One Instruction describes one 8-byte slot. The 64-bit immediate load
// (lddw) takes two slots: the first carries the low 32 bits of the constant
// in Imm, the second (whose opcode is 0) carries the high 32 bits. Jump and
// call offsets count slots, exactly as on the wire and in the kernel.
package isa

import "fmt"

// Opcode is the first byte of an instruction.
type Opcode uint8

// Class is the low three bits of an opcode.
type Class uint8

// Instruction classes.
const (
	ClassLD    Class = 0x00
	ClassLDX   Class = 0x01
	ClassST    Class = 0x02
	ClassSTX   Class = 0x03
	ClassALU   Class = 0x04
	ClassJMP   Class = 0x05
	ClassJMP32 Class = 0x06
	ClassALU64 Class = 0x07
)

// Source selects the second operand of ALU and jump instructions; for the
// END operation of class ALU it selects the byte order instead.
type Source uint8

// Operand sources.
const (
	SourceK Source = 0x00 // the 32-bit immediate
	SourceX Source = 0x08 // the src register
)

// Byte orders of the END operation (class ALU).
const (
	ToLE Source = 0x00
	ToBE Source = 0x08
)

// ALUOp is the operation of an ALU or ALU64 instruction (high four bits).
type ALUOp uint8

// Arithmetic operations.
const (
	Add  ALUOp = 0x00
	Sub  ALUOp = 0x10
	Mul  ALUOp = 0x20
	Div  ALUOp = 0x30 // Off 1: signed division
	Or   ALUOp = 0x40
	And  ALUOp = 0x50
	LSh  ALUOp = 0x60
	RSh  ALUOp = 0x70
	Neg  ALUOp = 0x80
	Mod  ALUOp = 0x90 // Off 1: signed modulo
	Xor  ALUOp = 0xa0
	Mov  ALUOp = 0xb0 // Off 8, 16, 32: sign-extending move (movsx)
	ArSh ALUOp = 0xc0
	End  ALUOp = 0xd0 // byte swap; Imm is 16, 32 or 64
)

// JumpOp is the operation of a JMP or JMP32 instruction (high four bits).
type JumpOp uint8

// Jump operations.
const (
	Ja   JumpOp = 0x00 // JMP32 Ja is gotol: the offset is in Imm
	JEq  JumpOp = 0x10
	JGT  JumpOp = 0x20
	JGE  JumpOp = 0x30
	JSet JumpOp = 0x40
	JNE  JumpOp = 0x50
	JSGT JumpOp = 0x60
	JSGE JumpOp = 0x70
	Call JumpOp = 0x80
	Exit JumpOp = 0x90
	JLT  JumpOp = 0xa0
	JLE  JumpOp = 0xb0
	JSLT JumpOp = 0xc0
	JSLE JumpOp = 0xd0
)

// Size is the access width of a load or store.
type Size uint8

// Access widths.
const (
	SizeW  Size = 0x00 // 4 bytes
	SizeH  Size = 0x08 // 2 bytes
	SizeB  Size = 0x10 // 1 byte
	SizeDW Size = 0x18 // 8 bytes
)

// Mode is the addressing mode of a load or store.
type Mode uint8

// Addressing modes.
const (
	ModeIMM    Mode = 0x00 // lddw
	ModeABS    Mode = 0x20 // legacy packet access
	ModeIND    Mode = 0x40 // legacy packet access
	ModeMEM    Mode = 0x60
	ModeMEMSX  Mode = 0x80 // sign-extending load
	ModeATOMIC Mode = 0xc0
)

// AtomicOp is the operation of an atomic instruction, carried in Imm.
type AtomicOp int32

// Atomic operations. Fetch may be or-ed into Add, Or, And and Xor; Xchg and
// CmpXchg always fetch.
const (
	AtomicAdd     AtomicOp = 0x00
	AtomicOr      AtomicOp = 0x40
	AtomicAnd     AtomicOp = 0x50
	AtomicXor     AtomicOp = 0xa0
	AtomicFetch   AtomicOp = 0x01
	AtomicXchg    AtomicOp = 0xe0 | AtomicFetch
	AtomicCmpXchg AtomicOp = 0xf0 | AtomicFetch
)

// Pseudo sources of lddw (the Src field of its first slot).
const (
	PseudoImm         Register = 0 // a 64-bit constant
	PseudoMapFD       Register = 1 // Imm: map fd (or index); the value is the map
	PseudoMapValue    Register = 2 // Imm: map fd, second slot Imm: offset into value
	PseudoBTFID       Register = 3 // Imm: BTF id of a kernel variable
	PseudoFunc        Register = 4 // Imm: slot offset of a function, like call
	PseudoMapIdx      Register = 5 // Imm: index into the program's map array
	PseudoMapIdxValue Register = 6 // like PseudoMapValue, by index
)

// Kinds of call (the Src field of a call instruction).
const (
	PseudoCallHelper Register = 0 // Imm: helper id
	PseudoCallLocal  Register = 1 // Imm: slot offset of a bpf-to-bpf call
	PseudoCallKfunc  Register = 2 // Imm: BTF id of a kernel function
)

// Opcodes that appear often enough to deserve a name.
const (
	OpLdImm64 Opcode = Opcode(ClassLD) | Opcode(SizeDW) | Opcode(ModeIMM) // 0x18
	OpCall    Opcode = Opcode(ClassJMP) | Opcode(Call)                    // 0x85
	OpCallX   Opcode = Opcode(ClassJMP) | Opcode(Call) | Opcode(SourceX)  // 0x8d
	OpExit    Opcode = Opcode(ClassJMP) | Opcode(Exit)                    // 0x95
	OpJa      Opcode = Opcode(ClassJMP) | Opcode(Ja)                      // 0x05
	OpJa32    Opcode = Opcode(ClassJMP32) | Opcode(Ja)                    // 0x06, gotol
)

// Class returns the instruction class.
func (op Opcode) Class() Class { return Class(op & 0x07) }

// Source returns the operand source of an ALU or jump opcode.
func (op Opcode) Source() Source { return Source(op & 0x08) }

// ALUOp returns the operation of an ALU or ALU64 opcode.
func (op Opcode) ALUOp() ALUOp { return ALUOp(op & 0xf0) }

// JumpOp returns the operation of a JMP or JMP32 opcode.
func (op Opcode) JumpOp() JumpOp { return JumpOp(op & 0xf0) }

// Size returns the access width of a load or store opcode.
func (op Opcode) Size() Size { return Size(op & 0x18) }

// Mode returns the addressing mode of a load or store opcode.
func (op Opcode) Mode() Mode { return Mode(op & 0xe0) }

// IsALU reports whether op is of class ALU or ALU64.
func (c Class) IsALU() bool { return c == ClassALU || c == ClassALU64 }

// IsJump reports whether op is of class JMP or JMP32.
func (c Class) IsJump() bool { return c == ClassJMP || c == ClassJMP32 }

// IsLoad reports whether c is LD or LDX.
func (c Class) IsLoad() bool { return c == ClassLD || c == ClassLDX }

// IsStore reports whether c is ST or STX.
func (c Class) IsStore() bool { return c == ClassST || c == ClassSTX }

// Bytes returns the width of s in bytes.
func (s Size) Bytes() int {
	switch s {
	case SizeW:
		return 4
	case SizeH:
		return 2
	case SizeB:
		return 1
	default:
		return 8
	}
}

// ALUOpcode builds an ALU opcode.
func ALUOpcode(c Class, op ALUOp, src Source) Opcode { return Opcode(c) | Opcode(op) | Opcode(src) }

// JumpOpcode builds a jump opcode.
func JumpOpcode(c Class, op JumpOp, src Source) Opcode { return Opcode(c) | Opcode(op) | Opcode(src) }

// MemOpcode builds a load or store opcode.
func MemOpcode(c Class, m Mode, s Size) Opcode { return Opcode(c) | Opcode(m) | Opcode(s) }

var classNames = [...]string{"ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64"}

func (c Class) String() string { return classNames[c&7] }

var aluNames = map[ALUOp]string{Add: "add", Sub: "sub", Mul: "mul", Div: "div", Or: "or", And: "and",
	LSh: "lsh", RSh: "rsh", Neg: "neg", Mod: "mod", Xor: "xor", Mov: "mov", ArSh: "arsh", End: "end"}

func (o ALUOp) String() string {
	if s, ok := aluNames[o]; ok {
		return s
	}
	return fmt.Sprintf("ALUOp(%#x)", uint8(o))
}

var jumpNames = map[JumpOp]string{Ja: "ja", JEq: "jeq", JGT: "jgt", JGE: "jge", JSet: "jset", JNE: "jne",
	JSGT: "jsgt", JSGE: "jsge", Call: "call", Exit: "exit", JLT: "jlt", JLE: "jle", JSLT: "jslt", JSLE: "jsle"}

func (o JumpOp) String() string {
	if s, ok := jumpNames[o]; ok {
		return s
	}
	return fmt.Sprintf("JumpOp(%#x)", uint8(o))
}

func (s Size) String() string {
	return [...]string{"w", "h", "b", "dw"}[s>>3]
}

func (op Opcode) String() string { return fmt.Sprintf("%#02x", uint8(op)) }

// Register is an eBPF register number, R0 to R10.
type Register uint8

// The eleven registers. R10 is the read-only frame pointer.
const (
	R0 Register = iota
	R1
	R2
	R3
	R4
	R5
	R6
	R7
	R8
	R9
	R10
	RFP = R10
)

func (r Register) String() string { return fmt.Sprintf("r%d", uint8(r)) }
