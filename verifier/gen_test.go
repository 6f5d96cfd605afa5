package verifier

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// genProgram writes a random program in assembler text: mostly the shapes
// compilers emit (context and packet loads, map lookups with null checks,
// bounds checks, stack spills, loops, helper calls), with random mistakes,
// so that the verifier accepts some and rejects others.
type gen struct {
	rnd    *rand.Rand
	b      strings.Builder
	label  int
	typ    progtype.Type
	ctx    int // readable context bytes (Raw)
	scal   []string
	inLoop bool
	// funcs are the subprograms called so far, emitted after the main
	// program.
	funcs []string
	// shapes names the sandbox shapes (sandboxShape, callbacks) the
	// program has, in order.
	shapes []string
}

// genMaps are the maps every generated program may use: an array with a
// 32-byte value, a hash with a 16-byte value, a ring buffer, a one-value
// array, a program array for tail calls, and a second one-value array.
func genMaps() []*maps.Spec {
	return []*maps.Spec{
		{Name: "arr", Type: maps.Array, KeySize: 4, ValueSize: 32, MaxEntries: 4, SpinLockOffset: -1},
		{Name: "hash", Type: maps.Hash, KeySize: 4, ValueSize: 16, MaxEntries: 8, SpinLockOffset: -1},
		{Name: "rb", Type: maps.RingBuf, MaxEntries: 4096, SpinLockOffset: -1},
		{Name: "bytes", Type: maps.Array, KeySize: 4, ValueSize: 40, MaxEntries: 1, SpinLockOffset: -1},
		{Name: "progs", Type: maps.ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: 2, SpinLockOffset: -1},
		{Name: "bytes2", Type: maps.Array, KeySize: 4, ValueSize: 16, MaxEntries: 1, SpinLockOffset: -1},
	}
}

func newGen(seed uint64, typ progtype.Type) *gen {
	return &gen{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), typ: typ, ctx: 64,
		scal: []string{"%r0", "%r2", "%r3", "%r4", "%r5", "%r9"}}
}

func (g *gen) p(format string, args ...any) {
	fmt.Fprintf(&g.b, "    "+format+"\n", args...)
}

func (g *gen) newLabel() string {
	g.label++
	return fmt.Sprintf("l%d", g.label)
}

func (g *gen) n(k int) int       { return g.rnd.IntN(k) }
func (g *gen) chance(p int) bool { return g.rnd.IntN(100) < p }
func (g *gen) sreg() string      { return g.scal[g.n(len(g.scal))] }

var genSizes = []string{"b", "h", "w", "dw"}
var genSizeBytes = []int{1, 2, 4, 8}

func (g *gen) program() string {
	g.p("mov %%r6, %%r1")
	for i := 1; i <= 8; i++ {
		g.p("stdw [%%r10-%d], %d", 8*i, g.n(64))
	}
	g.p("mov %%r9, 0")
	for _, r := range g.scal[:5] {
		g.p("mov %s, %d", r, g.n(32))
	}
	if g.typ == progtype.XDP {
		g.p("ldxw %%r7, [%%r6+0]")
		g.p("ldxw %%r8, [%%r6+4]")
	}
	for k := 3 + g.n(12); k > 0; k-- {
		g.snippet(0)
	}
	if g.chance(90) {
		g.p("mov %%r0, %%r9")
	}
	g.p("exit")
	for _, f := range g.funcs {
		g.b.WriteString(f)
	}
	return g.b.String()
}

