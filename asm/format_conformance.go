package asm

import (
	"github.com/gbpf/gbpf/isa"
)

// appendConformance appends ins, at slot pc (with hi, the second slot of
// an lddw), in the dialect that Assemble reads. Jumps to the slots marked
// in targets are written as labels, others as slot offsets. It reports
// false when a field that the text cannot carry is set.
func appendConformance(b []byte, ins, hi isa.Instruction, pc int, targets []bool) ([]byte, bool) {
	p := printer{b: b, ok: true, pc: pc, targets: targets}
	switch ins.Op.Class() {
	case isa.ClassALU, isa.ClassALU64:
		p.confALU(ins)
	case isa.ClassJMP, isa.ClassJMP32:
		p.confJump(ins)
	case isa.ClassLD:
		p.confLD(ins, hi)
	case isa.ClassLDX:
		p.confLDX(ins)
	case isa.ClassST, isa.ClassSTX:
		p.confStore(ins)
	}
	return p.b, p.ok
}

func (p *printer) reg(r isa.Register) { p.regName("%r", r) }

// imm appends a 32-bit immediate so that Assemble reads back the same
// bits: small values in decimal, others as unsigned hex.
func (p *printer) imm(v int32) {
	if v > -0x10000 && v < 0x10000 {
		p.dec(int64(v))
		return
	}
	p.hex(uint64(uint32(v)))
}

// mem appends a memory operand [%rN+OFF].
func (p *printer) mem(r isa.Register, off int16) {
	p.str("[")
	p.reg(r)
	if off != 0 {
		p.signed(int64(off))
	}
	p.str("]")
}

// aluName returns the mnemonic (without the 32 suffix) of an ALU
// operation with the given offset.
func aluName(op isa.ALUOp, off int16) (string, bool) {
	for _, a := range aluNames {
		if a.op == op && a.off == off {
			return a.name, true
		}
	}
	return "", false
}

func (p *printer) confALU(ins isa.Instruction) {
	p.needALU(ins)
	is32 := ins.Op.Class() == isa.ClassALU
	suffix := ""
	if is32 {
		suffix = "32"
	}
	src := ins.Op.Source()
	switch op := ins.Op.ALUOp(); op {
	case isa.Neg:
		p.str("neg" + suffix + " ")
		p.reg(ins.Dst)
	case isa.End:
		switch {
		case is32 && src == isa.ToLE:
			p.str("le")
		case is32:
			p.str("be")
		case src == isa.ToLE:
			p.str("bswap")
		default:
			p.ok = false
		}
		p.dec(int64(ins.Imm))
		p.str(" ")
		p.reg(ins.Dst)
	case isa.Mov:
		if ins.Off != 0 {
			p.str("movsx")
			p.dec(int64(ins.Off))
			if is32 {
				p.str("32 ")
			} else {
				p.str("64 ")
			}
			p.reg(ins.Dst)
			p.str(", ")
			p.reg(ins.Src)
			return
		}
		fallthrough
	default:
		name, ok := aluName(op, ins.Off)
		p.need(ok)
		p.str(name + suffix + " ")
		p.reg(ins.Dst)
		p.str(", ")
		p.confSource(ins)
	}
}

// confSource appends the second operand of an ALU or jump instruction.
func (p *printer) confSource(ins isa.Instruction) {
	if ins.Op.Source() == isa.SourceX {
		p.need(ins.Imm == 0)
		p.reg(ins.Src)
		return
	}
	p.need(ins.Src == 0)
	p.imm(ins.Imm)
}

func (p *printer) confJump(ins isa.Instruction) {
	p.needJump(ins)
	is32 := ins.Op.Class() == isa.ClassJMP32
	switch op := ins.Op.JumpOp(); op {
	case isa.Ja:
		if is32 {
			p.str("ja32 ")
			p.jumpTarget(int64(ins.Imm))
			return
		}
		p.str("ja ")
		p.jumpTarget(int64(ins.Off))
	case isa.Call:
		if ins.Op.Source() == isa.SourceX {
			p.str("call ")
			p.reg(ins.Dst)
			return
		}
		switch ins.Src {
		case isa.PseudoCallHelper:
			p.str("call ")
			p.imm(ins.Imm)
		case isa.PseudoCallLocal:
			p.str("call local ")
			p.jumpTarget(int64(ins.Imm))
		case isa.PseudoCallKfunc:
			p.str("call runtime ")
			p.imm(ins.Imm)
		default:
			p.ok = false
		}
	case isa.Exit:
		p.str("exit")
	default:
		name := ""
		for _, j := range jumpNames {
			if j.op == op {
				name = j.name
			}
		}
		p.need(name != "")
		p.str(name)
		if is32 {
			p.str("32")
		}
		p.str(" ")
		p.reg(ins.Dst)
		p.str(", ")
		p.confSource(ins)
		p.str(", ")
		p.jumpTarget(int64(ins.Off))
	}
}

