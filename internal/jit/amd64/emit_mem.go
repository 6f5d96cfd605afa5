package amd64

import (
	"fmt"

	"github.com/gbpf/gbpf/internal/jit/amd64/x86"
	"github.com/gbpf/gbpf/isa"
)

// sizes maps access widths (by their bits 3-4) to x86 operand widths.
var sizes = [4]x86.Width{isa.SizeW >> 3: x86.W32, isa.SizeH >> 3: x86.W16, isa.SizeB >> 3: x86.W8, isa.SizeDW >> 3: x86.W64}

// lddw loads a 64-bit constant.
func (c *compiler) lddw(dst isa.Register, v uint64) {
	r := regMap[dst]
	if !c.opts.Blind {
		c.a.MovRegImm64(r, v)
		return
	}
	c.a.MovRegImm64(regAux, c.key64)
	c.a.MovRegImm64(r, v^c.key64)
	c.a.ALURegReg(x86.W64, x86.XOR, r, regAux)
}

// load generates ldx and ldxs (sign-extending) loads.
func (c *compiler) load(pc int, ins isa.Instruction) error {
	w := sizes[ins.Op.Size()>>3]
	m := x86.Mem{Base: regMap[ins.Src], Disp: int32(ins.Off)}
	switch ins.Op.Mode() {
	case isa.ModeMEM:
		c.a.Load(w, regMap[ins.Dst], m)
	case isa.ModeMEMSX:
		c.a.LoadSX(w, regMap[ins.Dst], m)
	default:
		return &isa.Error{Index: pc, Reason: fmt.Sprintf("load mode %#x not supported", ins.Op.Mode())}
	}
	return nil
}

// store generates st (constant), stx and atomic instructions.
func (c *compiler) store(pc int, ins isa.Instruction) error {
	w := sizes[ins.Op.Size()>>3]
	m := x86.Mem{Base: regMap[ins.Dst], Disp: int32(ins.Off)}
	switch {
	case ins.Op.Mode() == isa.ModeATOMIC && ins.Op.Class() == isa.ClassSTX:
		return c.atomic(pc, ins, w, m)
	case ins.Op.Mode() != isa.ModeMEM:
		return &isa.Error{Index: pc, Reason: fmt.Sprintf("store mode %#x not supported", ins.Op.Mode())}
	case ins.Op.Class() == isa.ClassSTX:
		c.a.Store(w, m, regMap[ins.Src])
	case c.opts.Blind:
		c.a.Store(w, m, c.constReg(x86.W64, regAux, ins.Imm))
	default:
		c.a.StoreImm(w, m, ins.Imm)
	}
	return nil
}

// atomic generates the locked read-modify-write instructions.
func (c *compiler) atomic(pc int, ins isa.Instruction, w x86.Width, m x86.Mem) error {
	if w != x86.W32 && w != x86.W64 {
		return &isa.Error{Index: pc, Reason: "atomic operations need a word or double word"}
	}
	src := regMap[ins.Src]
	switch op := isa.AtomicOp(ins.Imm); op {
	case isa.AtomicAdd, isa.AtomicOr, isa.AtomicAnd, isa.AtomicXor:
		c.a.ALUMemReg(w, aluOps[op>>4], m, src, true)
	case isa.AtomicAdd | isa.AtomicFetch:
		c.a.Xadd(w, m, src)
	case isa.AtomicXchg:
		c.a.Xchg(w, m, src)
	case isa.AtomicCmpXchg:
		c.a.Cmpxchg(w, m, src)
		if w == x86.W32 {
			// A successful 32-bit cmpxchg leaves rax's upper half.
			c.a.MovRegReg(x86.W32, x86.RAX, x86.RAX)
		}
	case isa.AtomicOr | isa.AtomicFetch, isa.AtomicAnd | isa.AtomicFetch, isa.AtomicXor | isa.AtomicFetch:
		c.fetchLoop(w, aluOps[(op&^isa.AtomicFetch)>>4], m, src)
	default:
		return &isa.Error{Index: pc, Reason: fmt.Sprintf("unknown atomic operation %#x", ins.Imm)}
	}
	return nil
}

// fetchLoop generates an atomic fetch-and-op that x86 has no instruction
// for, as a cmpxchg loop: rax holds the old value, r11 the new one.
func (c *compiler) fetchLoop(w x86.Width, op x86.ALUOp, m x86.Mem, src x86.Reg) {
	c.a.MovRegReg(x86.W64, regAux, x86.RAX)
	operand := src
	if src == x86.RAX {
		operand = regAux
	}
	if m.Base == x86.RAX {
		// A leaf has no countdown, and must not move rsp where it can
		// fault (see faultStub).
		if !c.leaf {
			c.a.Push(regCount)
		}
		c.a.Lea(regCount, m)
		m = x86.Mem{Base: regCount}
	}
	c.a.Load(w, x86.RAX, m)
	loop := c.newLabel()
	c.bind(loop)
	c.a.MovRegReg(x86.W64, regTmp, x86.RAX)
	c.a.ALURegReg(w, op, regTmp, operand)
	c.a.Cmpxchg(w, m, regTmp)
	c.jcc(x86.CondNE, loop)
	if m.Base == regCount && !c.leaf {
		c.a.Pop(regCount)
	}
	if src != x86.RAX {
		c.a.MovRegReg(x86.W64, src, x86.RAX)
		c.a.MovRegReg(x86.W64, x86.RAX, regAux)
	}
}

// isPacketLoad reports whether ins is a legacy packet load (BPF_LD_ABS,
// BPF_LD_IND).
func isPacketLoad(ins isa.Instruction) bool {
	return ins.Op.Class() == isa.ClassLD && (ins.Op.Mode() == isa.ModeABS || ins.Op.Mode() == isa.ModeIND)
}

// packetLoad leaves to Go for a legacy packet load, which reads the run's
// engine.Packet as the interpreter does (engine.LoadPacket) and resumes
// with r0 set, or ends the run with r0 = 0 when the load is outside the
// packet. The offset is the low 32 bits of imm (plus src for BPF_IND), as
// Linux's helpers take it. Linux leaves r1-r5 undefined after the load;
// here they keep their values.
func (c *compiler) packetLoad(pc int, ins isa.Instruction) {
	switch {
	case ins.Op.Mode() == isa.ModeIND:
		c.a.MovRegReg(x86.W32, regTmp, regMap[ins.Src])
		if c.opts.Blind {
			c.a.ALURegReg(x86.W32, x86.ADD, regTmp, c.constReg(x86.W32, regAux, ins.Imm))
		} else {
			c.a.ALURegImm(x86.W32, x86.ADD, regTmp, ins.Imm)
		}
		c.a.Store(x86.W64, ctxMem(offArg), regTmp)
	case c.opts.Blind:
		c.a.Store(x86.W64, ctxMem(offArg), c.constReg(x86.W32, regAux, ins.Imm))
	default:
		c.a.StoreImm(x86.W64, ctxMem(offArg), ins.Imm)
	}
	c.a.StoreImm(x86.W64, ctxMem(offPC), int32(pc))
	c.a.StoreImm(x86.W64, ctxMem(offExit), int32(exitPacket+ins.Op.Size().Bytes()))
	resume := c.newLabel()
	c.leaRIP(regTmp, resume)
	c.jmp(c.fixed(lblLeave))
	c.bind(resume)
}
