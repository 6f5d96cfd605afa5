package x86

// Assembler appends encoded instructions to Buf. The zero value is ready to
// use; reuse one across compilations (Reset) to avoid allocation.
type Assembler struct {
	Buf []byte
}

// Len returns the number of bytes emitted so far: the offset at which the
// next instruction starts.
func (a *Assembler) Len() int { return len(a.Buf) }

// Reset empties the buffer, keeping its storage.
func (a *Assembler) Reset() { a.Buf = a.Buf[:0] }

func (a *Assembler) byte1(b byte) { a.Buf = append(a.Buf, b) }

func (a *Assembler) imm16(v int32) { a.Buf = append(a.Buf, byte(v), byte(v>>8)) }

func (a *Assembler) imm32(v int32) {
	a.Buf = append(a.Buf, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}

func (a *Assembler) imm64(v uint64) {
	a.Buf = append(a.Buf, byte(v), byte(v>>8), byte(v>>16), byte(v>>24),
		byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56))
}

// prefixes emits the lock and operand-size prefixes and a REX prefix when one
// is needed. reg is the ModRM reg field (a register or a /digit), rm the base
// or r/m register. forceREX is set when a byte operand names spl, bpl, sil or
// dil, which exist only with a REX prefix.
func (a *Assembler) prefixes(w Width, lock bool, reg byte, rm Reg, forceREX bool) {
	if lock {
		a.byte1(0xf0)
	}
	if w == W16 {
		a.byte1(0x66)
	}
	rex := byte(0x40)
	if w == W64 {
		rex |= 8
	}
	if reg&8 != 0 {
		rex |= 4
	}
	if rm&8 != 0 {
		rex |= 1
	}
	if rex != 0x40 || forceREX {
		a.byte1(rex)
	}
}

func (a *Assembler) opcode(op uint16) {
	if op>>8 != 0 {
		a.byte1(byte(op >> 8))
	}
	a.byte1(byte(op))
}

// isByteHigh reports whether r, used as a byte register, needs a REX prefix
// to mean spl/bpl/sil/dil rather than ah/ch/dh/bh.
func isByteHigh(r Reg) bool { return r >= RSP && r <= RDI }

// rr emits an instruction whose ModRM names two registers (mod 11).
func (a *Assembler) rr(w Width, op uint16, reg byte, rm Reg, forceREX bool) {
	a.prefixes(w, false, reg, rm, forceREX)
	a.opcode(op)
	a.byte1(0xc0 | (reg&7)<<3 | rm.low())
}

// rm emits an instruction whose ModRM names a memory operand [base+disp].
func (a *Assembler) rm(w Width, lock bool, op uint16, reg byte, m Mem, forceREX bool) {
	a.prefixes(w, lock, reg, m.Base, forceREX)
	a.opcode(op)
	var mod byte
	switch {
	case m.Disp == 0 && m.Base.low() != 5: // rbp/r13 need a displacement
		mod = 0x00
	case m.Disp >= -128 && m.Disp <= 127:
		mod = 0x40
	default:
		mod = 0x80
	}
	a.byte1(mod | (reg&7)<<3 | m.Base.low())
	if m.Base.low() == 4 { // rsp/r12: SIB with no index
		a.byte1(0x24)
	}
	switch mod {
	case 0x40:
		a.byte1(byte(int8(m.Disp)))
	case 0x80:
		a.imm32(m.Disp)
	}
}

func fits8(v int32) bool { return v >= -128 && v <= 127 }

// ALURegReg emits "op dst, src" (w is W32 or W64).
func (a *Assembler) ALURegReg(w Width, op ALUOp, dst, src Reg) {
	a.rr(w, uint16(op)<<3|1, byte(src), dst, false)
}

// ALURegImm emits "op dst, imm" (w is W32 or W64; a 64-bit operation
// sign-extends imm).
func (a *Assembler) ALURegImm(w Width, op ALUOp, dst Reg, imm int32) {
	switch {
	case fits8(imm):
		a.rr(w, 0x83, byte(op), dst, false)
		a.byte1(byte(int8(imm)))
	case dst == RAX:
		a.prefixes(w, false, 0, RAX, false)
		a.byte1(byte(op)<<3 | 5)
		a.imm32(imm)
	default:
		a.rr(w, 0x81, byte(op), dst, false)
		a.imm32(imm)
	}
}

