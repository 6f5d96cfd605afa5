package isa

import (
	"encoding/binary"
	"fmt"
)

// InstructionSize is the size of one instruction slot on the wire.
const InstructionSize = 8

// MaxRegister is the highest register number.
const MaxRegister = R10

// Instruction is one decoded 8-byte instruction slot.
type Instruction struct {
	Op  Opcode
	Dst Register
	Src Register
	Off int16
	Imm int32
}

// Program is a sequence of instruction slots: the one program
// representation that every gbpf front end produces and every back end
// consumes.
type Program struct {
	Insns []Instruction
}

// IsLdImm64 reports whether ins is the first slot of a 64-bit immediate load.
func (ins Instruction) IsLdImm64() bool { return ins.Op == OpLdImm64 }

// IsLocalCall reports whether ins is a bpf-to-bpf call.
func (ins Instruction) IsLocalCall() bool { return ins.Op == OpCall && ins.Src == PseudoCallLocal }

// IsHelperCall reports whether ins calls a helper by its id.
func (ins Instruction) IsHelperCall() bool { return ins.Op == OpCall && ins.Src == PseudoCallHelper }

// JumpTarget returns the slot that a jump or local call at slot pc goes to.
// gotol (JMP32 Ja) and local calls take the offset from Imm; other jumps
// from Off.
func (ins Instruction) JumpTarget(pc int) int {
	if ins.Op == OpJa32 || ins.Op == OpCall || (ins.Op == OpLdImm64 && ins.Src == PseudoFunc) {
		return pc + int(ins.Imm) + 1
	}
	return pc + int(ins.Off) + 1
}

// String prints the raw fields of ins.
func (ins Instruction) String() string {
	return fmt.Sprintf("{op %#02x dst %d src %d off %d imm %d}", uint8(ins.Op), ins.Dst, ins.Src, ins.Off, ins.Imm)
}

// Imm64 returns the 64-bit constant of the lddw whose first slot is at i.
func (p Program) Imm64(i int) uint64 {
	lo := uint64(uint32(p.Insns[i].Imm))
	var hi uint64
	if i+1 < len(p.Insns) {
		hi = uint64(uint32(p.Insns[i+1].Imm))
	}
	return hi<<32 | lo
}

// LdImm64 returns the two slots of a 64-bit immediate load into dst.
func LdImm64(dst Register, v uint64) [2]Instruction {
	return [2]Instruction{
		{Op: OpLdImm64, Dst: dst, Imm: int32(uint32(v))},
		{Imm: int32(uint32(v >> 32))},
	}
}

// Decode parses the wire format: little-endian 8-byte slots. It checks
// that b holds whole slots; use Validate to check the instructions.
func Decode(b []byte) (Program, error) {
	if len(b)%InstructionSize != 0 {
		return Program{}, fmt.Errorf("program is %d bytes, not a multiple of %d", len(b), InstructionSize)
	}
	insns := make([]Instruction, len(b)/InstructionSize)
	for i := range insns {
		insns[i] = DecodeInstruction(b[i*InstructionSize:])
	}
	return Program{Insns: insns}, nil
}

// DecodeInstruction decodes the slot at the start of b, which must hold at
// least InstructionSize bytes.
func DecodeInstruction(b []byte) Instruction {
	return Instruction{
		Op:  Opcode(b[0]),
		Dst: Register(b[1] & 0x0f),
		Src: Register(b[1] >> 4),
		Off: int16(binary.LittleEndian.Uint16(b[2:])),
		Imm: int32(binary.LittleEndian.Uint32(b[4:])),
	}
}

// AppendEncoded appends the wire form of ins to b.
func (ins Instruction) AppendEncoded(b []byte) []byte {
	b = append(b, byte(ins.Op), byte(ins.Dst&0x0f)|byte(ins.Src&0x0f)<<4)
	b = binary.LittleEndian.AppendUint16(b, uint16(ins.Off))
	return binary.LittleEndian.AppendUint32(b, uint32(ins.Imm))
}

// Encode returns the wire format of p.
func (p Program) Encode() []byte {
	b := make([]byte, 0, len(p.Insns)*InstructionSize)
	for _, ins := range p.Insns {
		b = ins.AppendEncoded(b)
	}
	return b
}