// call calls a subprogram (bpf-to-bpf, or as a bpf_loop callback) that
// works on the caller's stack through a pointer.
func (g *gen) call() {
	name := fmt.Sprintf("f%d", len(g.funcs))
	off := -8 * (1 + g.n(8))
	var f strings.Builder
	fmt.Fprintf(&f, "%s:\n", name)
	ptr := "%r1"
	g.shapes = append(g.shapes, "bpf2bpf")
	if g.chance(50) {
		// A bpf_loop callback: r1 is the index, r2 the context.
		g.shapes[len(g.shapes)-1] = "callback"
		ptr = "%r2"
		g.p("mov %%r1, %d", 1+g.n(8))
		g.p("lddw %%r2, func %s", name)
		g.p("mov %%r3, %%r10")
		g.p("add %%r3, %d", off)
		g.p("mov %%r4, 0")
		g.p("call 181")
	} else {
		g.p("mov %%r1, %%r10")
		g.p("add %%r1, %d", off)
		g.p("mov %%r2, %d", g.n(16))
		g.p("call local %s", name)
	}
	g.p("add %%r9, %%r0")
	for _, r := range []string{"%r2", "%r3", "%r4", "%r5"} {
		g.p("mov %s, %d", r, g.n(16))
	}
	if g.chance(30) {
		// Read back the slot the function was given, which it may have
		// overwritten with an address.
		g.p("ldxdw %%r9, [%%r10%d]", off)
	}
	w := func(format string, args ...any) { fmt.Fprintf(&f, "    "+format+"\n", args...) }
	w("ldxdw %%r3, [%s+0]", ptr)
	switch g.n(5) {
	case 3:
		// Spill the context pointer into the caller's slot, which the
		// caller may read back as a value.
		w("stxdw [%s+0], %s", ptr, ptr)
	case 4:
		// A nested bpf_loop on the same context.
		inner := fmt.Sprintf("f%di", len(g.funcs))
		w("mov %%r1, %d", 1+g.n(3))
		w("lddw %%r2, func %s", inner)
		w("mov %%r3, %s", ptr)
		w("mov %%r4, 0")
		w("call 181")
		g.funcs = append(g.funcs, fmt.Sprintf("%s:\n    ldxdw %%r3, [%%r2+0]\n    add %%r3, 1\n    stxdw [%%r2+0], %%r3\n    mov %%r0, 0\n    exit\n", inner))
	}
	switch g.n(3) {
	case 0:
		w("and %%r3, %d", 7+g.n(40))
		w("lddw %%r4, map_idx_value 3, 0")
		w("add %%r4, %%r3")
		w("ldxb %%r0, [%%r4+0]")
	case 1:
		w("add %%r3, 1")
		w("stxdw [%s+0], %%r3", ptr)
	default:
		w("stdw [%%r10-8], 1")
		rd := 8
		if g.chance(10) {
			rd = 16 // uninitialized
		}
		w("ldxdw %%r0, [%%r10-%d]", rd)
	}
	if g.chance(15) {
		// Return the context pointer to the helper.
		w("mov %%r0, %s", ptr)
	} else {
		w("mov %%r0, %d", g.n(2))
	}
	w("exit")
	g.funcs = append(g.funcs, f.String())
}

func (g *gen) snippet(depth int) {
	if g.chance(20) {
		g.sandboxShape()
		return
	}
	switch g.n(13) {
	case 12:
		if depth == 0 && len(g.funcs) < 3 {
			g.call()
		}
	case 0, 1:
		g.alu()
	case 2:
		g.ctxLoad()
	case 3:
		g.stack()
	case 4:
		g.mapAccess()
	case 5:
		if g.typ == progtype.XDP {
			g.packet()
		} else {
			g.ctxLoad()
		}
	case 6:
		if depth < 2 {
			l := g.newLabel()
			g.cond(l)
			g.snippet(depth + 1)
			fmt.Fprintf(&g.b, "%s:\n", l)
		}
	case 7:
		if depth < 1 && !g.inLoop {
			g.loop(depth)
		}
	case 8:
		switch g.n(3) {
		case 0:
			g.p("call 7") // get_prandom_u32
		case 1:
			g.p("call 8") // get_smp_processor_id
		default:
			g.p("call 5") // ktime_get_ns
		}
		g.p("mov %%r9, %%r0")
		for _, r := range []string{"%r2", "%r3", "%r4", "%r5"} {
			g.p("mov %s, %d", r, g.n(16))
		}
	case 9:
		g.ringbuf()
	case 10:
		g.atomic()
	case 11:
		g.varIndex()
	}
}

