package amd64

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64/x86"
	"github.com/gbpf/gbpf/isa"
)

// Options tune compilation.
type Options struct {
	// Blind XORs every immediate from the program with a random
	// per-program key (constant blinding, like the kernel's
	// bpf_jit_harden).
	Blind bool
	// Bounded compiles no budget countdown, for programs known to finish
	// quickly, such as those the verifier accepted (its complexity limit
	// bounds the instructions a run executes). Loops then cost nothing
	// extra, but a run never yields to Go: it ignores env.Budget, cannot
	// be cancelled, and delays garbage collection for as long as it runs.
	// Call depth is still checked.
	Bounded bool
	// StackDepth, when StackDepthKnown is set, is how many bytes below
	// r10 the program's first function touches, itself or through the
	// helpers it passes stack pointers to, as a verifier proved (Linux's
	// stack_depth): a run then clears no more than that after it, where
	// the JIT alone must assume the whole frame once r10 is copied.
	StackDepth      int
	StackDepthKnown bool
}

// ErrNotSupported is returned (wrapped) by Compile where the JIT cannot
// run the program: on architectures other than amd64, and for instructions
// it does not compile (legacy packet access, unresolved map references,
// kfunc calls). It wraps abi.ErrNotSupported.
var ErrNotSupported = fmt.Errorf("jit: %w", abi.ErrNotSupported)

// maxPasses bounds the layout passes that shrink jumps to their short
// forms; a program that has not settled by then is laid out with near
// jumps only, which always settles.
const maxPasses = 16

// label names a position in the generated code. Labels 0..n-1 are the
// starts of the program's instruction slots; the fixed labels follow; then
// labels made during a pass, in the same order in every pass.
type label int32

// compiler lays out machine code for one program. Code is generated in
// passes: a jump to a label that is not yet placed in this pass uses the
// label's position from the previous pass. Once a pass places every label
// where the previous one did, the code is final.
type compiler struct {
	insns []isa.Instruction
	opts  Options
	a     x86.Assembler

	prev, cur []int32 // label positions in the previous and current pass; -1 unknown
	nextLabel label
	shrink    int32 // how much the code before the last placed label shrank since the previous pass
	forceNear bool  // emit rel32 jumps only

	stubs   []stub
	weights []int32 // budget charge of the backward jump at a slot
	loops   []bool  // slots that a backward jump goes to (aligned, see loopAlign)
	bodyEnd int     // end of the program's code, before the stubs
	funcs   funcInfo

	key   int32  // blinding key for 32-bit immediates
	key64 uint64 // blinding key for lddw

	leaf       bool   // no loops, calls or function references: see directEntry
	reach      int    // bytes below r10 that a function may touch in its frame (stackReach)
	localCalls bool   // the program makes bpf-to-bpf calls
	uses       uint16 // mask of the registers the program mentions
}

// The fixed labels, numbered after the instruction slots.
const (
	lblEntry  = iota
	lblReturn // after the entry's call: where a function returns to end a run or a callback
	lblLeave
	lblYield
	lblHelper
	lblDirect // a leaf program's entry on the caller's stack (directEntry)
	lblFault  // where the fault handler resumes a faulting run (faultStub)
	lblEnd    // the end of the code of the last slot
	lblCrash  // the fault stub's controlled crash
	lblFixed  // count
)

// stub is out-of-line code that leaves the machine code from a given slot.
type stub struct {
	entry  label
	resume label // where to continue (yield)
	pc     int
	exit   int
}

func (c *compiler) fixed(l int) label { return label(len(c.insns) + l) }

func (c *compiler) newLabel() label {
	l := c.nextLabel
	c.nextLabel++
	if int(l) >= len(c.cur) {
		c.cur = append(c.cur, -1)
	}
	return l
}

// bind places l at the current position.
func (c *compiler) bind(l label) {
	c.cur[l] = int32(c.a.Len())
	if int(l) < len(c.prev) && c.prev[l] >= 0 {
		c.shrink = c.prev[l] - c.cur[l]
	}
}

// target returns the best known position of l: this pass's if placed,
// otherwise the previous pass's moved back by what the code before the
// current position has shrunk since then (code only shrinks from pass to
// pass, so the label will be there or earlier), otherwise 0 (first pass).
func (c *compiler) target(l label) (pos int, exact bool) {
	if p := c.cur[l]; p >= 0 {
		return int(p), true
	}
	if int(l) < len(c.prev) && c.prev[l] >= 0 {
		return int(c.prev[l] - c.shrink), false
	}
	return 0, false
}

