package asm

import (
	"github.com/gbpf/gbpf/isa"
)

// appendLLVM appends ins (with hi, the second slot of an lddw) in the
// syntax of llvm-objdump -d --mcpu=v4. It reports false for instructions
// that are not well formed.
func appendLLVM(b []byte, ins, hi isa.Instruction) ([]byte, bool) {
	p := printer{b: b, ok: true}
	switch ins.Op.Class() {
	case isa.ClassALU, isa.ClassALU64:
		p.llvmALU(ins)
	case isa.ClassJMP, isa.ClassJMP32:
		p.llvmJump(ins)
	case isa.ClassLD:
		p.llvmLD(ins, hi)
	case isa.ClassLDX:
		p.llvmLDX(ins)
	case isa.ClassST, isa.ClassSTX:
		p.llvmStore(ins)
	}
	return p.b, p.ok
}

// llvmALUOps are the assignment operators of the binary ALU operations,
// indexed by operation >> 4.
var llvmALUOps = [16]string{
	isa.Add >> 4: "+=", isa.Sub >> 4: "-=", isa.Mul >> 4: "*=", isa.Div >> 4: "/=",
	isa.Or >> 4: "|=", isa.And >> 4: "&=", isa.LSh >> 4: "<<=", isa.RSh >> 4: ">>=",
	isa.Mod >> 4: "%=", isa.Xor >> 4: "^=", isa.Mov >> 4: "=", isa.ArSh >> 4: "s>>=",
}

// llvmJumpOps are the comparison operators of the conditional jumps,
// indexed by operation >> 4.
var llvmJumpOps = [16]string{
	isa.JEq >> 4: "==", isa.JGT >> 4: ">", isa.JGE >> 4: ">=", isa.JSet >> 4: "&",
	isa.JNE >> 4: "!=", isa.JSGT >> 4: "s>", isa.JSGE >> 4: "s>=", isa.JLT >> 4: "<",
	isa.JLE >> 4: "<=", isa.JSLT >> 4: "s<", isa.JSLE >> 4: "s<=",
}

// sizeType returns the C type of an access width in memory operands.
func sizeType(s isa.Size, signed bool) string {
	if signed {
		switch s {
		case isa.SizeB:
			return "s8"
		case isa.SizeH:
			return "s16"
		case isa.SizeW:
			return "s32"
		}
		return "s64"
	}
	switch s {
	case isa.SizeB:
		return "u8"
	case isa.SizeH:
		return "u16"
	case isa.SizeW:
		return "u32"
	}
	return "u64"
}

// wide returns the register prefix of an operand of the given width:
// "r" for 64 bits, "w" for 32.
func wide(is64 bool) string {
	if is64 {
		return "r"
	}
	return "w"
}

// llvmAddr appends "r1 + 0x4" or "r10 - 0x8".
func (p *printer) llvmAddr(r isa.Register, off int16) {
	p.regName("r", r)
	if off < 0 {
		p.str(" - ")
		p.hex(uint64(-int64(off)))
		return
	}
	p.str(" + ")
	p.hex(uint64(off))
}

// llvmMem appends "*(u32 *)(r1 + 0x4)".
func (p *printer) llvmMem(s isa.Size, signed bool, r isa.Register, off int16) {
	p.str("*(" + sizeType(s, signed) + " *)(")
	p.llvmAddr(r, off)
	p.str(")")
}

// llvmTarget appends a jump offset: +0x2, -0x3.
func (p *printer) llvmTarget(v int64) {
	if v >= 0 {
		p.str("+")
	}
	p.signedHex(v)
}

func (p *printer) llvmALU(ins isa.Instruction) {
	p.needALU(ins)
	r := wide(ins.Op.Class() == isa.ClassALU64)
	src := ins.Op.Source()
	switch op := ins.Op.ALUOp(); op {
	case isa.Neg:
		p.regName(r, ins.Dst)
		p.str(" = -")
		p.regName(r, ins.Dst)
	case isa.End:
		p.regName("r", ins.Dst)
		switch {
		case r == "w" && src == isa.ToLE:
			p.str(" = le")
		case r == "w":
			p.str(" = be")
		case src == isa.ToLE:
			p.str(" = bswap")
		default:
			p.ok = false
		}
		p.dec(int64(ins.Imm))
		p.str(" ")
		p.regName("r", ins.Dst)
	default:
		name := llvmALUOps[op>>4]
		switch {
		case name == "":
			p.ok = false
		case (op == isa.Div || op == isa.Mod) && ins.Off == 1:
			name = "s" + name
		case op == isa.Mov && ins.Off != 0:
			p.regName(r, ins.Dst)
			p.str(" = (s")
			p.dec(int64(ins.Off))
			p.str(")")
			p.regName(r, ins.Src)
			return
		default:
			p.need(ins.Off == 0)
		}
		p.regName(r, ins.Dst)
		p.str(" " + name + " ")
		p.llvmSource(ins, r)
	}
}

// llvmSource appends the second operand of an ALU or jump instruction.
func (p *printer) llvmSource(ins isa.Instruction, r string) {
	if ins.Op.Source() == isa.SourceX {
		p.need(ins.Imm == 0)
		p.regName(r, ins.Src)
		return
	}
	p.need(ins.Src == 0)
	p.signedHex(int64(ins.Imm))
}

