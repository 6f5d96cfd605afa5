package x86

import (
	"fmt"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

var allRegs = []Reg{RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15}

// Displacements that cover no displacement, disp8 (both signs and both
// ends) and disp32.
var disps = []int32{0, 8, -8, 127, -128, 128, -129, -300, 0x12345, -0x7fffffff}

var names = map[Width][16]string{
	W8:  {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"},
	W16: {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"},
	W32: {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"},
	W64: regNames,
}

// ripBase marks a Mem as rip-relative in test expectations.
const ripBase Reg = 0xff

var ptrNames = map[Width]string{W8: "byte", W16: "word", W32: "dword", W64: "qword"}

func rn(w Width, r Reg) string { return names[w][r] }

func hex(v int64) string {
	if v < 0 {
		return fmt.Sprintf("-%#x", -v)
	}
	return fmt.Sprintf("%#x", v)
}

func mem(w Width, m Mem) string {
	base := m.Base.String()
	if m.Base == ripBase {
		base = "rip"
	}
	s := ptrNames[w] + " ptr [" + base
	switch {
	case m.Disp > 0:
		s += "+" + hex(int64(m.Disp))
	case m.Disp < 0:
		s += hex(int64(m.Disp))
	}
	return s + "]"
}

// check decodes the bytes emitted by emit and compares them with want in
// Intel syntax (x86asm prints immediates as signed numbers); it also checks that exactly one instruction was emitted.
func check(t *testing.T, want string, emit func(a *Assembler)) {
	t.Helper()
	var a Assembler
	emit(&a)
	in, err := x86asm.Decode(a.Buf, 64)
	if err != nil {
		t.Errorf("%s: % x: decode: %v", want, a.Buf, err)
		return
	}
	if in.Len != len(a.Buf) {
		t.Errorf("%s: % x: decoded %d of %d bytes", want, a.Buf, in.Len, len(a.Buf))
		return
	}
	if got := x86asm.IntelSyntax(in, 0, nil); got != want {
		t.Errorf("% x: got %q, want %q", a.Buf, got, want)
	}
}

var aluNames = map[ALUOp]string{ADD: "add", OR: "or", ADC: "adc", SBB: "sbb", AND: "and", SUB: "sub", XOR: "xor", CMP: "cmp"}

func TestALU(t *testing.T) {
	imms := []int32{0, 1, -1, 127, -128, 128, -129, 0x7fffffff, -0x80000000}
	for _, w := range []Width{W32, W64} {
		for op, name := range aluNames {
			for _, d := range allRegs {
				for _, s := range allRegs {
					check(t, fmt.Sprintf("%s %s, %s", name, rn(w, d), rn(w, s)),
						func(a *Assembler) { a.ALURegReg(w, op, d, s) })
				}
				for _, imm := range imms {
					want := fmt.Sprintf("%s %s, %s", name, rn(w, d), hex(int64(imm)))
					check(t, want, func(a *Assembler) { a.ALURegImm(w, op, d, imm) })
				}
				for _, disp := range disps {
					m := Mem{d, disp}
					check(t, fmt.Sprintf("%s %s, %s", name, rn(w, R11), mem(w, m)),
						func(a *Assembler) { a.ALURegMem(w, op, R11, m) })
					check(t, fmt.Sprintf("%s %s, %s", name, mem(w, m), rn(w, RSI)),
						func(a *Assembler) { a.ALUMemReg(w, op, m, RSI, false) })
					check(t, fmt.Sprintf("%s %s, 0x7", name, mem(w, m)),
						func(a *Assembler) { a.ALUMemImm(w, op, m, 7) })
					check(t, fmt.Sprintf("%s %s, 0x1000", name, mem(w, m)),
						func(a *Assembler) { a.ALUMemImm(w, op, m, 0x1000) })
					if op != CMP {
						check(t, fmt.Sprintf("lock %s %s, %s", name, mem(w, m), rn(w, R9)),
							func(a *Assembler) { a.ALUMemReg(w, op, m, R9, true) })
					}
				}
			}
		}
	}
}

func TestTestAndMov(t *testing.T) {
	for _, w := range []Width{W32, W64} {
		for _, d := range allRegs {
			for _, s := range allRegs {
				check(t, fmt.Sprintf("test %s, %s", rn(w, d), rn(w, s)), func(a *Assembler) { a.TestRegReg(w, d, s) })
				check(t, fmt.Sprintf("mov %s, %s", rn(w, d), rn(w, s)), func(a *Assembler) { a.MovRegReg(w, d, s) })
				check(t, fmt.Sprintf("imul %s, %s", rn(w, d), rn(w, s)), func(a *Assembler) { a.IMulRegReg(w, d, s) })
				check(t, fmt.Sprintf("imul %s, %s, 0x5", rn(w, d), rn(w, s)), func(a *Assembler) { a.IMulRegRegImm(w, d, s, 5) })
				check(t, fmt.Sprintf("imul %s, %s, 0x12345", rn(w, d), rn(w, s)), func(a *Assembler) { a.IMulRegRegImm(w, d, s, 0x12345) })
			}
			check(t, fmt.Sprintf("test %s, 0x100", rn(w, d)), func(a *Assembler) { a.TestRegImm(w, d, 0x100) })
			check(t, fmt.Sprintf("bswap %s", rn(w, d)), func(a *Assembler) { a.Bswap(w, d) })
			for op, name := range map[UnaryOp]string{NOT: "not", NEG: "neg", MUL: "mul", IMUL: "imul", DIV: "div", IDIV: "idiv"} {
				check(t, fmt.Sprintf("%s %s", name, rn(w, d)), func(a *Assembler) { a.Unary(w, op, d) })
			}
		}
	}
	for _, d := range allRegs {
		check(t, fmt.Sprintf("mov %s, -0x80000000", rn(W32, d)), func(a *Assembler) { a.MovRegImm32(d, 0x80000000) })
		check(t, fmt.Sprintf("mov %s, 0x0", rn(W32, d)), func(a *Assembler) { a.MovRegImm64(d, 0) })
		check(t, fmt.Sprintf("mov %s, -0x1", rn(W32, d)), func(a *Assembler) { a.MovRegImm64(d, 0xffffffff) })
		check(t, fmt.Sprintf("mov %s, -0x1", rn(W64, d)), func(a *Assembler) { a.MovRegImm64(d, ^uint64(0)) })
		check(t, fmt.Sprintf("mov %s, -0x80000000", rn(W64, d)), func(a *Assembler) { a.MovRegImm64(d, 0xffffffff80000000) })
		check(t, fmt.Sprintf("mov %s, 0x123456789abcdef0", rn(W64, d)), func(a *Assembler) { a.MovRegImm64(d, 0x123456789abcdef0) })
		check(t, fmt.Sprintf("mov %s, 0x7", rn(W64, d)), func(a *Assembler) { a.MovRegSImm32(d, 7) })
		check(t, fmt.Sprintf("xor %s, %s", rn(W32, d), rn(W32, d)), func(a *Assembler) { a.ZeroReg(d) })
		check(t, fmt.Sprintf("push %s", d), func(a *Assembler) { a.Push(d) })
		check(t, fmt.Sprintf("pop %s", d), func(a *Assembler) { a.Pop(d) })
		check(t, fmt.Sprintf("jmp %s", d), func(a *Assembler) { a.JmpReg(d) })
	}
}

func TestShifts(t *testing.T) {
	ops := map[ShiftOp]string{ROL: "rol", ROR: "ror", SHL: "shl", SHR: "shr", SAR: "sar"}
	for _, w := range []Width{W16, W32, W64} {
		for op, name := range ops {
			for _, d := range allRegs {
				check(t, fmt.Sprintf("%s %s, 0x3", name, rn(w, d)), func(a *Assembler) { a.ShiftImm(w, op, d, 3) })
				check(t, fmt.Sprintf("%s %s, cl", name, rn(w, d)), func(a *Assembler) { a.ShiftCL(w, op, d) })
			}
		}
	}
}

func TestExtend(t *testing.T) {
	for _, d := range allRegs {
		for _, s := range allRegs {
			check(t, fmt.Sprintf("movzx %s, %s", rn(W32, d), rn(W8, s)), func(a *Assembler) { a.MovZX(d, s, W8) })
			check(t, fmt.Sprintf("movzx %s, %s", rn(W32, d), rn(W16, s)), func(a *Assembler) { a.MovZX(d, s, W16) })
			for _, w := range []Width{W32, W64} {
				check(t, fmt.Sprintf("movsx %s, %s", rn(w, d), rn(W8, s)), func(a *Assembler) { a.MovSX(w, d, s, W8) })
				check(t, fmt.Sprintf("movsx %s, %s", rn(w, d), rn(W16, s)), func(a *Assembler) { a.MovSX(w, d, s, W16) })
			}
			check(t, fmt.Sprintf("movsxd %s, %s", rn(W64, d), rn(W32, s)), func(a *Assembler) { a.MovSX(W64, d, s, W32) })
		}
	}
	check(t, "cqo", func(a *Assembler) { a.Cqo(W64) })
	check(t, "cdq", func(a *Assembler) { a.Cqo(W32) })
}

func TestMemory(t *testing.T) {
	for _, b := range allRegs {
		for _, disp := range disps {
			m := Mem{b, disp}
			for _, r := range allRegs {
				for _, w := range []Width{W8, W16, W32, W64} {
					check(t, fmt.Sprintf("mov %s, %s", mem(w, m), rn(w, r)), func(a *Assembler) { a.Store(w, m, r) })
				}
				check(t, fmt.Sprintf("movzx %s, %s", rn(W32, r), mem(W8, m)), func(a *Assembler) { a.Load(W8, r, m) })
				check(t, fmt.Sprintf("movzx %s, %s", rn(W32, r), mem(W16, m)), func(a *Assembler) { a.Load(W16, r, m) })
				check(t, fmt.Sprintf("mov %s, %s", rn(W32, r), mem(W32, m)), func(a *Assembler) { a.Load(W32, r, m) })
				check(t, fmt.Sprintf("mov %s, %s", rn(W64, r), mem(W64, m)), func(a *Assembler) { a.Load(W64, r, m) })
				check(t, fmt.Sprintf("movsx %s, %s", rn(W64, r), mem(W8, m)), func(a *Assembler) { a.LoadSX(W8, r, m) })
				check(t, fmt.Sprintf("movsx %s, %s", rn(W64, r), mem(W16, m)), func(a *Assembler) { a.LoadSX(W16, r, m) })
				check(t, fmt.Sprintf("movsxd %s, %s", rn(W64, r), mem(W32, m)), func(a *Assembler) { a.LoadSX(W32, r, m) })
				check(t, fmt.Sprintf("lea %s, ptr %s", rn(W64, r), mem(W64, m)[len("qword ptr "):]), func(a *Assembler) { a.Lea(r, m) })
				for _, w := range []Width{W32, W64} {
					check(t, fmt.Sprintf("lock xadd %s, %s", mem(w, m), rn(w, r)), func(a *Assembler) { a.Xadd(w, m, r) })
					check(t, fmt.Sprintf("lock cmpxchg %s, %s", mem(w, m), rn(w, r)), func(a *Assembler) { a.Cmpxchg(w, m, r) })
					check(t, fmt.Sprintf("xchg %s, %s", mem(w, m), rn(w, r)), func(a *Assembler) { a.Xchg(w, m, r) })
				}
			}
			check(t, fmt.Sprintf("mov %s, 0x7f", mem(W8, m)), func(a *Assembler) { a.StoreImm(W8, m, 0x7f) })
			check(t, fmt.Sprintf("mov %s, 0x1234", mem(W16, m)), func(a *Assembler) { a.StoreImm(W16, m, 0x1234) })
			check(t, fmt.Sprintf("mov %s, 0x12345678", mem(W32, m)), func(a *Assembler) { a.StoreImm(W32, m, 0x12345678) })
			check(t, fmt.Sprintf("mov %s, -0x2", mem(W64, m)), func(a *Assembler) { a.StoreImm(W64, m, -2) })
		}
	}
}

func TestBranches(t *testing.T) {
	conds := map[Cond]string{CondO: "jo", CondNO: "jno", CondB: "jb", CondAE: "jnb", CondE: "jz", CondNE: "jnz",
		CondBE: "jbe", CondA: "jnbe", CondS: "js", CondNS: "jns", CondP: "jp", CondNP: "jnp",
		CondL: "jl", CondGE: "jnl", CondLE: "jle", CondG: "jnle"}
	const at = 0x20000 // where the branch is decoded
	for _, target := range []int{at, at + 2, at - 126, at + 129, at + 0x10000, at - 0x10000} {
		pad := func(a *Assembler) { a.Buf = make([]byte, at) }
		for cc, name := range conds {
			if FitsShort(at, JccShortLen, target) {
				checkAt(t, fmt.Sprintf("%s %#x", name, target), pad, func(a *Assembler) { a.JccShort(cc, target) })
			}
			checkAt(t, fmt.Sprintf("%s %#x", name, target), pad, func(a *Assembler) { a.JccNear(cc, target) })
		}
		if FitsShort(at, JmpShortLen, target) {
			checkAt(t, fmt.Sprintf("jmp %#x", target), pad, func(a *Assembler) { a.JmpShort(target) })
		}
		checkAt(t, fmt.Sprintf("jmp %#x", target), pad, func(a *Assembler) { a.JmpNear(target) })
		checkAt(t, fmt.Sprintf("call %#x", target), pad, func(a *Assembler) { a.Call(target) })
		for _, r := range allRegs {
			checkAt(t, fmt.Sprintf("lea %s, ptr %s", r, mem(W64, Mem{Base: ripBase, Disp: int32(target - (at + LeaRIPLen))})[len("qword ptr "):]), pad, func(a *Assembler) { a.LeaRIP(r, target) })
		}
	}
	check(t, "ret", func(a *Assembler) { a.Ret() })
	check(t, "int3", func(a *Assembler) { a.Int3() })
	check(t, "syscall", func(a *Assembler) { a.Syscall() })
}

// checkAt is check for an instruction emitted after pad's bytes, decoded
// with its real program counter.
func checkAt(t *testing.T, want string, pad, emit func(a *Assembler)) {
	t.Helper()
	var a Assembler
	pad(&a)
	start := a.Len()
	emit(&a)
	in, err := x86asm.Decode(a.Buf[start:], 64)
	if err != nil || in.Len != a.Len()-start {
		t.Errorf("%s: % x: decode: %v (len %d)", want, a.Buf[start:], err, in.Len)
		return
	}
	if got := x86asm.IntelSyntax(in, uint64(start), nil); got != want {
		t.Errorf("% x: got %q, want %q", a.Buf[start:], got, want)
	}
}

func TestLengths(t *testing.T) {
	var a Assembler
	for _, c := range []struct {
		n    int
		emit func()
	}{
		{JmpShortLen, func() { a.JmpShort(0) }},
		{JmpNearLen, func() { a.JmpNear(0) }},
		{JccShortLen, func() { a.JccShort(CondE, 0) }},
		{JccNearLen, func() { a.JccNear(CondE, 0) }},
		{CallLen, func() { a.Call(0) }},
		{LeaRIPLen, func() { a.LeaRIP(R15, 0) }},
	} {
		a.Reset()
		c.emit()
		if a.Len() != c.n {
			t.Errorf("% x: length %d, want %d", a.Buf, a.Len(), c.n)
		}
	}
}

// TestNop decodes Nop(n): n bytes, all of them NOPs, at most one
// instruction per nine bytes.
func TestNop(t *testing.T) {
	for n := 0; n <= 40; n++ {
		var a Assembler
		a.Nop(n)
		if a.Len() != n {
			t.Errorf("Nop(%d) emitted %d bytes", n, a.Len())
			continue
		}
		count := 0
		for off := 0; off < n; count++ {
			in, err := x86asm.Decode(a.Buf[off:], 64)
			if err != nil || in.Op != x86asm.NOP {
				t.Errorf("Nop(%d): % x at %d: %v %v", n, a.Buf[off:], off, in, err)
				break
			}
			off += in.Len
		}
		if want := (n + 8) / 9; count != want {
			t.Errorf("Nop(%d): %d instructions, want %d", n, count, want)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	a := Assembler{Buf: make([]byte, 0, 4096)}
	n := testing.AllocsPerRun(100, func() {
		a.Reset()
		a.ALURegImm(W64, ADD, R12, 5)
		a.Load(W64, RAX, Mem{RBP, -8})
		a.MovRegImm64(R10, 1<<40)
		a.JccNear(CondE, 0)
	})
	if n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}
