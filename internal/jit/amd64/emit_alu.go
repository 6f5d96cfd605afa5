package amd64

import (
	"fmt"

	"github.com/gbpf/gbpf/internal/jit/amd64/x86"
	"github.com/gbpf/gbpf/isa"
)

// aluOps and shiftOps map BPF operations (by their high four bits) to x86
// ones; tables rather than maps keep compilation fast.
var aluOps = [16]x86.ALUOp{
	isa.Add >> 4: x86.ADD, isa.Sub >> 4: x86.SUB, isa.Or >> 4: x86.OR, isa.And >> 4: x86.AND, isa.Xor >> 4: x86.XOR,
}

var shiftOps = [16]x86.ShiftOp{isa.LSh >> 4: x86.SHL, isa.RSh >> 4: x86.SHR, isa.ArSh >> 4: x86.SAR}

func width(ins isa.Instruction) x86.Width {
	if ins.Op.Class() == isa.ClassALU64 || ins.Op.Class() == isa.ClassJMP {
		return x86.W64
	}
	return x86.W32
}

// constReg loads the immediate imm, as an operand of width w (sign-extended
// for W64), into r through the blinding key.
func (c *compiler) constReg(w x86.Width, r x86.Reg, imm int32) x86.Reg {
	if w == x86.W64 {
		c.a.MovRegSImm32(r, imm^c.key)
	} else {
		c.a.MovRegImm32(r, uint32(imm^c.key))
	}
	c.a.ALURegImm(w, x86.XOR, r, c.key)
	return r
}

// alu generates an ALU or ALU64 instruction.
func (c *compiler) alu(pc int, ins isa.Instruction) error {
	w := width(ins)
	dst, src := regMap[ins.Dst], regMap[ins.Src]
	isX := ins.Op.Source() == isa.SourceX
	imm := ins.Imm
	switch op := ins.Op.ALUOp(); op {
	case isa.Add, isa.Sub, isa.Or, isa.And, isa.Xor:
		switch {
		case isX:
			c.a.ALURegReg(w, aluOps[op>>4], dst, src)
		case c.opts.Blind:
			c.a.ALURegReg(w, aluOps[op>>4], dst, c.constReg(w, regAux, imm))
		default:
			c.a.ALURegImm(w, aluOps[op>>4], dst, imm)
		}
	case isa.Mul:
		switch {
		case isX:
			c.a.IMulRegReg(w, dst, src)
		case c.opts.Blind:
			c.a.IMulRegReg(w, dst, c.constReg(w, regAux, imm))
		default:
			c.a.IMulRegRegImm(w, dst, dst, imm)
		}
	case isa.Div, isa.Mod:
		c.divMod(w, op == isa.Mod, ins.Off == 1, dst, isX, src, imm)
	case isa.LSh, isa.RSh, isa.ArSh:
		switch {
		case isX:
			c.shiftX(w, shiftOps[op>>4], dst, src)
		case imm&int32(w*8-1) == 0:
			// A shift by zero: x86 leaves the register alone, BPF
			// zero-extends a 32-bit one.
			if w == x86.W32 {
				c.a.MovRegReg(w, dst, dst)
			}
		default:
			c.a.ShiftImm(w, shiftOps[op>>4], dst, uint8(imm)&uint8(w*8-1))
		}
	case isa.Neg:
		c.a.Unary(w, x86.NEG, dst)
	case isa.Mov:
		c.mov(w, ins, dst, src, isX)
	case isa.End:
		c.end(ins, dst)
	default:
		return &isa.Error{Index: pc, Reason: fmt.Sprintf("unknown ALU operation %v", op)}
	}
	return nil
}

func (c *compiler) mov(w x86.Width, ins isa.Instruction, dst, src x86.Reg, isX bool) {
	if !isX {
		switch {
		case c.opts.Blind:
			c.constReg(w, dst, ins.Imm)
		case ins.Imm == 0:
			// Flags are never live between instructions, so xor will do.
			c.a.ZeroReg(dst)
		case w == x86.W64:
			c.a.MovRegImm64(dst, uint64(int64(ins.Imm)))
		default:
			c.a.MovRegImm32(dst, uint32(ins.Imm))
		}
		return
	}
	switch {
	case ins.Off == 8:
		c.a.MovSX(w, dst, src, x86.W8)
	case ins.Off == 16:
		c.a.MovSX(w, dst, src, x86.W16)
	case ins.Off == 32 && w == x86.W64:
		c.a.MovSX(w, dst, src, x86.W32)
	case w == x86.W64 && dst == src:
		// nothing to do
	default:
		c.a.MovRegReg(w, dst, src)
	}
}