var genALU = []string{"add", "sub", "mul", "div", "or", "and", "lsh", "rsh", "mod", "xor", "mov", "arsh"}

func (g *gen) alu() {
	op := genALU[g.n(len(genALU))]
	if g.chance(30) {
		op += "32"
	}
	dst := g.sreg()
	if g.chance(50) {
		imm := g.n(64)
		if g.chance(20) {
			imm = int(g.rnd.Int32())
		}
		g.p("%s %s, %d", op, dst, imm)
		return
	}
	g.p("%s %s, %s", op, dst, g.sreg())
}

func (g *gen) ctxLoad() {
	sz := g.n(4)
	dst := g.sreg()
	switch g.typ {
	case progtype.XDP:
		off := 12 + 4*g.n(2) // ingress_ifindex, rx_queue_index
		if g.chance(10) {
			off = 4 * g.n(6) // any field, pointers too
		}
		if g.chance(5) {
			off = g.n(28)
		}
		s := "w"
		if g.chance(10) {
			s = genSizes[sz]
		}
		g.p("ldx%s %s, [%%r6+%d]", s, dst, off)
	default:
		off := g.n(g.ctx/genSizeBytes[sz]+1) * genSizeBytes[sz]
		if g.chance(5) {
			off = g.n(g.ctx + 8)
		}
		g.p("ldx%s %s, [%%r6+%d]", genSizes[sz], dst, off)
	}
}

func (g *gen) stack() {
	sz := g.n(4)
	b := genSizeBytes[sz]
	off := -b * (1 + g.n(64/b+1))
	if g.chance(5) {
		off = -1 - g.n(80)
	}
	switch g.n(3) {
	case 0:
		g.p("stx%s [%%r10%d], %s", genSizes[sz], off, g.sreg())
	case 1:
		g.p("st%s [%%r10%d], %d", genSizes[sz], off, g.n(100))
	default:
		g.p("ldx%s %s, [%%r10%d]", genSizes[sz], g.sreg(), off)
	}
	if g.chance(10) {
		// Spill and fill a pointer.
		g.p("stxdw [%%r10-16], %%r6")
		g.p("ldxdw %%r1, [%%r10-16]")
		g.p("mov %%r6, %%r1")
	}
}

// lookup leaves a map value pointer (or NULL, if check is false) in r0.
func (g *gen) lookup(check bool, out string) int {
	m := g.n(2)
	g.p("stw [%%r10-4], %d", g.n(6))
	g.p("mov %%r2, %%r10")
	g.p("add %%r2, -4")
	g.p("lddw %%r1, map_idx %d", m)
	g.p("call 1")
	for _, r := range []string{"%r2", "%r3", "%r4", "%r5"} {
		g.p("mov %s, %d", r, g.n(16))
	}
	if check {
		g.p("jeq %%r0, 0, %s", out)
	}
	return []int{32, 16}[m]
}

func (g *gen) mapAccess() {
	out := g.newLabel()
	vs := g.lookup(g.chance(92), out)
	sz := g.n(4)
	b := genSizeBytes[sz]
	off := g.n(vs/b) * b
	if g.chance(8) {
		off = g.n(vs + 8)
	}
	if g.chance(50) {
		g.p("stx%s [%%r0+%d], %%r9", genSizes[sz], off)
	} else {
		g.p("ldx%s %%r9, [%%r0+%d]", genSizes[sz], off)
	}
	fmt.Fprintf(&g.b, "%s:\n", out)
	g.p("mov %%r0, 0")
}

