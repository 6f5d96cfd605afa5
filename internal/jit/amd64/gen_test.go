package amd64

import (
	"encoding/binary"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// This file generates random valid programs for differential testing: every
// program terminates, touches only its input buffer (through r9) and its
// stack, and computes a value that depends on every register.

// genMemSize is the size of the input buffer of generated programs.
const genMemSize = 64

// byteSource hands out the bytes of a fuzz input as choices; past the end
// every choice is zero.
type byteSource struct {
	b []byte
}

func (s *byteSource) byte() byte {
	if len(s.b) == 0 {
		return 0
	}
	v := s.b[0]
	s.b = s.b[1:]
	return v
}

// intn returns a choice in [0, n).
func (s *byteSource) intn(n int) int {
	if n <= 256 {
		return int(s.byte()) % n
	}
	return int(uint16(s.byte())<<8|uint16(s.byte())) % n
}

func (s *byteSource) u64() uint64 {
	var b [8]byte
	for i := range b {
		b[i] = s.byte()
	}
	return binary.LittleEndian.Uint64(b[:])
}

// imm returns an immediate biased towards edge values.
func (s *byteSource) imm() int32 {
	edges := []int32{0, 1, -1, 2, 7, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 0xffff, 0x8000}
	if s.intn(2) == 0 {
		return edges[s.intn(len(edges))]
	}
	return int32(binary.LittleEndian.Uint32([]byte{s.byte(), s.byte(), s.byte(), s.byte()}))
}

// unit is one or more slots that jumps may target as a whole.
type unit struct {
	insns  []isa.Instruction
	jumpTo int  // for a forward jump (the last slot): the unit it goes to
	callTo int  // for a local call: the function index
	inner  bool // inside a loop: no target for jumps from outside it
}

// appendUnits appends the units of a block to dst, moving their jump
// targets along.
func appendUnits(dst, block []unit) []unit {
	base := len(dst)
	for _, u := range block {
		if u.jumpTo > 0 {
			u.jumpTo += base
		}
		dst = append(dst, u)
	}
	return dst
}

type generator struct {
	s         *byteSource
	nfuncs    int
	noHelpers bool // so that local calls need no run-time depth check and may be inlined
}

// generate builds a program from the choices in s.
func generate(s *byteSource) isa.Program {
	g := &generator{s: s, nfuncs: s.intn(4), noHelpers: s.intn(3) == 0}
	var funcs [][]unit
	main := []unit{{insns: []isa.Instruction{mov64(isa.R9, isa.R1)}}}
	for r := isa.R0; r <= isa.R8; r++ {
		main = append(main, g.ldImm(r))
	}
	main = appendUnits(main, g.block(5+s.intn(40), 0, false))
	main = append(main, g.fold()...)
	funcs = append(funcs, main)
	for f := 1; f <= g.nfuncs; f++ {
		var body []unit
		if s.intn(2) == 0 {
			body = g.straight(1 + s.intn(10))
		} else {
			body = appendUnits(nil, g.block(1+s.intn(15), f, false))
		}
		body = append(body, unit{insns: []isa.Instruction{{Op: isa.OpExit}}})
		funcs = append(funcs, body)
	}
	return link(funcs)
}

// link lays out the functions one after the other and resolves jumps and
// calls.
func link(funcs [][]unit) isa.Program {
	var insns []isa.Instruction
	starts := make([]int, len(funcs))
	type fix struct{ slot, fn int }
	var fixes []fix
	for f, units := range funcs {
		starts[f] = len(insns)
		unitSlot := make([]int, len(units)+1)
		for i, u := range units {
			unitSlot[i] = len(insns)
			insns = append(insns, u.insns...)
		}
		unitSlot[len(units)] = len(insns)
		for i, u := range units {
			last := unitSlot[i+1] - 1
			switch {
			case u.jumpTo > 0:
				insns[last].Off = int16(unitSlot[u.jumpTo] - last - 1)
			case u.callTo > 0:
				fixes = append(fixes, fix{slot: last, fn: u.callTo})
			}
		}
	}
	for _, f := range fixes {
		insns[f.slot].Imm = int32(starts[f.fn] - f.slot - 1)
	}
	return isa.Program{Insns: insns}
}

func mov64(dst, src isa.Register) isa.Instruction {
	return isa.Instruction{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceX), Dst: dst, Src: src}
}

