package amd64

import (
	"errors"
	"fmt"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// errCallback is the cause of a fault when engine.Env.CallFunc is given a
// slot that is not an instruction of the program.
var errCallback = errors.New("jit: callback is not an instruction of the program")

// callFunc is engine.Env.CallFunc during a run. A helper calls it while the
// machine code is stopped at the helper's exit, with the caller's registers
// and machine stack pointer in the context. callFunc saves that state,
// pushes the address of the code that ends a run (lblReturn) on the machine
// stack as the return address, and resumes the machine code at slot pc with
// r1 to r5 set and r10 one frame below the caller's. The callback's exit
// returns there, which leaves to Go as the end of a run does; meanwhile
// loop serves its own helper calls (which may call back again) and yields,
// from the same budget, of which the entry itself takes a share. Then
// callFunc puts the caller's state back, keeping the countdown, and returns
// the callback's r0.
func (s *state) callFunc(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error) {
	p, c := s.prog, s.ctx
	if p == nil {
		return 0, errors.New("jit: CallFunc outside a run")
	}
	if pc < 0 || pc >= len(p.slots) || p.slots[pc] < 0 {
		return 0, &engine.Fault{PC: pc, Err: errCallback, Msg: fmt.Sprintf("slot %d of %d", pc, len(p.slots))}
	}
	r10 := c.regs[isa.R10]
	if r10 < s.callLimit || r10 > s.stackTop {
		return 0, &engine.Fault{PC: pc, Err: engine.ErrCallDepth, Msg: fmt.Sprintf("callback nested beyond %d frames", engine.MaxCallDepth)}
	}
	// The callback's instructions up to its last charge point are
	// charged as they run, and at least one more (its exit) is not: the
	// entry charges that one and engine.CallbackCost, and looks for a
	// cancellation, since a callback may have no charge point at all.
	c.count -= engine.CallbackCost + 1
	if c.count < 0 {
		if err := s.settle(); err != nil {
			return 0, err
		}
	} else if s.done != nil {
		if err := s.canceled(); err != nil {
			return 0, err
		}
	}
	saved := *c
	sp := c.machSP - 8
	engine.Store64(sp, p.ret)
	c.machSP = sp
	c.regs = [isa.MaxRegister + 1]uint64{isa.R1: r1, isa.R2: r2, isa.R3: r3, isa.R4: r4, isa.R5: r5, isa.R10: r10 - engine.StackSize}
	c.resume = p.base + uint64(p.slots[pc])
	s.low = min(s.low, r10-engine.StackSize)
	r0, err := s.loop()
	count := c.count
	*c = saved
	c.count = count
	return r0, err
}