func (g *gen) varIndex() {
	out := g.newLabel()
	vs := g.lookup(true, out)
	idx := g.sreg()
	if idx == "%r0" {
		idx = "%r9"
	}
	switch g.n(3) {
	case 0:
		g.p("and %s, %d", idx, vs-1-g.n(4)+g.n(8))
	case 1:
		g.p("jgt %s, %d, %s", idx, vs-8+g.n(12), out)
	default:
		g.p("jge %s, %d, %s", idx, vs-8+g.n(12), out)
	}
	g.p("add %%r0, %s", idx)
	sz := g.n(4)
	g.p("ldx%s %%r9, [%%r0+0]", genSizes[sz])
	fmt.Fprintf(&g.b, "%s:\n", out)
	g.p("mov %%r0, 0")
}

func (g *gen) packet() {
	out := g.newLabel()
	k := 1 + g.n(40)
	g.p("mov %%r1, %%r7")
	g.p("add %%r1, %d", k)
	switch g.n(4) {
	case 0:
		g.p("jgt %%r1, %%r8, %s", out)
	case 1:
		g.p("jge %%r1, %%r8, %s", out)
	case 2:
		g.p("jlt %%r8, %%r1, %s", out)
	default:
		g.p("jle %%r1, %%r8, %s", out) // wrong way round: the access is unchecked
	}
	sz := g.n(4)
	b := genSizeBytes[sz]
	off := g.n(k + 4)
	if off+b > k && g.chance(70) {
		off = max(0, k-b)
	}
	if g.chance(30) {
		g.p("stx%s [%%r7+%d], %%r9", genSizes[sz], off)
	} else {
		g.p("ldx%s %%r9, [%%r7+%d]", genSizes[sz], off)
	}
	fmt.Fprintf(&g.b, "%s:\n", out)
}

var genJmp = []string{"jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset"}

func (g *gen) cond(target string) {
	op := genJmp[g.n(len(genJmp))]
	if g.chance(25) {
		op += "32"
	}
	if g.chance(50) {
		g.p("%s %s, %d, %s", op, g.sreg(), g.n(40)-4, target)
	} else {
		g.p("%s %s, %s, %s", op, g.sreg(), g.sreg(), target)
	}
}

func (g *gen) loop(depth int) {
	g.inLoop = true
	defer func() { g.inLoop = false }()
	head := g.newLabel()
	g.p("stdw [%%r10-72], 0")
	fmt.Fprintf(&g.b, "%s:\n", head)
	g.snippet(depth + 1)
	g.p("ldxdw %%r1, [%%r10-72]")
	g.p("add %%r1, 1")
	g.p("stxdw [%%r10-72], %%r1")
	g.p("jlt %%r1, %d, %s", 1+g.n(12), head)
}

func (g *gen) ringbuf() {
	out := g.newLabel()
	size := 8 * (1 + g.n(4))
	g.p("lddw %%r1, map_idx 2")
	g.p("mov %%r2, %d", size)
	g.p("mov %%r3, 0")
	g.p("call 131")
	if g.chance(95) {
		g.p("jeq %%r0, 0, %s", out)
	}
	off := 8 * g.n(size/8+1)
	if off+8 <= size || g.chance(20) {
		g.p("stxdw [%%r0+%d], %%r9", off)
	}
	g.p("mov %%r1, %%r0")
	g.p("mov %%r2, 0")
	if g.chance(95) {
		g.p("call %d", 132+g.n(2))
	}
	fmt.Fprintf(&g.b, "%s:\n", out)
	for _, r := range []string{"%r0", "%r2", "%r3", "%r4", "%r5"} {
		g.p("mov %s, %d", r, g.n(16))
	}
}

func (g *gen) atomic() {
	if g.chance(50) {
		g.p("lock add [%%r10-%d], %s", 8*(1+g.n(8)), g.sreg())
		return
	}
	out := g.newLabel()
	vs := g.lookup(true, out)
	off := 8 * g.n(vs/8)
	if g.chance(10) {
		off += 4
	}
	g.p("lock fetch add [%%r0+%d], %%r9", off)
	fmt.Fprintf(&g.b, "%s:\n", out)
	g.p("mov %%r0, 0")
}