func (g *generator) ldImm(r isa.Register) unit {
	if g.s.intn(2) == 0 {
		return unit{insns: []isa.Instruction{{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceK), Dst: r, Imm: g.s.imm()}}}
	}
	ld := isa.LdImm64(r, g.s.u64())
	return unit{insns: ld[:]}
}

// reg picks a register to compute with: r0..r8, without r6 inside a loop
// (it counts the iterations).
func (g *generator) reg(inLoop bool) isa.Register {
	for {
		r := isa.Register(g.s.intn(9))
		if !(inLoop && r == isa.R6) {
			return r
		}
	}
}

// block generates n units of straight-line code with forward jumps that
// stay inside the block (or go just past it), bounded loops, memory
// accesses, atomics, helper calls and calls of functions after fn.
func (g *generator) block(n, fn int, inLoop bool) []unit {
	var units []unit
	for len(units) < n {
		switch k := g.s.intn(20); {
		case k < 8:
			units = append(units, unit{insns: []isa.Instruction{g.alu(inLoop)}})
		case k < 10:
			units = append(units, unit{insns: []isa.Instruction{g.jump(inLoop)}, jumpTo: -1})
		case k < 13:
			units = append(units, g.memory(inLoop))
		case k == 13:
			units = append(units, g.atomic(inLoop))
		case k == 14:
			units = append(units, g.ldImm(g.reg(inLoop)))
		case k == 15 && !g.noHelpers:
			// Mostly the mixing helpers; sometimes the one that may stop
			// the program, rarely one that does not exist (a fault).
			id := int32(1 + g.s.intn(2))
			switch g.s.intn(16) {
			case 0:
				id = 3
			case 1:
				if g.s.intn(8) == 0 {
					id = 4
				}
			}
			units = append(units, unit{insns: []isa.Instruction{{Op: isa.OpCall, Imm: id}}})
		case k == 16 && fn < g.nfuncs:
			callee := fn + 1 + g.s.intn(g.nfuncs-fn)
			units = append(units, unit{insns: []isa.Instruction{{Op: isa.OpCall, Src: isa.PseudoCallLocal}}, callTo: callee})
		case k == 17 && !inLoop:
			units = appendUnits(units, g.loop(fn))
		default:
			units = append(units, unit{insns: []isa.Instruction{g.alu(inLoop)}})
		}
	}
	// Give every forward jump a target after it, up to the end, but not
	// inside a loop.
	for i := range units {
		if units[i].jumpTo == -1 {
			j := i + 1 + g.s.intn(len(units)-i)
			for j < len(units) && units[j].inner {
				j++
			}
			units[i].jumpTo = j
		}
	}
	return units
}

// straight generates n ALU instructions that write only r0-r5: the body of
// a function that the JIT inlines at its calls (see findInlined).
func (g *generator) straight(n int) []unit {
	var units []unit
	for range n {
		ins := g.alu(false)
		ins.Dst %= isa.R6
		units = append(units, unit{insns: []isa.Instruction{ins}})
	}
	return units
}

// loop generates "r6 = n; body; r6 -= 1; if r6 != 0 goto body".
func (g *generator) loop(fn int) []unit {
	units := []unit{{insns: []isa.Instruction{{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceK), Dst: isa.R6, Imm: int32(1 + g.s.intn(10))}}}}
	units = appendUnits(units, g.block(1+g.s.intn(12), fn, true))
	slots := 0
	for i := 1; i < len(units); i++ {
		units[i].inner = true
		slots += len(units[i].insns)
	}
	return append(units, unit{inner: true, insns: []isa.Instruction{
		{Op: isa.ALUOpcode(isa.ClassALU64, isa.Sub, isa.SourceK), Dst: isa.R6, Imm: 1},
		{Op: isa.JumpOpcode(isa.ClassJMP, isa.JNE, isa.SourceK), Dst: isa.R6, Off: int16(-slots - 2)},
	}})
}