func (c *compiler) short(l label, n int) (int, bool) {
	pos, _ := c.target(l)
	if c.forceNear || c.prev == nil && c.cur[l] < 0 {
		return pos, false
	}
	return pos, x86.FitsShort(c.a.Len(), n, pos)
}

// jmp emits an unconditional jump to l.
func (c *compiler) jmp(l label) {
	if pos, ok := c.short(l, x86.JmpShortLen); ok {
		c.a.JmpShort(pos)
	} else {
		c.a.JmpNear(pos)
	}
}

// jcc emits a conditional jump to l.
func (c *compiler) jcc(cc x86.Cond, l label) {
	if pos, ok := c.short(l, x86.JccShortLen); ok {
		c.a.JccShort(cc, pos)
	} else {
		c.a.JccNear(cc, pos)
	}
}

func (c *compiler) call(l label) {
	pos, _ := c.target(l)
	c.a.Call(pos)
}

func (c *compiler) leaRIP(r x86.Reg, l label) {
	pos, _ := c.target(l)
	c.a.LeaRIP(r, pos)
}

// addStub records out-of-line code to emit after the program and returns
// its entry label.
func (c *compiler) addStub(pc, exit int, resume label) label {
	l := c.newLabel()
	c.stubs = append(c.stubs, stub{entry: l, resume: resume, pc: pc, exit: exit})
	return l
}

// compiled is the result of a compilation: the code and where each slot's
// code starts (offsets[n] is the end of the program's code).
type compiled struct {
	code       []byte
	offsets    []int32
	entry      int
	ret        int // lblReturn
	direct     int // lblDirect, or -1 when the program is not a leaf
	fault      int // lblFault
	stackClear int // see compiler.stackClear
}

// compile generates the machine code of p (already validated).
func compile(p isa.Program, opts Options) (*compiled, error) {
	c := &compiler{insns: p.Insns, opts: opts}
	if err := c.scan(); err != nil {
		return nil, err
	}
	if opts.Blind {
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("jit: blinding key: %w", err)
		}
		c.key = int32(binary.LittleEndian.Uint32(b[:4]))
		c.key64 = binary.LittleEndian.Uint64(b[4:])
	}
	for pass := 0; ; pass++ {
		if pass == maxPasses {
			c.forceNear = true
		}
		if err := c.pass(); err != nil {
			return nil, err
		}
		if c.settled() {
			break
		}
		if pass > maxPasses+2 {
			return nil, errors.New("jit: code layout did not settle")
		}
		c.prev, c.cur = c.cur, c.prev
	}
	n := len(c.insns)
	off := make([]int32, n+1)
	copy(off, c.cur[:n])
	off[n] = int32(c.bodyEnd)
	return &compiled{
		code:       c.a.Buf,
		offsets:    off,
		entry:      int(c.cur[c.fixed(lblEntry)]),
		ret:        int(c.cur[c.fixed(lblReturn)]),
		direct:     int(c.cur[c.fixed(lblDirect)]),
		fault:      int(c.cur[c.fixed(lblFault)]),
		stackClear: c.stackClear(),
	}, nil
}

func (c *compiler) settled() bool {
	if c.prev == nil || len(c.prev) < int(c.nextLabel) {
		return false
	}
	for i := label(0); i < c.nextLabel; i++ {
		if c.prev[i] != c.cur[i] {
			return false
		}
	}
	return true
}

