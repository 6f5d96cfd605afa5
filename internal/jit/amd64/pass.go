package amd64

import (
	"github.com/gbpf/gbpf/internal/jit/amd64/x86"
	"github.com/gbpf/gbpf/isa"
)

// loopAlign is the alignment of the first instruction of a loop (the
// target of a backward jump), so that a small loop does not straddle a
// 64-byte boundary of the instruction fetch and op cache: on the memsum
// workload a badly placed loop runs 1.5 times slower, whether or not it
// counts down the budget. Code starts on a page boundary.
const loopAlign = 32

func ctxMem(off int32) x86.Mem { return x86.Mem{Base: regCtx, Disp: off} }

// pass generates the whole program once:
//
//	entry:  call slot 0
//	return: exit = done; jmp leave
//	direct: the entry of a leaf program (directEntry)
//	slots:  the code of every instruction slot
//	stubs:  out-of-line exits (yield, call depth)
//	helper: exit = helper; jmp leave
//	yield:  exit = yield
//	leave:  store the registers in the context and return to Go
//	fault:  exit = fault; jmp leave (faultStub; a leaf's comes after
//	        its slots and returns from the direct entry)
//	crash:  the fault stub's controlled crash, and its message
func (c *compiler) pass() error {
	c.a.Reset()
	n := len(c.insns)
	c.cur = c.cur[:0]
	for i := 0; i < n+lblFixed; i++ {
		c.cur = append(c.cur, -1)
	}
	c.nextLabel = label(n + lblFixed)
	c.shrink = 0
	c.stubs = c.stubs[:0]

	if c.leaf {
		c.bind(c.fixed(lblEntry))
		c.bind(c.fixed(lblReturn))
		c.directEntry()
	} else {
		c.bind(c.fixed(lblEntry))
		c.call(0)
		c.bind(c.fixed(lblReturn))
		c.a.StoreImm(x86.W64, ctxMem(offExit), exitDone)
		c.jmp(c.fixed(lblLeave))
	}

	for pc := 0; pc < n; pc++ {
		if c.loops[pc] {
			c.a.Nop(-c.a.Len() & (loopAlign - 1))
		}
		c.bind(label(pc))
		ins := c.insns[pc]
		if ins.IsLdImm64() {
			v := isa.Program{Insns: c.insns}.Imm64(pc)
			if ins.Src == isa.PseudoFunc {
				// A function's address is its first slot, the pc that
				// engine.Env.CallFunc takes.
				v = uint64(ins.JumpTarget(pc))
			}
			c.lddw(ins.Dst, v)
			pc++
			c.bind(label(pc))
			continue
		}
		if err := c.insn(pc, ins); err != nil {
			return err
		}
	}
	c.bodyEnd = c.a.Len()
	c.bind(c.fixed(lblEnd))
	c.a.Int3()
	if c.leaf {
		c.faultStub()
		c.crash()
		return nil // a leaf never leaves to Go otherwise
	}

	for _, s := range c.stubs {
		c.bind(s.entry)
		c.a.StoreImm(x86.W64, ctxMem(offPC), int32(s.pc))
		switch s.exit {
		case exitYield:
			c.leaRIP(regTmp, s.resume)
			c.jmp(c.fixed(lblYield))
		default:
			c.a.StoreImm(x86.W64, ctxMem(offExit), int32(s.exit))
			c.jmp(c.fixed(lblLeave))
		}
	}

	c.bind(c.fixed(lblHelper))
	c.a.StoreImm(x86.W64, ctxMem(offExit), exitHelper)
	c.jmp(c.fixed(lblLeave))
	c.bind(c.fixed(lblYield))
	c.a.StoreImm(x86.W64, ctxMem(offExit), exitYield)
	c.bind(c.fixed(lblLeave))
	for r, m := range regMap {
		c.a.Store(x86.W64, ctxMem(offRegs+8*int32(r)), m)
	}
	c.a.Store(x86.W64, ctxMem(offCount), regCount)
	c.a.Store(x86.W64, ctxMem(offResume), regTmp)
	c.a.Store(x86.W64, ctxMem(offMachSP), x86.RSP)
	c.a.Load(x86.W64, x86.RSP, ctxMem(offGoSP))
	c.a.Load(x86.W64, x86.RBP, ctxMem(offGoBP))
	c.a.Ret()
	c.faultStub() // last, so that the code above does not move
	c.crash()
	return nil
}

