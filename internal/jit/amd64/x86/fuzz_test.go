package x86

import (
	"encoding/binary"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// forms are the encoder's methods, each driven by the fuzzer's choice of
// registers, widths, displacement and immediate, with the mnemonic x86asm
// must decode.
var forms = []struct {
	op   x86asm.Op
	emit func(a *Assembler, w Width, r1, r2 Reg, disp, imm int32)
}{
	{x86asm.ADD, func(a *Assembler, w Width, r1, r2 Reg, _, _ int32) { a.ALURegReg(w, ADD, r1, r2) }},
	{x86asm.SUB, func(a *Assembler, w Width, r1, _ Reg, _, imm int32) { a.ALURegImm(w, SUB, r1, imm) }},
	{x86asm.CMP, func(a *Assembler, w Width, r1, r2 Reg, disp, _ int32) { a.ALURegMem(w, CMP, r1, Mem{r2, disp}) }},
	{x86asm.XOR, func(a *Assembler, w Width, r1, r2 Reg, disp, _ int32) { a.ALUMemReg(w, XOR, Mem{r2, disp}, r1, true) }},
	{x86asm.AND, func(a *Assembler, w Width, _, r2 Reg, disp, imm int32) { a.ALUMemImm(w, AND, Mem{r2, disp}, imm) }},
	{x86asm.TEST, func(a *Assembler, w Width, r1, _ Reg, _, imm int32) { a.TestRegImm(w, r1, imm) }},
	{x86asm.MOV, func(a *Assembler, w Width, r1, r2 Reg, _, _ int32) { a.MovRegReg(w, r1, r2) }},
	{x86asm.MOV, func(a *Assembler, _ Width, r1, _ Reg, disp, imm int32) {
		a.MovRegImm64(r1, uint64(uint32(imm))<<32|uint64(uint32(disp)))
	}},
	{x86asm.MOVZX, func(a *Assembler, _ Width, r1, r2 Reg, disp, _ int32) { a.Load(W8, r1, Mem{r2, disp}) }},
	{x86asm.MOVSX, func(a *Assembler, _ Width, r1, r2 Reg, disp, _ int32) { a.LoadSX(W16, r1, Mem{r2, disp}) }},
	{x86asm.MOV, func(a *Assembler, w Width, r1, r2 Reg, disp, _ int32) { a.Store(w, Mem{r2, disp}, r1) }},
	{x86asm.MOV, func(a *Assembler, w Width, _, r2 Reg, disp, imm int32) { a.StoreImm(w, Mem{r2, disp}, imm) }},
	{x86asm.LEA, func(a *Assembler, _ Width, r1, r2 Reg, disp, _ int32) { a.Lea(r1, Mem{r2, disp}) }},
	{x86asm.IMUL, func(a *Assembler, w Width, r1, r2 Reg, _, imm int32) { a.IMulRegRegImm(w, r1, r2, imm) }},
	{x86asm.SAR, func(a *Assembler, w Width, r1, _ Reg, _, imm int32) { a.ShiftImm(w, SAR, r1, uint8(imm)) }},
	{x86asm.MOVSX, func(a *Assembler, w Width, r1, r2 Reg, _, _ int32) { a.MovSX(W64, r1, r2, W8) }},
	{x86asm.XADD, func(a *Assembler, w Width, r1, r2 Reg, disp, _ int32) { a.Xadd(w, Mem{r2, disp}, r1) }},
	{x86asm.CMPXCHG, func(a *Assembler, w Width, r1, r2 Reg, disp, _ int32) { a.Cmpxchg(w, Mem{r2, disp}, r1) }},
	{x86asm.XCHG, func(a *Assembler, w Width, r1, r2 Reg, disp, _ int32) { a.Xchg(w, Mem{r2, disp}, r1) }},
	{x86asm.BSWAP, func(a *Assembler, w Width, r1, _ Reg, _, _ int32) { a.Bswap(w, r1) }},
}

// FuzzAssembler emits one instruction from fuzzer-chosen operands and
// requires x86asm to decode exactly its bytes as the intended operation.
func FuzzAssembler(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{3, 1, 12, 5, 0x80, 0xff, 0xff, 0xff, 1, 0, 0})
	f.Add([]byte{10, 0, 4, 13, 0x7f, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 11 {
			return
		}
		form := forms[int(b[0])%len(forms)]
		w := W32
		if b[1]&1 == 1 {
			w = W64
		}
		r1, r2 := Reg(b[2]&15), Reg(b[3]&15)
		disp := int32(binary.LittleEndian.Uint32(b[3:]))
		if b[1]&2 == 0 {
			disp = int32(int8(disp)) // mostly short displacements
		}
		imm := int32(binary.LittleEndian.Uint32(b[7:]))
		var a Assembler
		form.emit(&a, w, r1, r2, disp, imm)
		in, err := x86asm.Decode(a.Buf, 64)
		if err != nil || in.Len != len(a.Buf) {
			t.Fatalf("% x: decoded %d of %d bytes: %v", a.Buf, in.Len, len(a.Buf), err)
		}
		if in.Op != form.op {
			t.Fatalf("% x: decoded %v, want %v", a.Buf, in, form.op)
		}
	})
}