// ALURegMem emits "op dst, [m]".
func (a *Assembler) ALURegMem(w Width, op ALUOp, dst Reg, m Mem) {
	a.rm(w, false, uint16(op)<<3|3, byte(dst), m, false)
}

// ALUMemReg emits "op [m], src", with a lock prefix if lock is set
// (w is W32 or W64).
func (a *Assembler) ALUMemReg(w Width, op ALUOp, m Mem, src Reg, lock bool) {
	a.rm(w, lock, uint16(op)<<3|1, byte(src), m, false)
}

// ALUMemImm emits "op [m], imm" (w is W32 or W64).
func (a *Assembler) ALUMemImm(w Width, op ALUOp, m Mem, imm int32) {
	if fits8(imm) {
		a.rm(w, false, 0x83, byte(op), m, false)
		a.byte1(byte(int8(imm)))
		return
	}
	a.rm(w, false, 0x81, byte(op), m, false)
	a.imm32(imm)
}

// TestRegReg emits "test x, y".
func (a *Assembler) TestRegReg(w Width, x, y Reg) {
	a.rr(w, 0x85, byte(y), x, false)
}

// TestRegImm emits "test r, imm" (a 64-bit test sign-extends imm).
func (a *Assembler) TestRegImm(w Width, r Reg, imm int32) {
	if r == RAX {
		a.prefixes(w, false, 0, RAX, false)
		a.byte1(0xa9)
	} else {
		a.rr(w, 0xf7, 0, r, false)
	}
	a.imm32(imm)
}

// MovRegReg emits "mov dst, src"; a 32-bit move zero-extends into the upper
// half of dst.
func (a *Assembler) MovRegReg(w Width, dst, src Reg) {
	a.rr(w, 0x89, byte(src), dst, false)
}

// MovRegImm32 emits "mov dst32, imm", which zero-extends imm to 64 bits.
func (a *Assembler) MovRegImm32(dst Reg, imm uint32) {
	a.prefixes(W32, false, 0, dst, false)
	a.byte1(0xb8 + dst.low())
	a.imm32(int32(imm))
}

// MovRegImm64 loads the 64-bit constant v into dst with the shortest mov
// (it never uses xor, so the flags are left alone).
func (a *Assembler) MovRegImm64(dst Reg, v uint64) {
	switch {
	case v <= 0xffffffff:
		a.MovRegImm32(dst, uint32(v))
	case int64(v) == int64(int32(v)):
		a.rr(W64, 0xc7, 0, dst, false)
		a.imm32(int32(v))
	default:
		a.prefixes(W64, false, 0, dst, false)
		a.byte1(0xb8 + dst.low())
		a.imm64(v)
	}
}

// MovRegSImm32 emits "mov dst, imm" with imm sign-extended to 64 bits
// (REX.W C7 /0), always the same length whatever the value.
func (a *Assembler) MovRegSImm32(dst Reg, imm int32) {
	a.rr(W64, 0xc7, 0, dst, false)
	a.imm32(imm)
}

// ZeroReg emits "xor r32, r32", which clears all of r (and the flags).
func (a *Assembler) ZeroReg(r Reg) { a.ALURegReg(W32, XOR, r, r) }

// Load emits a zero-extending load of width w from [m] into dst:
// movzx for bytes and words, a 32-bit mov for dwords, mov for qwords.
func (a *Assembler) Load(w Width, dst Reg, m Mem) {
	switch w {
	case W8:
		a.rm(W32, false, 0x0fb6, byte(dst), m, false)
	case W16:
		a.rm(W32, false, 0x0fb7, byte(dst), m, false)
	case W32:
		a.rm(W32, false, 0x8b, byte(dst), m, false)
	default:
		a.rm(W64, false, 0x8b, byte(dst), m, false)
	}
}

// LoadSX emits a load of width w (W8, W16 or W32) from [m], sign-extended to
// 64 bits into dst.
func (a *Assembler) LoadSX(w Width, dst Reg, m Mem) {
	switch w {
	case W8:
		a.rm(W64, false, 0x0fbe, byte(dst), m, false)
	case W16:
		a.rm(W64, false, 0x0fbf, byte(dst), m, false)
	default:
		a.rm(W64, false, 0x63, byte(dst), m, false)
	}
}