// directEntry generates the entry of a leaf program (see isLeaf), which
// Go calls as a function value (see leafFunc) under Go's internal register
// ABI: r1 arrives in rax and r2 in rbx, r0 leaves in rax, and rsp, rbp and
// r14 (the goroutine) must come back as they were. The entry moves the
// arguments to r1 and r2 (rdi, rsi), saves rbp and r14 when the program
// uses them as r10 and r8, and makes a frame on the goroutine stack below
// them for the bytes of BPF stack the program may touch; every exit undoes
// it (directExit). It gives the program what Run gives every program: zero
// in the other registers it mentions and in that stack, and falls through
// to slot 0.
//
// There is no stack check: the frame, at most engine.StackSize bytes plus
// a few saved registers, fits in the part of the guard area below every
// goroutine stack that Go keeps for functions without a stack check
// (about 800 bytes on linux/amd64; its callers are ordinary Go functions).
func (c *compiler) directEntry() {
	c.bind(c.fixed(lblDirect))
	frame := int32(c.reach)
	// rbp is pushed last so that it keeps pointing at the caller's saved
	// rbp: the chain of frame pointers stays whole for unwinders.
	if c.uses&(1<<isa.R8) != 0 {
		c.a.Push(x86.R14)
	}
	if c.uses&(1<<isa.R10) != 0 {
		c.a.Push(x86.RBP)
		c.a.MovRegReg(x86.W64, x86.RBP, x86.RSP)
		if frame > 0 {
			c.a.ALURegImm(x86.W64, x86.SUB, x86.RSP, frame)
		}
	}
	c.a.MovRegReg(x86.W64, regMap[isa.R1], x86.RAX)
	c.a.MovRegReg(x86.W64, regMap[isa.R2], x86.RBX)
	for r, m := range regMap {
		r := isa.Register(r)
		if r == isa.R0 || r != isa.R1 && r != isa.R2 && r != isa.R10 && c.uses&(1<<r) != 0 {
			c.a.ZeroReg(m)
		}
	}
	for off := int32(8); off <= frame; off += 8 {
		c.a.Store(x86.W64, x86.Mem{Base: regMap[isa.R10], Disp: -off}, x86.RAX)
	}
}

// directExit generates an exit of a leaf program: it drops the frame and
// restores what directEntry saved, and returns to Go.
func (c *compiler) directExit() {
	if c.uses&(1<<isa.R10) != 0 {
		c.a.MovRegReg(x86.W64, x86.RSP, x86.RBP)
		c.a.Pop(x86.RBP)
	}
	if c.uses&(1<<isa.R8) != 0 {
		c.a.Pop(x86.R14)
	}
	c.a.Ret()
}

// insn generates the code of the instruction at slot pc.
func (c *compiler) insn(pc int, ins isa.Instruction) error {
	cls := ins.Op.Class()
	switch cls {
	case isa.ClassALU, isa.ClassALU64:
		return c.alu(pc, ins)
	case isa.ClassJMP, isa.ClassJMP32:
		return c.jump(pc, ins)
	case isa.ClassLDX:
		return c.load(pc, ins)
	case isa.ClassST, isa.ClassSTX:
		return c.store(pc, ins)
	case isa.ClassLD:
		if isPacketLoad(ins) {
			c.packetLoad(pc, ins)
			return nil
		}
	}
	return &isa.Error{Index: pc, Reason: "instruction not supported by the JIT: " + ins.String()}
}
