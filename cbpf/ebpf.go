package cbpf

import (
	"fmt"
	"math"

	"github.com/gbpf/gbpf/isa"
)

// Registers of the translated program. The program is entered with
// R1 = address of the packet and R2 = its length (the "raw" calling
// convention); A lives in R4, X in R5, the scratch words M[0..15] in the
// 64 bytes below the frame pointer, and R3 is a temporary.
const (
	regPkt = isa.R1
	regLen = isa.R2
	regTmp = isa.R3
	regA   = isa.R4
	regX   = isa.R5
)

// scratchOff returns the stack offset of scratch word M[i].
func scratchOff(k uint32) int16 { return int16(-4 * (MemWords - int(k))) }

// ErrNotTranslatable is wrapped by ToEBPF errors for instructions that eBPF
// cannot express under the raw calling convention.
var ErrNotTranslatable = fmt.Errorf("classic BPF instruction not translatable to eBPF")

type fixup struct {
	slot   int // slot of the jump
	target int // classic instruction index, or -1 for the reject exit
}

type translator struct {
	insns  []isa.Instruction
	fixups []fixup
}

func (t *translator) emit(ins isa.Instruction) { t.insns = append(t.insns, ins) }

func (t *translator) jump(op isa.Opcode, dst, src isa.Register, imm int32, target int) {
	t.fixups = append(t.fixups, fixup{slot: len(t.insns), target: target})
	t.emit(isa.Instruction{Op: op, Dst: dst, Src: src, Imm: imm})
}

func alu32(op isa.ALUOp, src isa.Source) isa.Opcode { return isa.ALUOpcode(isa.ClassALU, op, src) }
func alu64(op isa.ALUOp, src isa.Source) isa.Opcode { return isa.ALUOpcode(isa.ClassALU64, op, src) }

// Jump targets beyond the program's instructions.
const (
	reject   = -1 // return 0
	indirect = -2 // an indirect load out of range: see Fallback
)

// Fallback is what a program from ToEBPF returns, in r0, when an indirect
// load's offset (X + k) is negative at run time. Such a load reads relative
// to the link-layer or network header (LLOff, NetOff), which depends on
// metadata that the raw calling convention does not pass; the caller
// should run the classic program in the VM for that packet instead, as
// Filter does. Every other result fits in 32 bits.
const Fallback = 1 << 32

// ToEBPF translates a classic BPF program into an eBPF program with the
// same results under the raw calling convention: R1 points to the packet,
// R2 holds its length, and R0 on exit is the filter's return value. Loads
// beyond the packet end the program with 0, as do division and modulo by
// a zero X. Ancillary loads and loads at negative offsets have no packet
// to read here and are errors naming the instruction; a run-time negative
// offset of an indirect load ends the program with Fallback.
func ToEBPF(prog []Instruction) (isa.Program, error) {
	if err := Check(prog); err != nil {
		return isa.Program{}, err
	}
	t := &translator{}
	start := make([]int, len(prog)+1)
	// A and X start at zero, as in the kernel.
	t.emit(isa.Instruction{Op: alu32(isa.Mov, isa.SourceK), Dst: regA})
	t.emit(isa.Instruction{Op: alu32(isa.Mov, isa.SourceK), Dst: regX})
	for pc, ins := range prog {
		start[pc] = len(t.insns)
		if err := t.translate(pc, ins); err != nil {
			return isa.Program{}, err
		}
	}
	// An indirect load out of range: Fallback if its offset is negative
	// as a signed 32-bit number (in r3), otherwise reject.
	indirectSlot := len(t.insns)
	t.jump(isa.JumpOpcode(isa.ClassJMP32, isa.JSGE, isa.SourceK), regTmp, 0, 0, reject)
	t.emit(isa.Instruction{Op: alu64(isa.Mov, isa.SourceK), Dst: isa.R0, Imm: 1})
	t.emit(isa.Instruction{Op: alu64(isa.LSh, isa.SourceK), Dst: isa.R0, Imm: 32})
	t.emit(isa.Instruction{Op: isa.OpExit})
	rejectSlot := len(t.insns)
	t.emit(isa.Instruction{Op: alu32(isa.Mov, isa.SourceK), Dst: isa.R0})
	t.emit(isa.Instruction{Op: isa.OpExit})
	for _, f := range t.fixups {
		target := rejectSlot
		switch {
		case f.target >= 0:
			target = start[f.target]
		case f.target == indirect:
			target = indirectSlot
		}
		off := target - (f.slot + 1)
		if off > 32767 {
			return isa.Program{}, fmt.Errorf("jump at eBPF slot %d too long", f.slot)
		}
		t.insns[f.slot].Off = int16(off)
	}
	return isa.Program{Insns: t.insns}, nil
}

