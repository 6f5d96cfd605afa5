package asm

import (
	"strconv"

	"github.com/gbpf/gbpf/isa"
)

// printer appends text to b; ok turns false when an instruction holds
// something that the syntax cannot express.
type printer struct {
	b  []byte
	ok bool

	pc      int    // slot of the instruction being printed
	targets []bool // slots that have a label, nil without labels
}

// jumpTarget appends the target of a jump by offset off: the label of the
// target slot when it has one, else the signed offset.
func (p *printer) jumpTarget(off int64) {
	t := int64(p.pc) + off + 1
	if t >= 0 && t < int64(len(p.targets)) && p.targets[t] {
		p.b = append(p.b, labelPrefix...)
		p.dec(t)
		return
	}
	p.signed(off)
}

// labelPrefix starts the names of the labels that FprintLabels writes.
const labelPrefix = "L"

func (p *printer) str(s string) { p.b = append(p.b, s...) }

// need records that a field must hold a particular value for the text to
// describe the instruction exactly.
func (p *printer) need(cond bool) {
	if !cond {
		p.ok = false
	}
}

// needALU records the fields that neg, the byte swaps and movsx must
// leave zero or hold for either syntax to describe them.
func (p *printer) needALU(ins isa.Instruction) {
	src := ins.Op.Source()
	switch ins.Op.ALUOp() {
	case isa.Neg:
		p.need(src == isa.SourceK && ins.Src == 0 && ins.Off == 0 && ins.Imm == 0)
	case isa.End:
		p.need(ins.Src == 0 && ins.Off == 0)
		p.need(ins.Imm == 16 || ins.Imm == 32 || ins.Imm == 64)
	case isa.Mov:
		if ins.Off != 0 {
			// movsx: 8 or 16 bits for either class, 32 only into 64.
			p.need(src == isa.SourceX && ins.Imm == 0)
			p.need(ins.Off == 8 || ins.Off == 16 || ins.Off == 32 && ins.Op.Class() == isa.ClassALU64)
		}
	}
}

// needJump records the fields that ja, call and exit must leave zero for
// either syntax to describe them: the ones that neither writes.
func (p *printer) needJump(ins isa.Instruction) {
	is32 := ins.Op.Class() == isa.ClassJMP32
	srcK := ins.Op.Source() == isa.SourceK
	switch ins.Op.JumpOp() {
	case isa.Ja:
		// ja carries its offset in Off, ja32 in Imm.
		p.need(srcK && ins.Dst == 0 && ins.Src == 0)
		p.need(is32 && ins.Off == 0 || !is32 && ins.Imm == 0)
	case isa.Call:
		p.need(!is32 && ins.Off == 0)
		if srcK {
			p.need(ins.Dst == 0) // call helper, local or kfunc
		} else {
			p.need(ins.Src == 0 && ins.Imm == 0) // callx %rN
		}
	case isa.Exit:
		p.need(!is32 && srcK && ins.Dst == 0 && ins.Src == 0 && ins.Off == 0 && ins.Imm == 0)
	}
}

// dec appends v in decimal.
func (p *printer) dec(v int64) { p.b = strconv.AppendInt(p.b, v, 10) }

// signed appends v in decimal with an explicit sign: +3, -3, +0.
func (p *printer) signed(v int64) {
	if v >= 0 {
		p.b = append(p.b, '+')
	}
	p.dec(v)
}

// hex appends v as 0x-prefixed hex.
func (p *printer) hex(v uint64) {
	p.b = append(p.b, "0x"...)
	p.b = strconv.AppendUint(p.b, v, 16)
}

// signedHex appends v as hex with a '-' for negative values, as llvm does:
// 0x10, -0x10.
func (p *printer) signedHex(v int64) {
	if v < 0 {
		p.b = append(p.b, '-')
		p.hex(uint64(-v)) // -MinInt64 wraps to its own magnitude
		return
	}
	p.hex(uint64(v))
}

// regName appends prefix and the number of r, which must be a real
// register.
func (p *printer) regName(prefix string, r isa.Register) {
	p.need(r <= isa.MaxRegister)
	p.str(prefix)
	p.b = strconv.AppendUint(p.b, uint64(r), 10)
}
