package bpftrace

import (
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
)

// Registers the generated code gives fixed roles.
const (
	rCtx = isa.R6 // the probe's context, saved at entry
)

type label int

type fixup struct {
	at int
	to label
}

// asmBuf collects instructions with forward jumps to labels.
type asmBuf struct {
	insns  []isa.Instruction
	labels []int
	fixups []fixup
}

func (a *asmBuf) emit(ins ...isa.Instruction) { a.insns = append(a.insns, ins...) }

func (a *asmBuf) newLabel() label {
	a.labels = append(a.labels, -1)
	return label(len(a.labels) - 1)
}

func (a *asmBuf) bind(l label) { a.labels[l] = len(a.insns) }

func (a *asmBuf) movImm(dst isa.Register, v int64) {
	if v >= -1<<31 && v < 1<<31 {
		a.emit(isa.Instruction{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceK), Dst: dst, Imm: int32(v)})
		return
	}
	ld := isa.LdImm64(dst, uint64(v))
	a.emit(ld[0], ld[1])
}

func (a *asmBuf) movReg(dst, src isa.Register) {
	a.emit(isa.Instruction{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceX), Dst: dst, Src: src})
}

func (a *asmBuf) aluImm(op isa.ALUOp, dst isa.Register, v int32) {
	a.emit(isa.Instruction{Op: isa.ALUOpcode(isa.ClassALU64, op, isa.SourceK), Dst: dst, Imm: v})
}

func (a *asmBuf) aluReg(op isa.ALUOp, dst, src isa.Register) {
	a.emit(isa.Instruction{Op: isa.ALUOpcode(isa.ClassALU64, op, isa.SourceX), Dst: dst, Src: src})
}

// signedALU emits a signed division or modulo (ISA v4).
func (a *asmBuf) signedALU(op isa.ALUOp, dst, src isa.Register) {
	a.emit(isa.Instruction{Op: isa.ALUOpcode(isa.ClassALU64, op, isa.SourceX), Dst: dst, Src: src, Off: 1})
}

func (a *asmBuf) ldx(sz isa.Size, dst, src isa.Register, off int16) {
	a.emit(isa.Instruction{Op: isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, sz), Dst: dst, Src: src, Off: off})
}

func (a *asmBuf) stx(sz isa.Size, dst isa.Register, off int16, src isa.Register) {
	a.emit(isa.Instruction{Op: isa.MemOpcode(isa.ClassSTX, isa.ModeMEM, sz), Dst: dst, Src: src, Off: off})
}

func (a *asmBuf) stImm(sz isa.Size, dst isa.Register, off int16, v int32) {
	a.emit(isa.Instruction{Op: isa.MemOpcode(isa.ClassST, isa.ModeMEM, sz), Dst: dst, Off: off, Imm: v})
}

func (a *asmBuf) call(id helpers.ID) {
	a.emit(isa.Instruction{Op: isa.OpCall, Src: isa.PseudoCallHelper, Imm: int32(id)})
}

func (a *asmBuf) exit() { a.emit(isa.Instruction{Op: isa.OpExit}) }

// ldMap loads the address of map index idx into dst.
func (a *asmBuf) ldMap(dst isa.Register, idx int) {
	a.emit(isa.Instruction{Op: isa.OpLdImm64, Dst: dst, Src: isa.PseudoMapIdx, Imm: int32(idx)}, isa.Instruction{})
}

func (a *asmBuf) jmp(l label) {
	a.jumpTo(isa.Instruction{Op: isa.JumpOpcode(isa.ClassJMP, isa.Ja, isa.SourceK)}, l)
}

func (a *asmBuf) jmpImm(op isa.JumpOp, dst isa.Register, v int32, l label) {
	a.jumpTo(isa.Instruction{Op: isa.JumpOpcode(isa.ClassJMP, op, isa.SourceK), Dst: dst, Imm: v}, l)
}

func (a *asmBuf) jmpReg(op isa.JumpOp, dst, src isa.Register, l label) {
	a.jumpTo(isa.Instruction{Op: isa.JumpOpcode(isa.ClassJMP, op, isa.SourceX), Dst: dst, Src: src}, l)
}

func (a *asmBuf) jumpTo(ins isa.Instruction, l label) {
	a.fixups = append(a.fixups, fixup{at: len(a.insns), to: l})
	a.emit(ins)
}

// resolve patches the jump offsets.
func (a *asmBuf) resolve() {
	for _, f := range a.fixups {
		a.insns[f.at].Off = int16(a.labels[f.to] - f.at - 1)
	}
}
