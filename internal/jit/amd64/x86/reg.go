// Package x86 encodes the x86-64 instructions that gbpf's JIT emits.
//
// It is a small, allocation-free assembler: every method appends the bytes of
// one instruction to an Assembler's buffer. Only the forms the JIT needs are
// provided, but each is complete over all sixteen general-purpose registers,
// including the special cases of the ModRM/SIB encoding (rsp and r12 as a base
// need a SIB byte; rbp and r13 as a base need a displacement).
//
// Names follow Intel's manual: the destination operand comes first.
package x86

// Reg is a general-purpose register, numbered as in the instruction encoding
// (the fourth bit goes into a REX prefix).
type Reg uint8

// The sixteen general-purpose registers.
const (
	RAX Reg = iota
	RCX
	RDX
	RBX
	RSP
	RBP
	RSI
	RDI
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15
)

var regNames = [16]string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}

// String returns the 64-bit name of r.
func (r Reg) String() string {
	if int(r) < len(regNames) {
		return regNames[r]
	}
	return "r?"
}

func (r Reg) low() byte { return byte(r) & 7 }
func (r Reg) ext() bool { return r >= R8 }

// Mem is a memory operand [Base+Disp].
type Mem struct {
	Base Reg
	Disp int32
}

// Width is an operand size in bytes: 1, 2, 4 or 8.
type Width uint8

// Operand widths.
const (
	W8  Width = 1
	W16 Width = 2
	W32 Width = 4
	W64 Width = 8
)

// Cond is a condition code, as in the low four bits of Jcc and SETcc.
type Cond uint8

// Condition codes.
const (
	CondO  Cond = 0x0
	CondNO Cond = 0x1
	CondB  Cond = 0x2 // unsigned <
	CondAE Cond = 0x3 // unsigned >=
	CondE  Cond = 0x4
	CondNE Cond = 0x5
	CondBE Cond = 0x6 // unsigned <=
	CondA  Cond = 0x7 // unsigned >
	CondS  Cond = 0x8
	CondNS Cond = 0x9
	CondP  Cond = 0xa
	CondNP Cond = 0xb
	CondL  Cond = 0xc // signed <
	CondGE Cond = 0xd // signed >=
	CondLE Cond = 0xe // signed <=
	CondG  Cond = 0xf // signed >
)

// ALUOp selects one of the eight classic two-operand arithmetic operations;
// its value is both the /digit of the immediate forms (0x81, 0x83) and, times
// eight, the opcode of the register forms.
type ALUOp uint8

// Two-operand arithmetic operations.
const (
	ADD ALUOp = 0
	OR  ALUOp = 1
	ADC ALUOp = 2
	SBB ALUOp = 3
	AND ALUOp = 4
	SUB ALUOp = 5
	XOR ALUOp = 6
	CMP ALUOp = 7
)

// ShiftOp selects a shift or rotate; its value is the /digit of 0xC1/0xD3.
type ShiftOp uint8

// Shifts and rotates.
const (
	ROL ShiftOp = 0
	ROR ShiftOp = 1
	SHL ShiftOp = 4
	SHR ShiftOp = 5
	SAR ShiftOp = 7
)

// UnaryOp selects an operation of the 0xF7 group; its value is the /digit.
type UnaryOp uint8

// Operations of group 3 (opcode 0xF7).
const (
	NOT  UnaryOp = 2
	NEG  UnaryOp = 3
	MUL  UnaryOp = 4
	IMUL UnaryOp = 5
	DIV  UnaryOp = 6
	IDIV UnaryOp = 7
)