// Store emits "mov [m], src" of width w.
func (a *Assembler) Store(w Width, m Mem, src Reg) {
	switch w {
	case W8:
		a.rm(W32, false, 0x88, byte(src), m, isByteHigh(src))
	case W16:
		a.rm(W16, false, 0x89, byte(src), m, false)
	default:
		a.rm(w, false, 0x89, byte(src), m, false)
	}
}

// StoreImm emits "mov [m], imm" of width w; a qword store sign-extends imm.
func (a *Assembler) StoreImm(w Width, m Mem, imm int32) {
	switch w {
	case W8:
		a.rm(W32, false, 0xc6, 0, m, false)
		a.byte1(byte(imm))
	case W16:
		a.rm(W16, false, 0xc7, 0, m, false)
		a.imm16(imm)
	default:
		a.rm(w, false, 0xc7, 0, m, false)
		a.imm32(imm)
	}
}

// Lea emits "lea dst, [m]".
func (a *Assembler) Lea(dst Reg, m Mem) { a.rm(W64, false, 0x8d, byte(dst), m, false) }

// LeaRIP emits "lea dst, [rip+rel]" such that dst gets the address of the
// code offset target. The instruction is always 7 bytes long.
func (a *Assembler) LeaRIP(dst Reg, target int) {
	a.prefixes(W64, false, byte(dst), 0, false)
	a.byte1(0x8d)
	a.byte1(0x05 | (byte(dst)&7)<<3)
	a.imm32(int32(target - (len(a.Buf) + 4)))
}

// IMulRegReg emits "imul dst, src".
func (a *Assembler) IMulRegReg(w Width, dst, src Reg) {
	a.rr(w, 0x0faf, byte(dst), src, false)
}

// IMulRegRegImm emits "imul dst, src, imm".
func (a *Assembler) IMulRegRegImm(w Width, dst, src Reg, imm int32) {
	if fits8(imm) {
		a.rr(w, 0x6b, byte(dst), src, false)
		a.byte1(byte(int8(imm)))
		return
	}
	a.rr(w, 0x69, byte(dst), src, false)
	a.imm32(imm)
}

// Unary emits an operation of the 0xF7 group on r: not, neg, and the
// one-operand mul, imul, div and idiv (which use rdx:rax).
func (a *Assembler) Unary(w Width, op UnaryOp, r Reg) {
	a.rr(w, 0xf7, byte(op), r, false)
}

// ShiftImm emits "op r, n" (w is W16, W32 or W64).
func (a *Assembler) ShiftImm(w Width, op ShiftOp, r Reg, n uint8) {
	a.rr(w, 0xc1, byte(op), r, false)
	a.byte1(n)
}

// ShiftCL emits "op r, cl".
func (a *Assembler) ShiftCL(w Width, op ShiftOp, r Reg) {
	a.rr(w, 0xd3, byte(op), r, false)
}

// MovZX emits a zero-extending register move from the low src bytes of src
// (W8 or W16) into the 32-bit dst, which clears the upper half too.
func (a *Assembler) MovZX(dst Reg, src Reg, srcW Width) {
	if srcW == W8 {
		a.rr(W32, 0x0fb6, byte(dst), src, isByteHigh(src))
		return
	}
	a.rr(W32, 0x0fb7, byte(dst), src, false)
}

// MovSX emits a sign-extending register move from the low srcW bytes of src
// (W8, W16 or, for a 64-bit dst, W32) into dst of width w (W32 or W64).
func (a *Assembler) MovSX(w Width, dst Reg, src Reg, srcW Width) {
	switch srcW {
	case W8:
		a.rr(w, 0x0fbe, byte(dst), src, isByteHigh(src))
	case W16:
		a.rr(w, 0x0fbf, byte(dst), src, false)
	default:
		a.rr(W64, 0x63, byte(dst), src, false)
	}
}

// Bswap emits "bswap r" (w is W32 or W64).
func (a *Assembler) Bswap(w Width, r Reg) {
	a.prefixes(w, false, 0, r, false)
	a.byte1(0x0f)
	a.byte1(0xc8 + r.low())
}