// scan checks for instructions the JIT cannot compile and works out the
// budget charge of every backward jump and what calls need.
func (c *compiler) scan() error {
	second := make([]bool, len(c.insns)) // second slots of lddw
	var funcs []int                      // slots of lddw of functions
	for pc := 0; pc < len(c.insns); pc++ {
		ins := c.insns[pc]
		switch {
		case ins.IsLdImm64():
			switch ins.Src {
			case isa.PseudoImm:
			case isa.PseudoFunc:
				funcs = append(funcs, pc)
			default:
				return unsupported(pc, fmt.Sprintf("lddw with pseudo source %d (resolve it before compiling)", ins.Src))
			}
			pc++
			second[pc] = true
		case ins.IsLocalCall():
		case ins.Op == isa.OpCall && ins.Src != isa.PseudoCallHelper:
			return unsupported(pc, fmt.Sprintf("call of kind %d", ins.Src))
		}
	}
	for _, pc := range funcs {
		if t := c.insns[pc].JumpTarget(pc); t < 0 || t >= len(c.insns) || second[t] {
			return &isa.Error{Index: pc, Reason: fmt.Sprintf("function at slot %d is not an instruction of the program", t)}
		}
	}
	c.loops = make([]bool, len(c.insns))
	for pc, ins := range c.insns {
		if ins.Op.Class().IsJump() && !second[pc] && ins.Op.JumpOp() != isa.Call && ins.Op.JumpOp() != isa.Exit {
			if t := ins.JumpTarget(pc); t <= pc && t >= 0 {
				c.loops[t] = true
			}
		}
	}
	c.analyzeFuncs()
	c.findInlined()
	c.chargeWeights()
	c.leaf = isLeaf(c.insns, c.loops)
	var outside int
	if c.reach, outside = stackReach(c.insns); outside >= 0 {
		// Not a verified program: it would read or write Go's stack (a
		// leaf) or the run's own state, silently. Refuse it, as the
		// verifier does.
		ins := c.insns[outside]
		return &isa.Error{Index: outside, Reason: fmt.Sprintf("stack access at r10%+d, %d bytes, outside the %d-byte frame", ins.Off, ins.Op.Size().Bytes(), engine.StackSize)}
	}
	c.uses = 0
	for pc := 0; pc < len(c.insns); pc++ {
		ins := c.insns[pc]
		c.uses |= 1<<ins.Dst | 1<<ins.Src
		c.localCalls = c.localCalls || ins.IsLocalCall()
		if ins.IsLdImm64() {
			pc++
		}
	}
	return nil
}

// isLeaf reports whether a program is a leaf, one that can run directly on
// its caller's stack (see directEntry): it has no loops, so it needs no
// budget countdown, and it calls nothing, references no function and
// makes no legacy packet load, so it never leaves its machine code before
// it exits.
func isLeaf(insns []isa.Instruction, loops []bool) bool {
	for pc, ins := range insns {
		if loops[pc] || ins.Op == isa.OpCall || ins.Op == isa.OpCallX || isPacketLoad(ins) ||
			ins.IsLdImm64() && ins.Src == isa.PseudoFunc {
			return false
		}
	}
	return true
}

// stackReach returns how many bytes below r10 a function of the program
// may touch in its own frame: the lowest offset it loads or stores at
// through r10 (rounded up to 8), or the whole frame when r10 escapes into
// another register, memory or a helper (a verified program reaches no
// further through it). outside is the first slot whose access through r10
// falls outside its frame, which the verifier refuses (reach is then 0),
// or -1.
func stackReach(insns []isa.Instruction) (reach, outside int) {
	for pc := 0; pc < len(insns); pc++ {
		ins := insns[pc]
		cls := ins.Op.Class()
		switch {
		case ins.IsLdImm64():
			pc++
		case ins.Src == isa.R10 && (cls.IsALU() || cls.IsJump() || cls == isa.ClassSTX):
			reach = engine.StackSize // r10 escapes
		case cls == isa.ClassLDX && ins.Src == isa.R10, cls.IsStore() && ins.Dst == isa.R10:
			off := int(ins.Off)
			if off+ins.Op.Size().Bytes() > 0 || -off > engine.StackSize {
				return 0, pc
			}
			reach = max(reach, -off)
		}
	}
	return (reach + 7) &^ 7, -1
}

// stackClear returns how many bytes below the top of the first frame a
// run may write, which Program.put clears after it (callbacks' frames,
// below, are tracked at run time): all frames when the program makes local
// calls, otherwise its reach.
func (c *compiler) stackClear() int {
	if c.localCalls {
		return stackBytes
	}
	if c.opts.StackDepthKnown && c.opts.StackDepth >= 0 {
		return min(c.reach, (c.opts.StackDepth+7)&^7)
	}
	return c.reach
}

// unsupported reports an instruction the JIT cannot compile; the error
// wraps both an *isa.Error naming the slot and ErrNotSupported, so that a
// caller may fall back to the interpreter.
func unsupported(pc int, what string) error {
	return fmt.Errorf("%w: %w", &isa.Error{Index: pc, Reason: what}, ErrNotSupported)
}