func (p *printer) llvmJump(ins isa.Instruction) {
	p.needJump(ins)
	is32 := ins.Op.Class() == isa.ClassJMP32
	switch op := ins.Op.JumpOp(); op {
	case isa.Ja:
		if is32 {
			p.str("gotol ")
			p.llvmTarget(int64(ins.Imm))
			return
		}
		p.str("goto ")
		p.llvmTarget(int64(ins.Off))
	case isa.Call:
		if ins.Op.Source() == isa.SourceX {
			p.str("callx ")
			p.regName("r", ins.Dst)
			return
		}
		p.need(ins.Src <= isa.PseudoCallKfunc)
		p.str("call ")
		p.signedHex(int64(ins.Imm))
	case isa.Exit:
		p.str("exit")
	default:
		name := llvmJumpOps[op>>4]
		p.need(name != "")
		r := wide(!is32)
		p.str("if ")
		p.regName(r, ins.Dst)
		p.str(" " + name + " ")
		p.llvmSource(ins, r)
		p.str(" goto ")
		p.llvmTarget(int64(ins.Off))
	}
}

func (p *printer) llvmLD(ins, hi isa.Instruction) {
	switch ins.Op.Mode() {
	case isa.ModeIMM:
		p.need(ins.Op == isa.OpLdImm64 && ins.Off == 0 && ins.Src <= isa.PseudoMapIdxValue)
		p.need(hi.Op == 0 && hi.Dst == 0 && hi.Src == 0 && hi.Off == 0)
		if ins.Src != isa.PseudoImm {
			// llvm-objdump shows the pseudo source and the first
			// immediate (a tab is part of its text), not the second.
			p.str("ld_pseudo\t")
			p.regName("r", ins.Dst)
			p.str(", ")
			p.hex(uint64(ins.Src))
			p.str(", ")
			p.hex(uint64(uint32(ins.Imm)))
			return
		}
		p.regName("r", ins.Dst)
		p.str(" = ")
		p.signedHex(int64(uint64(uint32(hi.Imm))<<32 | uint64(uint32(ins.Imm))))
		p.str(" ll")
	case isa.ModeABS:
		p.need(ins.Op.Size() != isa.SizeDW && ins.Dst == 0 && ins.Src == 0 && ins.Off == 0)
		p.str("r0 = *(" + sizeType(ins.Op.Size(), false) + " *)skb[")
		p.signedHex(int64(ins.Imm))
		p.str("]")
	case isa.ModeIND:
		p.need(ins.Op.Size() != isa.SizeDW && ins.Dst == 0 && ins.Off == 0)
		p.str("r0 = *(" + sizeType(ins.Op.Size(), false) + " *)skb[")
		p.regName("r", ins.Src)
		p.str("]")
	default:
		p.ok = false
	}
}

func (p *printer) llvmLDX(ins isa.Instruction) {
	p.need(ins.Imm == 0)
	size := ins.Op.Size()
	signed := false
	switch ins.Op.Mode() {
	case isa.ModeMEM:
	case isa.ModeMEMSX:
		p.need(size != isa.SizeDW)
		signed = true
	default:
		p.ok = false
	}
	// Zero-extending sub-word loads write a w register with alu32;
	// sign-extending ones fill all 64 bits.
	p.regName(wide(signed || size == isa.SizeDW), ins.Dst)
	p.str(" = ")
	p.llvmMem(size, signed, ins.Src, ins.Off)
}

func (p *printer) llvmStore(ins isa.Instruction) {
	size := ins.Op.Size()
	r := wide(size == isa.SizeDW)
	switch {
	case ins.Op.Mode() == isa.ModeMEM && ins.Op.Class() == isa.ClassST:
		p.need(ins.Src == 0)
		p.llvmMem(size, false, ins.Dst, ins.Off)
		p.str(" = ")
		p.signedHex(int64(ins.Imm))
	case ins.Op.Mode() == isa.ModeMEM:
		p.need(ins.Imm == 0)
		p.llvmMem(size, false, ins.Dst, ins.Off)
		p.str(" = ")
		p.regName(r, ins.Src)
	case ins.Op.Mode() == isa.ModeATOMIC && ins.Op.Class() == isa.ClassSTX:
		p.need(size == isa.SizeW || size == isa.SizeDW)
		p.llvmAtomic(ins, r)
	default:
		p.ok = false
	}
}

func (p *printer) llvmAtomic(ins isa.Instruction, r string) {
	size := ins.Op.Size()
	switch op := isa.AtomicOp(ins.Imm); op {
	case isa.AtomicAdd, isa.AtomicOr, isa.AtomicAnd, isa.AtomicXor:
		p.str("lock ")
		p.llvmMem(size, false, ins.Dst, ins.Off)
		p.str(" " + llvmALUOps[op>>4] + " ")
		p.regName(r, ins.Src)
	case isa.AtomicAdd | isa.AtomicFetch, isa.AtomicOr | isa.AtomicFetch,
		isa.AtomicAnd | isa.AtomicFetch, isa.AtomicXor | isa.AtomicFetch:
		name, _, _ := atomicName(op)
		p.regName(r, ins.Src)
		p.str(" = atomic_fetch_" + name + "((" + sizeType(size, false) + " *)(")
		p.llvmAddr(ins.Dst, ins.Off)
		p.str("), ")
		p.regName(r, ins.Src)
		p.str(")")
	case isa.AtomicXchg:
		p.regName(r, ins.Src)
		if size == isa.SizeW {
			p.str(" = xchg32_32(")
		} else {
			p.str(" = xchg_64(")
		}
		p.llvmAddr(ins.Dst, ins.Off)
		p.str(", ")
		p.regName(r, ins.Src)
		p.str(")")
	case isa.AtomicCmpXchg:
		p.regName(r, isa.R0)
		if size == isa.SizeW {
			p.str(" = cmpxchg32_32(")
		} else {
			p.str(" = cmpxchg_64(")
		}
		p.llvmAddr(ins.Dst, ins.Off)
		p.str(", ")
		p.regName(r, isa.R0)
		p.str(", ")
		p.regName(r, ins.Src)
		p.str(")")
	default:
		p.ok = false
	}
}