// sandboxShape emits one of the shapes of the sandbox findings (see the
// shared sandbox README), legitimate or leaking at random: pointer spills
// and partial overwrites, pointer comparisons, helper arguments from the
// stack, pointer differences, atomics on spilled slots, variable-offset
// stack reads, tail calls.
func (g *gen) sandboxShape() {
	shapes := []struct {
		name   string
		weight int
		emit   func()
	}{
		{"spill", 3, g.spill}, {"ptrcmp", 2, g.ptrCmp}, {"helper-stack", 3, g.helperStack}, {"ptrsub", 2, g.ptrSub},
		{"atomic-spill", 2, g.atomicSpill}, {"varoff-stack", 1, g.varStack}, {"tailcall", 2, g.tailCall},
	}
	total := 0
	for _, s := range shapes {
		total += s.weight
	}
	k := g.n(total)
	for _, s := range shapes {
		if k -= s.weight; k < 0 {
			g.shapes = append(g.shapes, s.name)
			s.emit()
			return
		}
	}
}

// ptrSource loads an address into reg: the stack, the context, a map
// value or, for XDP, the packet.
func (g *gen) ptrSource(reg string) {
	switch g.n(4) {
	case 0:
		g.p("mov %s, %%r10", reg)
		g.p("add %s, -%d", reg, 8*(1+g.n(8)))
	case 1:
		g.p("mov %s, %%r6", reg)
	case 2:
		g.p("lddw %s, map_idx_value 3, %d", reg, 8*g.n(5))
	default:
		if g.typ == progtype.XDP {
			g.p("mov %s, %%r7", reg)
		} else {
			g.p("mov %s, %%r10", reg)
		}
	}
}

// spillSlot returns the offset below r10 of a slot to spill an address
// to: mostly one the other snippets leave alone (-48 to -64), sometimes
// any, where keys, values and loop counters will overwrite or read it.
func (g *gen) spillSlot() int {
	if g.chance(85) {
		return 48 + 8*g.n(3)
	}
	return 8 * (1 + g.n(9))
}

// reset gives the scalar registers clobbered by a call new values.
func (g *gen) reset() {
	for _, r := range []string{"%r0", "%r2", "%r3", "%r4", "%r5"} {
		g.p("mov %s, %d", r, g.n(16))
	}
}

// spill spills an address to a stack slot, then reads it back whole (as a
// pointer, or into the register the program returns), partly, or after
// overwriting part of it (F5).
func (g *gen) spill() {
	off := g.spillSlot()
	g.ptrSource("%r1")
	g.p("stxdw [%%r10-%d], %%r1", off)
	sz := g.n(3)
	b := genSizeBytes[sz]
	part := off - b*g.n(8/b) // a naturally aligned piece of the slot
	if g.chance(50) {
		// Legitimate: fill it and use it as an address, or overwrite it
		// whole with data.
		if g.chance(60) {
			g.p("ldxdw %%r1, [%%r10-%d]", off)
			g.p("ldxb %s, [%%r1+0]", g.sreg())
		} else {
			g.p("stdw [%%r10-%d], %d", off, g.n(64))
		}
		return
	}
	switch g.n(5) {
	case 0:
		g.p("st%s [%%r10-%d], %d", genSizes[sz], part, g.n(256))
		g.p("ldxdw %s, [%%r10-%d]", g.sreg(), off)
	case 2:
		g.p("ldx%s %s, [%%r10-%d]", genSizes[sz], g.sreg(), part)
	case 3:
		g.p("ldxdw %%r9, [%%r10-%d]", off)
	default:
		g.p("ldxdw %%r1, [%%r10-%d]", off)
		g.p("%s %s, %%r1", []string{"add", "sub", "xor", "mov"}[g.n(4)], g.sreg())
	}
}