// end generates a byte swap: le16/le32/le64 (truncations on x86),
// be16/be32/be64 and the unconditional bswap of ALU64.
func (c *compiler) end(ins isa.Instruction, dst x86.Reg) {
	if ins.Op.Class() == isa.ClassALU && ins.Op.Source() == isa.ToLE {
		switch ins.Imm {
		case 16:
			c.a.MovZX(dst, dst, x86.W16)
		case 32:
			c.a.MovRegReg(x86.W32, dst, dst)
		}
		return
	}
	switch ins.Imm {
	case 16:
		c.a.ShiftImm(x86.W16, x86.ROR, dst, 8)
		c.a.MovZX(dst, dst, x86.W16)
	case 32:
		c.a.Bswap(x86.W32, dst)
	case 64:
		c.a.Bswap(x86.W64, dst)
	}
}

// shiftX shifts dst by the count in src, which x86 wants in cl.
func (c *compiler) shiftX(w x86.Width, op x86.ShiftOp, dst, src x86.Reg) {
	if src == x86.RCX {
		c.a.ShiftCL(w, op, dst)
		return
	}
	c.a.MovRegReg(x86.W64, regTmp, x86.RCX)
	c.a.MovRegReg(x86.W64, x86.RCX, src)
	if dst == x86.RCX {
		c.a.ShiftCL(w, op, regTmp)
	} else {
		c.a.ShiftCL(w, op, dst)
	}
	c.a.MovRegReg(x86.W64, x86.RCX, regTmp)
}

// divMod generates unsigned or signed division or modulo with Linux's
// answers where x86 would fault: x/0 = 0, x%0 = x, and for signed
// operations x/-1 = -x and x%-1 = 0 (which covers INT_MIN/-1).
func (c *compiler) divMod(w x86.Width, isMod, signed bool, dst x86.Reg, isX bool, src x86.Reg, imm int32) {
	if !isX {
		switch {
		case imm == 0:
			c.divByZero(w, isMod, dst)
			return
		case signed && imm == -1:
			c.divByMinusOne(w, isMod, dst)
			return
		case c.opts.Blind:
			c.constReg(w, regTmp, imm)
		case w == x86.W64:
			c.a.MovRegSImm32(regTmp, imm)
		default:
			c.a.MovRegImm32(regTmp, uint32(imm))
		}
	}
	divisor := regTmp
	if isX {
		// div takes its divisor from any register but rax and rdx,
		// which hold the dividend.
		if src == x86.RAX || src == x86.RDX {
			c.a.MovRegReg(x86.W64, regTmp, src)
		} else {
			divisor = src
		}
	}
	var zero, minusOne, done label
	// Unsigned 64-bit modulo by zero leaves dst as it is: nothing to do.
	zeroIsNop := isMod && w == x86.W64 && !signed
	if isX {
		zero, done = c.newLabel(), c.newLabel()
		if zeroIsNop {
			zero = done
		}
		c.a.TestRegReg(w, divisor, divisor)
		c.jcc(x86.CondE, zero)
		if signed {
			minusOne = c.newLabel()
			c.a.ALURegImm(w, x86.CMP, divisor, -1)
			c.jcc(x86.CondE, minusOne)
		}
	}
	if dst != x86.RAX {
		c.a.MovRegReg(x86.W64, regAux, x86.RAX)
	}
	if dst != x86.RDX {
		c.a.Push(x86.RDX)
	}
	if dst != x86.RAX {
		c.a.MovRegReg(x86.W64, x86.RAX, dst)
	}
	if signed {
		c.a.Cqo(w)
		c.a.Unary(w, x86.IDIV, divisor)
	} else {
		c.a.ZeroReg(x86.RDX)
		c.a.Unary(w, x86.DIV, divisor)
	}
	res := x86.RAX
	if isMod {
		res = x86.RDX
	}
	if dst != res {
		c.a.MovRegReg(w, dst, res)
	}
	if dst != x86.RDX {
		c.a.Pop(x86.RDX)
	}
	if dst != x86.RAX {
		c.a.MovRegReg(x86.W64, x86.RAX, regAux)
	}
	if isX {
		if !zeroIsNop {
			c.jmp(done)
			c.bind(zero)
			c.divByZero(w, isMod, dst)
		}
		if signed {
			c.jmp(done)
			c.bind(minusOne)
			c.divByMinusOne(w, isMod, dst)
		}
		c.bind(done)
	}
}

func (c *compiler) divByZero(w x86.Width, isMod bool, dst x86.Reg) {
	switch {
	case !isMod:
		c.a.ZeroReg(dst)
	case w == x86.W32:
		c.a.MovRegReg(w, dst, dst)
	}
}

func (c *compiler) divByMinusOne(w x86.Width, isMod bool, dst x86.Reg) {
	if isMod {
		c.a.ZeroReg(dst)
	} else {
		c.a.Unary(w, x86.NEG, dst)
	}
}
