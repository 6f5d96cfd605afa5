package amd64

import (
	"sort"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// funcInfo is what the compiler knows about the program's functions (the
// main program and every target of a local call or lddw of a function), to
// make local calls cheaper:
//
//   - a call saves only those of r6-r9 that the called function writes
//     itself (calls it makes in turn restore their own), and
//   - a call checks the call depth at run time only when the call graph
//     has a cycle or is deeper than engine.MaxCallDepth frames, or when
//     the program also calls helpers: a helper may run a callback
//     (engine.Env.CallFunc) on a new frame below the caller's, whose calls
//     the static call graph does not see.
//
// Both rely on control staying inside its function, as the verifier
// requires; when a jump leaves its function or code falls through into the
// next one, every call saves all four registers and checks the depth.
type funcInfo struct {
	starts  []int          // sorted first slots
	writes  map[int]uint16 // by first slot: mask of the BPF registers written
	checkAt bool           // check the call depth at run time
	inlined map[int]int    // by first slot: the exit's slot of a function inlined at its calls
}

func (c *compiler) analyzeFuncs() {
	f := &c.funcs
	f.starts = append(f.starts[:0], 0)
	helpers, locals := false, false
	for pc, ins := range c.insns {
		switch {
		case ins.IsLocalCall():
			f.starts = append(f.starts, ins.JumpTarget(pc))
			locals = true
		case ins.IsLdImm64() && ins.Src == isa.PseudoFunc:
			f.starts = append(f.starts, ins.JumpTarget(pc))
		case ins.Op == isa.OpCall || ins.Op == isa.OpCallX:
			helpers = true
		}
	}
	sort.Ints(f.starts)
	f.starts = compactInts(f.starts)
	f.writes = make(map[int]uint16, len(f.starts))
	f.checkAt = false
	calls := make(map[int][]int) // function start -> starts it calls
	for i, start := range f.starts {
		end := len(c.insns)
		if i+1 < len(f.starts) {
			end = f.starts[i+1]
		}
		var mask uint16
		for pc := start; pc < end; pc++ {
			ins := c.insns[pc]
			_, w := ins.Regs()
			mask |= w
			if ins.Op.Class().IsJump() && ins.Op.JumpOp() != isa.Exit && ins.Op.JumpOp() != isa.Call {
				if t := ins.JumpTarget(pc); t < start || t >= end {
					f.checkAt = true // a jump out of its function
					mask = 0xffff
				}
			}
			if ins.IsLocalCall() {
				calls[start] = append(calls[start], ins.JumpTarget(pc))
			}
			if ins.IsLdImm64() {
				pc++
			}
		}
		if i+1 < len(f.starts) && !endsFunction(c.insns[end-1]) {
			f.checkAt = true // falls through into the next function
		}
		f.writes[start] = mask
	}
	if !f.checkAt {
		f.checkAt = callDepth(calls, 0, 1, make(map[int]int), make(map[int]bool)) > engine.MaxCallDepth
	}
	if f.checkAt {
		for s := range f.writes {
			f.writes[s] = 0xffff
		}
	}
	// Callbacks run from Go with the caller's r6-r9 restored by Go, so
	// they need no saving; only their depth is unknown here.
	f.checkAt = f.checkAt || helpers && locals
}

// Inlining. A local call of a small function whose body is straight-line
// code is compiled as a copy of that body, with no call, return, frame or
// budget charge: the calls workload's 5-instruction function runs 1.4
// times faster so. The copy behaves as the call would when the function
//
//   - ends with its only exit and has no jumps, calls or lddw (so it can
//     neither loop nor recurse),
//   - does not touch r10 (its frame would be another) nor write r6-r9
//     (which the call would preserve), and
//   - is called where the call cannot exceed engine.MaxCallDepth (no
//     run-time depth check: funcInfo.checkAt is off), since an inlined
//     call never fails as a call nested too deep would.
//
// r1-r5 are left as the body leaves them, as after a real call.
const maxInline = 16

// findInlined decides which functions are inlined at their calls.
func (c *compiler) findInlined() {
	f := &c.funcs
	f.inlined = make(map[int]int)
	if f.checkAt {
		return
	}
	for i, start := range f.starts {
		if start == 0 {
			continue // the main program
		}
		end := len(c.insns)
		if i+1 < len(f.starts) {
			end = f.starts[i+1]
		}
		if end-start > maxInline || c.insns[end-1].Op != isa.OpExit || c.loops[start] {
			continue
		}
		ok := true
		for pc := start; pc < end-1 && ok; pc++ {
			ins := c.insns[pc]
			cls := ins.Op.Class()
			_, w := ins.Regs()
			ok = !cls.IsJump() && !ins.IsLdImm64() && cls != isa.ClassLD &&
				ins.Dst != isa.R10 && ins.Src != isa.R10 && w&calleeSavedMask == 0
		}
		if ok {
			f.inlined[start] = end - 1
		}
	}
}

// inlineCall generates the body of the function at target in place of a
// call of it (see findInlined).
func (c *compiler) inlineCall(target int) error {
	for pc := target; pc < c.funcs.inlined[target]; pc++ {
		if err := c.insn(pc, c.insns[pc]); err != nil {
			return err
		}
	}
	return nil
}

// callDepth returns the most frames a call chain from fn can stack up,
// counting fn's own, or a number past engine.MaxCallDepth on a cycle or
// when fn is reached level frames deep and that is already too deep.
func callDepth(calls map[int][]int, fn, level int, memo map[int]int, onPath map[int]bool) int {
	if onPath[fn] || level > engine.MaxCallDepth {
		return engine.MaxCallDepth + 1
	}
	if d, ok := memo[fn]; ok {
		return d
	}
	onPath[fn] = true
	depth := 1
	for _, callee := range calls[fn] {
		depth = max(depth, 1+callDepth(calls, callee, level+1, memo, onPath))
		if depth > engine.MaxCallDepth {
			break
		}
	}
	onPath[fn] = false
	memo[fn] = depth
	return depth
}

// endsFunction reports whether control cannot fall through past ins.
func endsFunction(ins isa.Instruction) bool {
	return ins.Op == isa.OpExit || ins.Op == isa.OpJa || ins.Op == isa.OpJa32
}

func compactInts(s []int) []int {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
