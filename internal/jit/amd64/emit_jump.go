package amd64

import (
	"fmt"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64/x86"
	"github.com/gbpf/gbpf/isa"
)

// jumpConds maps conditional jumps (by their high four bits) to x86
// condition codes; condNone marks the others.
var jumpConds = [16]x86.Cond{
	isa.Ja >> 4: condNone, isa.Call >> 4: condNone, isa.Exit >> 4: condNone, 0xe: condNone, 0xf: condNone,
	isa.JEq >> 4: x86.CondE, isa.JNE >> 4: x86.CondNE, isa.JSet >> 4: x86.CondNE,
	isa.JGT >> 4: x86.CondA, isa.JGE >> 4: x86.CondAE, isa.JLT >> 4: x86.CondB, isa.JLE >> 4: x86.CondBE,
	isa.JSGT >> 4: x86.CondG, isa.JSGE >> 4: x86.CondGE, isa.JSLT >> 4: x86.CondL, isa.JSLE >> 4: x86.CondLE,
}

const condNone x86.Cond = 0xff

// jump generates a JMP or JMP32 instruction: a compare fused with its
// conditional jump, an unconditional jump, a call or an exit.
func (c *compiler) jump(pc int, ins isa.Instruction) error {
	op := ins.Op.JumpOp()
	switch op {
	case isa.Exit:
		if c.leaf {
			c.directExit()
		} else {
			c.a.Ret()
		}
		return nil
	case isa.Call:
		if ins.IsLocalCall() && c.funcs.inlined[ins.JumpTarget(pc)] > 0 {
			return c.inlineCall(ins.JumpTarget(pc))
		}
		c.callInsn(pc, ins)
		return nil
	}
	cond := jumpConds[op>>4]
	if cond == condNone && op != isa.Ja {
		return &isa.Error{Index: pc, Reason: fmt.Sprintf("unknown jump operation %v", op)}
	}
	target := ins.JumpTarget(pc)
	if op == isa.Ja && target <= pc && !c.opts.Bounded {
		// An unconditional loop: charge, and jump back while the
		// countdown lasts, so that the loop takes one branch.
		c.a.ALURegImm(x86.W64, x86.SUB, regCount, c.weights[pc])
		c.jcc(x86.CondGE, label(target))
		c.jmp(c.addStub(pc, exitYield, label(target)))
		return nil
	}
	if target <= pc {
		c.countDown(pc, c.weights[pc])
	}
	if op == isa.Ja {
		if target != pc+1 {
			c.jmp(label(target))
		}
		return nil
	}
	w := width(ins)
	dst, src := regMap[ins.Dst], regMap[ins.Src]
	isX := ins.Op.Source() == isa.SourceX
	if !isX && c.opts.Blind {
		src, isX = c.constReg(w, regAux, ins.Imm), true
	}
	switch {
	case isX && op == isa.JSet:
		c.a.TestRegReg(w, dst, src)
	case isX:
		c.a.ALURegReg(w, x86.CMP, dst, src)
	case op == isa.JSet:
		c.a.TestRegImm(w, dst, ins.Imm)
	case ins.Imm == 0:
		// test r, r sets the flags as cmp r, 0 does for every condition.
		c.a.TestRegReg(w, dst, dst)
	default:
		c.a.ALURegImm(w, x86.CMP, dst, ins.Imm)
	}
	c.jcc(cond, label(target))
	return nil
}

// countDown charges weight budget units; when the countdown goes below
// zero, the code yields to Go and resumes right after the check.
func (c *compiler) countDown(pc int, weight int32) {
	if c.opts.Bounded {
		return
	}
	resume := c.newLabel()
	stub := c.addStub(pc, exitYield, resume)
	c.a.ALURegImm(x86.W64, x86.SUB, regCount, weight)
	c.jcc(x86.CondL, stub)
	c.bind(resume)
}

// calleeSaved are the registers a bpf-to-bpf call preserves (besides the
// frame pointer r10).
var calleeSaved = [...]isa.Register{isa.R6, isa.R7, isa.R8, isa.R9}

// calleeSavedMask is calleeSaved as a register set.
const calleeSavedMask = 1<<isa.R6 | 1<<isa.R7 | 1<<isa.R8 | 1<<isa.R9

func (c *compiler) callInsn(pc int, ins isa.Instruction) {
	switch {
	case ins.Op == isa.OpCallX:
		c.a.Store(x86.W64, ctxMem(offArg), regMap[ins.Dst])
		c.helperExit(pc)
	case ins.IsLocalCall():
		c.localCall(pc, ins.JumpTarget(pc))
	case c.opts.Blind:
		c.a.Store(x86.W64, ctxMem(offArg), c.constReg(x86.W64, regAux, ins.Imm))
		c.helperExit(pc)
	default:
		c.a.StoreImm(x86.W64, ctxMem(offArg), ins.Imm)
		c.helperExit(pc)
	}
}

// helperExit leaves to Go to call the helper whose id is in the context,
// and continues after it with r0 set.
func (c *compiler) helperExit(pc int) {
	c.a.StoreImm(x86.W64, ctxMem(offPC), int32(pc))
	resume := c.newLabel()
	c.leaRIP(regTmp, resume)
	c.jmp(c.fixed(lblHelper))
	c.bind(resume)
}

// localCall calls the function at target on the machine stack with a new
// stack frame, saving around it those of r6-r9 that the function writes
// (see funcInfo).
func (c *compiler) localCall(pc, target int) {
	c.countDown(pc, 1)
	if c.funcs.checkAt {
		c.a.ALURegMem(x86.W64, x86.CMP, regMap[isa.R10], ctxMem(offCallLimit))
		c.jcc(x86.CondB, c.addStub(pc, exitCallDepth, 0))
	}
	writes := c.funcs.writes[target]
	for _, r := range calleeSaved {
		if writes&(1<<r) != 0 {
			c.a.Push(regMap[r])
		}
	}
	c.a.ALURegImm(x86.W64, x86.SUB, regMap[isa.R10], engine.StackSize)
	c.call(label(target))
	c.a.ALURegImm(x86.W64, x86.ADD, regMap[isa.R10], engine.StackSize)
	for i := len(calleeSaved) - 1; i >= 0; i-- {
		if r := calleeSaved[i]; writes&(1<<r) != 0 {
			c.a.Pop(regMap[r])
		}
	}
}