// boundsCheck rejects the packet unless off+size bytes are present.
func (t *translator) boundsCheck(k uint32, size uint32) {
	end := uint64(k) + uint64(size)
	if end > 0x7fffffff {
		t.jump(isa.OpJa, 0, 0, 0, reject)
		return
	}
	t.jump(isa.JumpOpcode(isa.ClassJMP, isa.JLT, isa.SourceK), regLen, 0, int32(end), reject)
}

// loadAbs loads size bytes at packet offset k into dst, big endian,
// rejecting the packet unless they are all present.
func (t *translator) loadAbs(dst isa.Register, k, size uint32) {
	t.boundsCheck(k, size)
	if k <= math.MaxInt16 {
		t.loadPacket(dst, regPkt, int16(k), size)
		return
	}
	t.emit(isa.Instruction{Op: alu64(isa.Mov, isa.SourceX), Dst: regTmp, Src: regPkt})
	t.emit(isa.Instruction{Op: alu64(isa.Add, isa.SourceK), Dst: regTmp, Imm: int32(k)})
	t.loadPacket(dst, regTmp, 0, size)
}

// loadPacket loads size bytes at base (an address) + off into dst, big
// endian.
func (t *translator) loadPacket(dst, base isa.Register, off int16, size uint32) {
	sz := isa.SizeW
	switch size {
	case 1:
		sz = isa.SizeB
	case 2:
		sz = isa.SizeH
	}
	t.emit(isa.Instruction{Op: isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, sz), Dst: dst, Src: base, Off: off})
	if size > 1 {
		t.emit(isa.Instruction{Op: alu32(isa.End, isa.ToBE), Dst: dst, Imm: int32(size * 8)})
	}
}

func sizeBytes(op uint16) uint32 {
	switch Size(op) {
	case SizeH:
		return 2
	case SizeB:
		return 1
	}
	return 4
}

var aluMap = map[uint16]isa.ALUOp{
	AluADD: isa.Add, AluSUB: isa.Sub, AluMUL: isa.Mul, AluDIV: isa.Div, AluOR: isa.Or,
	AluAND: isa.And, AluLSH: isa.LSh, AluRSH: isa.RSh, AluMOD: isa.Mod, AluXOR: isa.Xor,
}

var jmpMap = map[uint16]isa.JumpOp{JmpJEQ: isa.JEq, JmpJGT: isa.JGT, JmpJGE: isa.JGE, JmpJSET: isa.JSet}

// inverse maps a comparison to its opposite (eBPF has no opposite of JSET).
var inverse = map[isa.JumpOp]isa.JumpOp{isa.JEq: isa.JNE, isa.JGT: isa.JLE, isa.JGE: isa.JLT}