// ptrCmp compares an address with a scalar, a constant, or another
// address (F4), and records the outcome in r9.
func (g *gen) ptrCmp() {
	l := g.newLabel()
	op := genJmp[g.n(len(genJmp))]
	if g.chance(50) {
		// Legitimate: a null test, or a packet bounds check.
		if g.typ == progtype.XDP && g.chance(50) {
			g.p("mov %%r1, %%r7")
			g.p("add %%r1, %d", g.n(64))
			g.p("%s %%r1, %%r8, %s", []string{"jgt", "jge", "jlt", "jle"}[g.n(4)], l)
		} else {
			g.ptrSource("%r1")
			g.p("%s %%r1, 0, %s", []string{"jeq", "jne"}[g.n(2)], l)
		}
		g.p("mov %%r9, %d", 1+g.n(4))
		fmt.Fprintf(&g.b, "%s:\n", l)
		return
	}
	switch g.n(4) {
	case 0:
		g.p("%s %%r10, %s, %s", op, g.sreg(), l)
	case 1:
		g.p("%s %%r6, %d, %s", op, g.n(2)*4096, l)
	case 2:
		if g.typ == progtype.XDP {
			g.p("%s %%r7, %s, %s", op, g.sreg(), l)
		} else {
			g.p("%s %%r6, %%r10, %s", op, l)
		}
	default:
		if g.typ == progtype.XDP {
			g.p("%s32 %%r7, %%r8, %s", op, l)
		} else {
			g.p("%s %%r10, %%r6, %s", op, l)
		}
	}
	g.p("mov %%r9, %d", 1+g.n(4))
	fmt.Fprintf(&g.b, "%s:\n", l)
}

// helperStack passes stack memory that may hold an address to a helper
// that reads it (F8): map_update_elem's key and value, probe_read's
// source, ring buffer output, or an address as a scalar argument.
func (g *gen) helperStack() {
	m := g.n(2)
	vs := []int{32, 16}[m]
	base := 8 + vs // the value is at [r10-base, r10-8)
	for o := 8; o < base; o += 8 {
		g.p("stdw [%%r10-%d], %d", o+8, g.n(64))
	}
	if g.chance(40) {
		g.ptrSource("%r1")
		g.p("stxdw [%%r10-%d], %%r1", 16+8*g.n(vs/8))
	}
	switch k := g.n(20); {
	case k < 10:
		g.p("stw [%%r10-4], %d", g.n(6))
		if g.chance(10) {
			g.p("stxdw [%%r10-8], %%r10") // the key is part of an address
		}
		g.p("lddw %%r1, map_idx %d", m)
		g.p("mov %%r2, %%r10")
		g.p("add %%r2, -4")
		g.p("mov %%r3, %%r10")
		g.p("add %%r3, -%d", base)
		g.p("mov %%r4, 0")
		g.p("call 2")
	case k < 12:
		g.p("mov %%r1, %%r10")
		g.p("add %%r1, -8")
		g.p("mov %%r2, 8")
		g.p("mov %%r3, %%r10")
		g.p("add %%r3, -%d", 16+8*g.n(vs/8))
		g.p("call 113") // probe_read_kernel
		g.p("ldxdw %%r9, [%%r10-8]")
	case k < 17:
		g.p("lddw %%r1, map_idx 2")
		g.p("mov %%r2, %%r10")
		g.p("add %%r2, -%d", base)
		g.p("mov %%r3, %d", vs)
		g.p("mov %%r4, 0")
		g.p("call 130") // ringbuf_output
	default:
		// bpf_loop's count (a scalar argument) is an address.
		g.ptrSource("%r1")
		g.p("lddw %%r2, func %s", g.nopCallback())
		g.p("mov %%r3, 0")
		g.p("mov %%r4, 0")
		g.p("call 181")
	}
	g.reset()
}

// nopCallback returns the name of a callback that returns 0 at once.
func (g *gen) nopCallback() string {
	name := fmt.Sprintf("f%d", len(g.funcs))
	g.funcs = append(g.funcs, name+":\n    mov %r0, 0\n    exit\n")
	return name
}