var aluOpsAll = []isa.ALUOp{isa.Add, isa.Sub, isa.Mul, isa.Div, isa.Or, isa.And, isa.LSh, isa.RSh, isa.Neg, isa.Mod, isa.Xor, isa.Mov, isa.ArSh, isa.End}

func (g *generator) alu(inLoop bool) isa.Instruction {
	cls := isa.ClassALU64
	if g.s.intn(3) == 0 {
		cls = isa.ClassALU
	}
	op := aluOpsAll[g.s.intn(len(aluOpsAll))]
	src := isa.SourceK
	if g.s.intn(2) == 0 {
		src = isa.SourceX
	}
	ins := isa.Instruction{Dst: g.reg(inLoop), Imm: g.s.imm()}
	if src == isa.SourceX {
		ins.Src = isa.Register(g.s.intn(9))
		ins.Imm = 0
	}
	width := int32(64)
	if cls == isa.ClassALU {
		width = 32
	}
	switch op {
	case isa.Div, isa.Mod:
		if g.s.intn(2) == 0 {
			ins.Off = 1
		}
	case isa.LSh, isa.RSh, isa.ArSh:
		if src == isa.SourceK {
			ins.Imm = int32(g.s.intn(int(width)))
		}
	case isa.Neg:
		src, ins.Src, ins.Imm = isa.SourceK, 0, 0
	case isa.Mov:
		if src == isa.SourceX && g.s.intn(3) == 0 {
			offs := []int16{8, 16, 32}
			ins.Off = offs[g.s.intn(len(offs)-int(64-width)/32)]
		}
	case isa.End:
		ins.Src, ins.Imm = 0, []int32{16, 32, 64}[g.s.intn(3)]
		src = isa.Source(g.s.intn(2)) * isa.ToBE
		if cls == isa.ClassALU64 {
			src = isa.ToLE // bswap
		}
	}
	ins.Op = isa.ALUOpcode(cls, op, src)
	return ins
}

var condOps = []isa.JumpOp{isa.JEq, isa.JGT, isa.JGE, isa.JSet, isa.JNE, isa.JSGT, isa.JSGE, isa.JLT, isa.JLE, isa.JSLT, isa.JSLE, isa.Ja}

func (g *generator) jump(inLoop bool) isa.Instruction {
	cls := isa.ClassJMP
	if g.s.intn(3) == 0 {
		cls = isa.ClassJMP32
	}
	op := condOps[g.s.intn(len(condOps))]
	if op == isa.Ja {
		return isa.Instruction{Op: isa.OpJa}
	}
	if g.s.intn(2) == 0 {
		return isa.Instruction{Op: isa.JumpOpcode(cls, op, isa.SourceX), Dst: g.reg(false), Src: g.reg(false)}
	}
	return isa.Instruction{Op: isa.JumpOpcode(cls, op, isa.SourceK), Dst: g.reg(false), Imm: g.s.imm()}
}

var memSizes = []isa.Size{isa.SizeB, isa.SizeH, isa.SizeW, isa.SizeDW}

// place picks a base register (r9 for the input buffer, r10 for the stack)
// and an offset for an access of n bytes, aligned to n if align is set.
func (g *generator) place(n int, align bool) (isa.Register, int16) {
	a := 1
	if align {
		a = n
	}
	if g.s.intn(2) == 0 {
		return isa.R9, int16(g.s.intn((genMemSize-n)/a+1) * a)
	}
	// Mostly the first 64 bytes, which the program folds into r0.
	span := 64
	if g.s.intn(4) == 0 {
		span = engine.StackSize
	}
	return isa.R10, -int16(n + g.s.intn(span-n+1)/a*a)
}