func (t *translator) translate(pc int, ins Instruction) error {
	k := ins.K
	switch Class(ins.Op) {
	case ClassRET:
		if RVal(ins.Op) == SrcA {
			t.emit(isa.Instruction{Op: alu32(isa.Mov, isa.SourceX), Dst: isa.R0, Src: regA})
		} else {
			t.emit(isa.Instruction{Op: alu32(isa.Mov, isa.SourceK), Dst: isa.R0, Imm: int32(k)})
		}
		t.emit(isa.Instruction{Op: isa.OpExit})
	case ClassLD, ClassLDX:
		dst := regA
		if Class(ins.Op) == ClassLDX {
			dst = regX
		}
		switch Mode(ins.Op) {
		case ModeIMM:
			t.emit(isa.Instruction{Op: alu32(isa.Mov, isa.SourceK), Dst: dst, Imm: int32(k)})
		case ModeLEN:
			t.emit(isa.Instruction{Op: alu32(isa.Mov, isa.SourceX), Dst: dst, Src: regLen})
		case ModeMEM:
			t.emit(isa.Instruction{Op: isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, isa.SizeW), Dst: dst, Src: isa.R10, Off: scratchOff(k)})
		case ModeABS:
			if int32(k) < 0 {
				return fmt.Errorf("instruction %d: load at offset %d (ancillary or negative): %w", pc, int32(k), ErrNotTranslatable)
			}
			t.loadAbs(regA, k, sizeBytes(ins.Op))
		case ModeIND:
			size := sizeBytes(ins.Op)
			// R3 = (u32)(X + k); out of range unless R3 + size <= len.
			t.emit(isa.Instruction{Op: alu32(isa.Mov, isa.SourceX), Dst: regTmp, Src: regX})
			t.emit(isa.Instruction{Op: alu32(isa.Add, isa.SourceK), Dst: regTmp, Imm: int32(k)})
			t.emit(isa.Instruction{Op: alu64(isa.Mov, isa.SourceX), Dst: isa.R0, Src: regTmp})
			t.emit(isa.Instruction{Op: alu64(isa.Add, isa.SourceK), Dst: isa.R0, Imm: int32(size)})
			t.jump(isa.JumpOpcode(isa.ClassJMP, isa.JGT, isa.SourceX), isa.R0, regLen, 0, indirect)
			t.emit(isa.Instruction{Op: alu64(isa.Add, isa.SourceX), Dst: regTmp, Src: regPkt})
			t.loadPacket(regA, regTmp, 0, size)
		case ModeMSH:
			t.loadAbs(regX, k, 1)
			t.emit(isa.Instruction{Op: alu32(isa.And, isa.SourceK), Dst: regX, Imm: 0xf})
			t.emit(isa.Instruction{Op: alu32(isa.LSh, isa.SourceK), Dst: regX, Imm: 2})
		}
	case ClassST, ClassSTX:
		src := regA
		if Class(ins.Op) == ClassSTX {
			src = regX
		}
		t.emit(isa.Instruction{Op: isa.MemOpcode(isa.ClassSTX, isa.ModeMEM, isa.SizeW), Dst: isa.R10, Src: src, Off: scratchOff(k)})
	case ClassMISC:
		if MiscOp(ins.Op) == MiscTAX {
			t.emit(isa.Instruction{Op: alu32(isa.Mov, isa.SourceX), Dst: regX, Src: regA})
		} else {
			t.emit(isa.Instruction{Op: alu32(isa.Mov, isa.SourceX), Dst: regA, Src: regX})
		}
	case ClassALU:
		op := Op(ins.Op)
		if op == AluNEG {
			t.emit(isa.Instruction{Op: alu32(isa.Neg, isa.SourceK), Dst: regA})
			break
		}
		aop := aluMap[op]
		if Src(ins.Op) == SrcK {
			t.emit(isa.Instruction{Op: alu32(aop, isa.SourceK), Dst: regA, Imm: int32(k)})
			break
		}
		src := regX
		switch op {
		case AluDIV, AluMOD:
			t.jump(isa.JumpOpcode(isa.ClassJMP32, isa.JEq, isa.SourceK), regX, 0, 0, reject)
		case AluLSH, AluRSH:
			// Linux masks the shift count to 5 bits.
			t.emit(isa.Instruction{Op: alu32(isa.Mov, isa.SourceX), Dst: regTmp, Src: regX})
			t.emit(isa.Instruction{Op: alu32(isa.And, isa.SourceK), Dst: regTmp, Imm: 31})
			src = regTmp
		}
		t.emit(isa.Instruction{Op: alu32(aop, isa.SourceX), Dst: regA, Src: src})
	case ClassJMP:
		next := pc + 1
		if Op(ins.Op) == JmpJA {
			t.jump(isa.OpJa, 0, 0, 0, next+int(k))
			break
		}
		jop := jmpMap[Op(ins.Op)]
		tTarget, fTarget := next+int(ins.Jt), next+int(ins.Jf)
		if inv, ok := inverse[jop]; ok && tTarget == next && fTarget != next {
			// Jump on the opposite condition to the false branch and fall
			// through to the true one: one jump instead of two.
			jop, tTarget, fTarget = inv, fTarget, next
		}
		if Src(ins.Op) == SrcK {
			t.jump(isa.JumpOpcode(isa.ClassJMP32, jop, isa.SourceK), regA, 0, int32(k), tTarget)
		} else {
			t.jump(isa.JumpOpcode(isa.ClassJMP32, jop, isa.SourceX), regA, regX, 0, tTarget)
		}
		if fTarget != next {
			t.jump(isa.OpJa, 0, 0, 0, fTarget)
		}
	default:
		return fmt.Errorf("instruction %d: opcode %#x: %w", pc, ins.Op, ErrNotTranslatable)
	}
	return nil
}