// sizeName returns the mnemonic suffix of an access width.
func sizeName(s isa.Size) string {
	for _, n := range sizeNames {
		if n.size == s {
			return n.name
		}
	}
	return "?"
}

func (p *printer) confLD(ins, hi isa.Instruction) {
	switch ins.Op.Mode() {
	case isa.ModeIMM:
		p.need(ins.Op == isa.OpLdImm64 && ins.Off == 0)
		p.need(hi.Op == 0 && hi.Dst == 0 && hi.Src == 0 && hi.Off == 0)
		p.str("lddw ")
		p.reg(ins.Dst)
		p.str(", ")
		if ins.Src == isa.PseudoImm {
			v := uint64(uint32(hi.Imm))<<32 | uint64(uint32(ins.Imm))
			if v < 0x10000 {
				p.dec(int64(v))
			} else {
				p.hex(v)
			}
			return
		}
		kind := ""
		for k, r := range lddwKinds {
			if r == ins.Src {
				kind = k
			}
		}
		p.need(kind != "")
		p.str(kind + " ")
		if ins.Src == isa.PseudoFunc {
			p.jumpTarget(int64(ins.Imm))
		} else {
			p.imm(ins.Imm)
		}
		if hi.Imm != 0 {
			p.str(", ")
			p.imm(hi.Imm)
		}
	case isa.ModeABS:
		p.need(ins.Op.Size() != isa.SizeDW && ins.Dst == 0 && ins.Src == 0 && ins.Off == 0)
		p.str("ldabs" + sizeName(ins.Op.Size()) + " ")
		p.imm(ins.Imm)
	case isa.ModeIND:
		p.need(ins.Op.Size() != isa.SizeDW && ins.Dst == 0 && ins.Off == 0)
		p.str("ldind" + sizeName(ins.Op.Size()) + " ")
		p.reg(ins.Src)
		p.str(", ")
		p.imm(ins.Imm)
	default:
		p.ok = false
	}
}

func (p *printer) confLDX(ins isa.Instruction) {
	p.need(ins.Imm == 0)
	switch ins.Op.Mode() {
	case isa.ModeMEM:
		p.str("ldx")
	case isa.ModeMEMSX:
		p.need(ins.Op.Size() != isa.SizeDW)
		p.str("ldxs")
	default:
		p.ok = false
	}
	p.str(sizeName(ins.Op.Size()) + " ")
	p.reg(ins.Dst)
	p.str(", ")
	p.mem(ins.Src, ins.Off)
}

// atomicName returns the name of an atomic operation without its fetch
// flag, and whether the flag is set.
func atomicName(op isa.AtomicOp) (name string, fetch, ok bool) {
	if op == isa.AtomicXchg || op == isa.AtomicCmpXchg {
		fetch = false
	} else if op&isa.AtomicFetch != 0 {
		fetch, op = true, op&^isa.AtomicFetch
	}
	for n, o := range atomicOps {
		if o == op {
			return n, fetch, true
		}
	}
	return "", false, false
}

func (p *printer) confStore(ins isa.Instruction) {
	size := sizeName(ins.Op.Size())
	switch {
	case ins.Op.Mode() == isa.ModeMEM && ins.Op.Class() == isa.ClassST:
		p.need(ins.Src == 0)
		p.str("st" + size + " ")
		p.mem(ins.Dst, ins.Off)
		p.str(", ")
		p.imm(ins.Imm)
	case ins.Op.Mode() == isa.ModeMEM:
		p.need(ins.Imm == 0)
		p.str("stx" + size + " ")
		p.mem(ins.Dst, ins.Off)
		p.str(", ")
		p.reg(ins.Src)
	case ins.Op.Mode() == isa.ModeATOMIC && ins.Op.Class() == isa.ClassSTX:
		name, fetch, ok := atomicName(isa.AtomicOp(ins.Imm))
		p.need(ok)
		p.need(ins.Op.Size() == isa.SizeW || ins.Op.Size() == isa.SizeDW)
		p.str("lock ")
		if fetch {
			p.str("fetch ")
		}
		p.str(name)
		if ins.Op.Size() == isa.SizeW {
			p.str("32")
		}
		p.str(" ")
		p.mem(ins.Dst, ins.Off)
		p.str(", ")
		p.reg(ins.Src)
	default:
		p.ok = false
	}
}