// Cqo emits "cqo" (rdx:rax = sign-extended rax); with w == W32, "cdq".
func (a *Assembler) Cqo(w Width) {
	if w == W64 {
		a.byte1(0x48)
	}
	a.byte1(0x99)
}

// Xadd emits "lock xadd [m], src".
func (a *Assembler) Xadd(w Width, m Mem, src Reg) {
	a.rm(w, true, 0x0fc1, byte(src), m, false)
}

// Cmpxchg emits "lock cmpxchg [m], src" (the comparand is rax).
func (a *Assembler) Cmpxchg(w Width, m Mem, src Reg) {
	a.rm(w, true, 0x0fb1, byte(src), m, false)
}

// Xchg emits "xchg [m], src", which is always locked.
func (a *Assembler) Xchg(w Width, m Mem, src Reg) {
	a.rm(w, false, 0x87, byte(src), m, false)
}

// Push emits "push r".
func (a *Assembler) Push(r Reg) {
	if r.ext() {
		a.byte1(0x41)
	}
	a.byte1(0x50 + r.low())
}

// Pop emits "pop r".
func (a *Assembler) Pop(r Reg) {
	if r.ext() {
		a.byte1(0x41)
	}
	a.byte1(0x58 + r.low())
}

// Ret emits "ret".
func (a *Assembler) Ret() { a.byte1(0xc3) }

// Int3 emits "int3", used to fill code that must never run.
func (a *Assembler) Int3() { a.byte1(0xcc) }

// Syscall emits "syscall".
func (a *Assembler) Syscall() { a.Buf = append(a.Buf, 0x0f, 0x05) }

// nops are the recommended single-instruction NOPs of 1 to 9 bytes
// (0F 1F /0 with growing addressing forms).
var nops = [...][]byte{
	{0x90},
	{0x66, 0x90},
	{0x0f, 0x1f, 0x00},
	{0x0f, 0x1f, 0x40, 0x00},
	{0x0f, 0x1f, 0x44, 0x00, 0x00},
	{0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
	{0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
	{0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
	{0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
}

// Nop emits n bytes of NOPs, in as few instructions as it can.
func (a *Assembler) Nop(n int) {
	for n > 0 {
		k := min(n, len(nops))
		a.Buf = append(a.Buf, nops[k-1]...)
		n -= k
	}
}

// Lengths of the branch forms, for callers that lay out code in passes.
const (
	JmpShortLen = 2 // EB rel8
	JmpNearLen  = 5 // E9 rel32
	JccShortLen = 2 // 7x rel8
	JccNearLen  = 6 // 0F 8x rel32
	CallLen     = 5 // E8 rel32
	LeaRIPLen   = 7 // REX.W 8D /r rel32
)

// FitsShort reports whether a branch of short length n that starts at
// offset from can reach target with a rel8.
func FitsShort(from, n, target int) bool {
	rel := target - (from + n)
	return rel >= -128 && rel <= 127
}

// JmpShort emits "jmp target" with a rel8; the caller has checked FitsShort.
func (a *Assembler) JmpShort(target int) {
	a.byte1(0xeb)
	a.byte1(byte(int8(target - (len(a.Buf) + 1))))
}

// JmpNear emits "jmp target" with a rel32.
func (a *Assembler) JmpNear(target int) {
	a.byte1(0xe9)
	a.imm32(int32(target - (len(a.Buf) + 4)))
}

// JccShort emits "jcc target" with a rel8; the caller has checked FitsShort.
func (a *Assembler) JccShort(cc Cond, target int) {
	a.byte1(0x70 | byte(cc))
	a.byte1(byte(int8(target - (len(a.Buf) + 1))))
}

// JccNear emits "jcc target" with a rel32.
func (a *Assembler) JccNear(cc Cond, target int) {
	a.byte1(0x0f)
	a.byte1(0x80 | byte(cc))
	a.imm32(int32(target - (len(a.Buf) + 4)))
}

// Call emits "call target" with a rel32.
func (a *Assembler) Call(target int) {
	a.byte1(0xe8)
	a.imm32(int32(target - (len(a.Buf) + 4)))
}

// JmpReg emits "jmp r".
func (a *Assembler) JmpReg(r Reg) { a.rr(W32, 0xff, 4, r, false) }