func (g *generator) memory(inLoop bool) unit {
	size := memSizes[g.s.intn(4)]
	base, off := g.place(size.Bytes(), false)
	var ins isa.Instruction
	switch g.s.intn(4) {
	case 0:
		ins = isa.Instruction{Op: isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, size), Dst: g.reg(inLoop), Src: base, Off: off}
	case 1:
		if size == isa.SizeDW {
			size = isa.SizeW
		}
		ins = isa.Instruction{Op: isa.MemOpcode(isa.ClassLDX, isa.ModeMEMSX, size), Dst: g.reg(inLoop), Src: base, Off: off}
	case 2:
		ins = isa.Instruction{Op: isa.MemOpcode(isa.ClassST, isa.ModeMEM, size), Dst: base, Off: off, Imm: g.s.imm()}
	default:
		ins = isa.Instruction{Op: isa.MemOpcode(isa.ClassSTX, isa.ModeMEM, size), Dst: base, Src: g.reg(false), Off: off}
	}
	return unit{insns: []isa.Instruction{ins}}
}

var atomicOps = []isa.AtomicOp{isa.AtomicAdd, isa.AtomicOr, isa.AtomicAnd, isa.AtomicXor,
	isa.AtomicAdd | isa.AtomicFetch, isa.AtomicOr | isa.AtomicFetch, isa.AtomicAnd | isa.AtomicFetch,
	isa.AtomicXor | isa.AtomicFetch, isa.AtomicXchg, isa.AtomicCmpXchg}

func (g *generator) atomic(inLoop bool) unit {
	size := isa.SizeW
	if g.s.intn(2) == 0 {
		size = isa.SizeDW
	}
	base, off := g.place(size.Bytes(), true)
	op := atomicOps[g.s.intn(len(atomicOps))]
	src := g.reg(inLoop && op&isa.AtomicFetch != 0)
	return unit{insns: []isa.Instruction{{Op: isa.MemOpcode(isa.ClassSTX, isa.ModeATOMIC, size), Dst: base, Src: src, Off: off, Imm: int32(op)}}}
}

// fold ends the main function: r0 becomes a hash of r0..r8 and of the
// first stack slots.
func (g *generator) fold() []unit {
	var insns []isa.Instruction
	step := func(r isa.Register) {
		insns = append(insns,
			isa.Instruction{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mul, isa.SourceK), Dst: isa.R0, Imm: 0x01000193},
			isa.Instruction{Op: isa.ALUOpcode(isa.ClassALU64, isa.Xor, isa.SourceX), Dst: isa.R0, Src: r})
	}
	for r := isa.R1; r <= isa.R8; r++ {
		step(r)
	}
	for k := int16(1); k <= 8; k++ {
		insns = append(insns, isa.Instruction{Op: isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, isa.SizeDW), Dst: isa.R1, Src: isa.R10, Off: -8 * k})
		step(isa.R1)
	}
	insns = append(insns, isa.Instruction{Op: isa.OpExit})
	return []unit{{insns: insns}}
}

// genHelpers are the helpers generated programs call: 1 and 2 mix all of
// their arguments, 3 may stop the program; 4 is missing.
var genHelpers = []engine.Helper{
	1: func(_ *engine.Env, r1, r2, r3, r4, r5 uint64) uint64 {
		return r1*0x9e3779b97f4a7c15 ^ r2<<7 ^ r3>>3 ^ (r4 + r5*31)
	},
	2: func(_ *engine.Env, r1, r2, r3, r4, r5 uint64) uint64 {
		return r1 - r2 + r3*r4 - r5
	},
	// 3 ends the program with r0 = r2 when r1 is a multiple of 3.
	3: func(env *engine.Env, r1, r2, _, _, _ uint64) uint64 {
		if r1%3 == 0 {
			env.Stop(r2)
		}
		return r1 + 1
	},
}