// ptrSub subtracts addresses: of different objects (F9), of one object
// (an offset, allowed), or computes with one otherwise.
func (g *gen) ptrSub() {
	switch g.n(5) {
	case 0:
		g.p("mov %%r1, %%r10")
		g.p("sub %%r1, %%r6")
	case 1:
		g.p("lddw %%r1, map_idx_value 5, %d", 8*g.n(3))
		g.p("lddw %%r2, map_idx_value 3, 0")
		g.p("sub %%r1, %%r2")
	case 2:
		g.p("lddw %%r1, map_idx_value 3, %d", 8*g.n(5))
		g.p("lddw %%r2, map_idx_value 3, 0")
		g.p("sub %%r1, %%r2")
	case 3:
		if g.typ == progtype.XDP {
			g.p("mov %%r1, %%r8")
			g.p("sub %%r1, %%r7")
		} else {
			g.p("mov %%r2, %%r10")
			g.p("add %%r2, -%d", 8*(1+g.n(8)))
			g.p("mov %%r1, %%r10")
			g.p("sub %%r1, %%r2")
		}
	default:
		g.ptrSource("%r1")
		g.p("%s %%r1, %d", []string{"mul", "and", "rsh", "mov32", "xor", "add32"}[g.n(6)], 1+g.n(4095))
	}
	g.p("%s %%r9, %%r1", []string{"add", "mov"}[g.n(2)])
}

// atomicSpill spills an address and updates the slot atomically, the old
// value coming back in a register (F7).
func (g *gen) atomicSpill() {
	off := g.spillSlot()
	if g.chance(50) {
		g.ptrSource("%r1")
		g.p("stxdw [%%r10-%d], %%r1", off)
	} else {
		g.p("stdw [%%r10-%d], %d", off, g.n(64)) // legitimate: the slot holds data
	}
	reg := g.sreg()
	if reg == "%r0" {
		reg = "%r9"
	}
	switch g.n(4) {
	case 0:
		g.p("lock fetch add [%%r10-%d], %s", off, reg)
	case 1:
		g.p("lock xchg [%%r10-%d], %s", off, reg)
	case 2:
		g.p("lock cmpxchg [%%r10-%d], %s", off, reg)
		g.p("mov %%r9, %%r0")
	default:
		g.p("lock %s [%%r10-%d], %s", []string{"add", "or", "xor"}[g.n(3)], off, reg)
		g.p("ldxdw %s, [%%r10-%d]", reg, off)
	}
}

// varStack reads (or writes) the stack through a variable offset, over a
// slot that may hold a spilled address (F6).
func (g *gen) varStack() {
	if g.chance(60) {
		g.ptrSource("%r1")
		g.p("stxdw [%%r10-%d], %%r1", 8*(1+g.n(2)))
	}
	g.p("call 7")
	g.p("mov %%r3, %%r0")
	g.p("and %%r3, %d", []int{8, 16, 24}[g.n(3)])
	g.p("mov %%r4, %%r10")
	g.p("add %%r4, -32")
	g.p("add %%r4, %%r3")
	if g.chance(25) {
		g.p("stxdw [%%r4+0], %%r9")
	} else {
		g.p("ldxdw %%r9, [%%r4+0]")
	}
	g.reset()
}

// tailCall tail-calls slot 0 (a program of the same type), 1 (empty) or
// out of range of the program array. Raw programs, whose context is plain
// memory, cannot tail-call: they spill an address instead.
func (g *gen) tailCall() {
	if g.typ != progtype.XDP {
		g.shapes[len(g.shapes)-1] = "spill"
		g.spill()
		return
	}
	g.p("mov %%r1, %%r6")
	g.p("lddw %%r2, map_idx 4")
	g.p("mov %%r3, %d", g.n(3))
	g.p("call 12")
	g.reset()
}
