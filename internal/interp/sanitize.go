package interp

import (
	"fmt"
	"sync"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

// The leak sanitizer (Options.Sanitize) runs next to the checked
// interpreter and tracks which values are addresses: a tag per register
// and per stack byte says whether the value is data, an address into a
// given object, or address bits that are no usable address (taint: part
// of a spilled pointer, an atomic update of one). It ends the run with
// engine.ErrLeak at the instruction where an address would become data
// the program can observe: r0 at the exit of the main program or of a
// callback, a store of one outside the stack, a helper argument that
// must be a scalar or memory a helper reads, a comparison with a scalar,
// or arithmetic other than adding a scalar to a pointer and subtracting
// two pointers into the same object (which gives an offset).
//
// Objects are coarse: the stack (all frames), each of env.Regions (by its
// start address, so a map's memory, the context and each packet are one
// object each), the objects the context's pointer fields point into
// (Options.CtxPointers), and addresses of unknown objects. A map handle
// loaded by lddw is treated as such an address, since Linux passes maps as
// pointers (gbpf's handles are ids).

// tag is the shadow of a register: what kind of value it holds.
type tag uint8

const (
	clean   tag = iota // data
	taint              // address bits that are no usable address
	tagAnon            // an address of an unknown object, never the same object as another
	// tagStack is an address in the stack (any frame).
	tagStack
	// tagField0 + PtrField.Object is an address loaded from a pointer
	// field of the context.
	tagField0
	// tagRegion0 + i is an address in the region that starts at
	// sanitizer.objs[i].
	tagRegion0 = tagField0 + maxFieldObjects
	// tagResolve marks a callback parameter whose object is found from
	// its value when the callback starts.
	tagResolve = 255
)

// maxFieldObjects is how many distinct objects the context's pointer
// fields may point into.
const maxFieldObjects = 4

// maxObjects bounds the regions a run tells apart; a run that touches
// more shares the last tag among the rest.
const maxObjects = int(tagResolve - tagRegion0)

// isAddr reports whether t is a full address (not data, not taint).
func (t tag) isAddr() bool { return t >= tagAnon && t != tagResolve }

// PtrField is a field of the context that holds an address, such as
// xdp_md.data: a load of exactly that field yields an address into the
// object the field's Object number names. Fields with the same Object
// point into the same object (data, data_end and data_meta of a packet),
// so that their difference is an offset.
type PtrField struct {
	Off, Size int
	Object    int // 0 to 3
}

// sanProgram is what Compile keeps for a sanitized program.
type sanProgram struct {
	protos *helpers.Set
	fields []PtrField
}

var builtinProtos = sync.OnceValue(helpers.BuiltinSet)

// sanitizer is the shadow state of a sanitized run. A machine allocates
// one on its first sanitized run and reuses it.
type sanitizer struct {
	regs   [16]tag
	frames [engine.MaxCallDepth][4]tag // r6-r9 of each bpf-to-bpf caller
	// stack holds, per stack byte, the tag of the value stored there
	// (high byte) and the byte's position in that value (low byte).
	stack [stackBytes]uint16
	objs  []uint64 // start addresses of the regions seen, for tagRegion0+i
	// ctx is r1 at entry when it is an address, for CtxPointers; dirty
	// has bit i set once pointer field i was overwritten.
	ctx   uint64
	dirty uint32
	// pendingR0: r0 holds the result of a helper returning an address,
	// whose object is found at the next instruction.
	pendingR0 bool
	// cb are the parameters of the callbacks of the helper being called.
	cb   [5]tag
	call func(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error)
	prog *sanProgram
}

// sanBegin prepares m's sanitizer for a run of p with r1 and r2, and
// routes env's callbacks through it.
func (m *machine) sanBegin(p *Program, env *engine.Env, r1, r2 uint64) {
	s := m.san
	if s == nil {
		s = &sanitizer{objs: make([]uint64, 0, maxObjects)}
		s.call = m.sanCallFunc
		m.san = s
	}
	s.prog = p.san
	s.objs = s.objs[:0]
	clear(s.stack[:])
	s.regs = [16]tag{}
	s.pendingR0, s.dirty, s.ctx = false, 0, 0
	s.regs[1] = s.object(m, env, r1)
	s.regs[2] = s.object(m, env, r2)
	s.regs[10] = tagStack
	if s.regs[1] != clean {
		s.ctx = r1
	}
	env.CallFunc = s.call
}

// sanCallFunc is env.CallFunc in a sanitized run: it gives the callback
// the shadows of its parameters, and restores the caller's afterwards.
func (m *machine) sanCallFunc(pc int, r1, r2, r3, r4, r5 uint64) (uint64, error) {
	s := m.san
	regs, pending, cb := s.regs, s.pendingR0, s.cb
	args := [5]uint64{r1, r2, r3, r4, r5}
	s.regs = [16]tag{10: tagStack}
	for i, c := range cb {
		if c == tagResolve {
			if c = s.object(m, m.envp, args[i]); c == clean && args[i] != 0 {
				c = tagAnon
			}
		}
		s.regs[1+i] = c
	}
	s.pendingR0 = false
	r0, err := m.callFunc(pc, r1, r2, r3, r4, r5)
	s.regs, s.pendingR0, s.cb = regs, pending, cb
	return r0, err
}

// object returns the tag of addr as a new address: the stack, a region,
// or clean when it is neither.
func (s *sanitizer) object(m *machine, env *engine.Env, addr uint64) tag {
	// An address inside the stack or a region, else one just past the end
	// of one (the stack's top, a packet's end), which may also start the
	// next region.
	for pass := uint64(0); pass < 2; pass++ {
		if addr-(m.top-stackBytes) < stackBytes+pass {
			return tagStack
		}
		if env == nil {
			continue
		}
		for _, reg := range env.Regions {
			if addr < reg.Start || addr >= reg.End+pass {
				continue
			}
			for i, start := range s.objs {
				if start == reg.Start {
					return tagRegion0 + tag(i)
				}
			}
			if len(s.objs) == maxObjects {
				return tagRegion0 + tag(maxObjects-1)
			}
			s.objs = append(s.objs, reg.Start)
			return tagRegion0 + tag(len(s.objs)-1)
		}
	}
	return clean
}

// leak is the fault of a leak at slot pc.
func leak(pc int, format string, args ...any) error {
	return &engine.Fault{PC: pc, Err: engine.ErrLeak, Msg: fmt.Sprintf(format, args...)}
}

// step updates the shadow state for in, the instruction at slot pc,
// before the run loop executes it (resume calls it), and reports a
// leak as an error.
func (s *sanitizer) step(m *machine, env *engine.Env, in *insn, pc int, r *[16]uint64) error {
	if s.pendingR0 {
		s.pendingR0 = false
		s.regs[0] = s.object(m, env, r[0])
		if s.regs[0] == clean && r[0] != 0 {
			s.regs[0] = tagAnon
		}
	}
	o := in.op
	dst, src := in.dst&15, in.src&15
	switch {
	case o >= opAdd64K && o <= opBSwap64:
		return s.alu(pc, in, r)
	case o == opLdImm64:
		s.regs[dst] = s.object(m, env, in.k)
		if s.regs[dst] == clean && maps.FromHandle(in.k) != nil {
			s.regs[dst] = tagAnon // a map, which Linux passes as a pointer
		}
	case o >= opLdxBC && o <= opLdxSWC:
		n := loadSize[o-opLdxBC]
		t := s.load(m, r[src]+uint64(in.off), n)
		if o >= opLdxSBC && t != clean {
			t = taint // sign extension of address bits
		}
		s.regs[dst] = t
	case o >= opStBC && o <= opStxDWC:
		v, n := clean, storeSize[(o-opStBC)%4]
		if o >= opStxBC {
			v = s.regs[src]
		}
		return s.store(m, env, pc, r[dst]+uint64(in.off), n, v)
	case o == opChecked:
		return s.atomic(m, env, pc, in, r)
	case o >= opJeq64K && o <= opJset32X:
		return s.jump(pc, in, r)
	case o == opCallHelper || o == opCallX:
		id := in.k
		if o == opCallX {
			id = r[dst]
		}
		return s.helper(m, pc, int64(id), r)
	case o == opLdAbs || o == opLdInd:
		if o == opLdInd && s.regs[src] != clean {
			return leak(pc, "r%d holds %s as a packet offset", src, s.regs[src])
		}
		s.regs[0] = clean
	case o == opCallLocal:
		if m.depth < len(s.frames) {
			copy(s.frames[m.depth][:], s.regs[6:10])
		}
	case o == opExit:
		if m.depth == m.base {
			if s.regs[0] != clean {
				return leak(pc, "r0 holds %s at exit", s.regs[0])
			}
		} else if m.depth > 0 && m.depth <= len(s.frames) {
			copy(s.regs[6:10], s.frames[m.depth-1][:])
		}
	}
	return nil
}

var (
	loadSize  = [...]uint64{1, 2, 4, 8, 1, 2, 4} // opLdxBC to opLdxSWC
	storeSize = [...]uint64{1, 2, 4, 8}          // B, H, W, DW
)

func (t tag) String() string {
	switch {
	case t == clean:
		return "data"
	case t == taint:
		return "address bits"
	case t == tagStack:
		return "a stack address"
	case t >= tagField0 && t < tagRegion0:
		return "a packet address"
	}
	return "an address"
}

// aluName names the operation of an ALU op for messages.
func aluName(o op) string {
	if o >= opLE16 {
		return "byte swap"
	}
	if o >= opMovSX8To64 && o <= opNeg64 || o >= opMovSX8To32 {
		return [...]string{"movsx", "movsx", "movsx", "neg", "movsx", "movsx", "neg"}[pick8(o)]
	}
	base := o
	if base >= opAdd32K {
		base -= a32Dist
	}
	if base >= opAdd64X {
		base -= xDist
	}
	name := [...]string{"add", "sub", "mul", "div", "sdiv", "or", "and", "lsh", "rsh", "mod", "smod", "xor", "mov", "arsh"}[base-opAdd64K]
	if o >= opAdd32K {
		name += "32"
	}
	return name
}

func pick8(o op) int {
	if o >= opMovSX8To32 {
		return int(o-opMovSX8To32) + 4
	}
	return int(o - opMovSX8To64)
}

// alu tracks an ALU instruction: a copy keeps the tag, a scalar added to
// or subtracted from an address keeps its object, the difference of two
// addresses into one object is data; anything else computed from an
// address is a leak, and from taint is taint.
func (s *sanitizer) alu(pc int, in *insn, r *[16]uint64) error {
	o := in.op
	dst, src := in.dst&15, in.src&15
	d, x := s.regs[dst], clean
	switch {
	case o == opMov64K || o == opMov32K:
		s.regs[dst] = clean
		return nil
	case o == opMov64X:
		s.regs[dst] = s.regs[src]
		return nil
	case o == opMov32X || o >= opMovSX8To64 && o <= opMovSX32To64 || o == opMovSX8To32 || o == opMovSX16To32:
		d, x = clean, s.regs[src] // the result depends on src only
	case o >= opAdd64X && o <= opArsh64X || o >= opAdd32X && o <= opArsh32X:
		x = s.regs[src]
	}
	if d == clean && x == clean {
		s.regs[dst] = clean
		return nil
	}
	if !d.isAddr() && !x.isAddr() {
		s.regs[dst] = taint
		return nil
	}
	switch o {
	case opAdd64K, opSub64K:
		return nil // address ± constant: the same object
	case opAdd64X:
		switch {
		case d.isAddr() && x == clean:
			return nil
		case d == clean && x.isAddr():
			s.regs[dst] = x
			return nil
		}
		return leak(pc, "r%d += r%d adds %s to %s", dst, src, x, d)
	case opSub64X:
		switch {
		case d.isAddr() && x == clean:
			return nil
		case d == x && d != tagAnon:
			s.regs[dst] = clean // an offset inside one object
			return nil
		case d.isAddr() && x.isAddr():
			return leak(pc, "r%d -= r%d subtracts addresses of different objects", dst, src)
		}
		return leak(pc, "r%d -= r%d computes with %s and %s", dst, src, d, x)
	}
	if o == opMov32X {
		return leak(pc, "r%d = (u32)r%d copies part of %s", dst, src, x)
	}
	t := d
	if !t.isAddr() {
		t = x
	}
	return leak(pc, "%s on %s in r%d", aluName(o), t, dst)
}

// load returns the tag of the n bytes at addr: a whole address stored
// there by an 8-byte store, taint when any byte holds address bits, or
// the object of a context pointer field.
func (s *sanitizer) load(m *machine, addr, n uint64) tag {
	if i := addr - (m.top - stackBytes); i < stackBytes && n <= stackBytes-i {
		first := s.stack[i]
		t := tag(first >> 8)
		if t == clean {
			for _, b := range s.stack[i : i+n] {
				if b != 0 {
					return taint
				}
			}
			return clean
		}
		if n != 8 || !t.isAddr() {
			return taint
		}
		for j, b := range s.stack[i : i+8] {
			if b != uint16(t)<<8|uint16(j) {
				return taint
			}
		}
		return t
	}
	if i := s.field(addr, n); i >= 0 {
		if f := s.prog.fields[i]; addr == s.ctx+uint64(f.Off) && n == uint64(f.Size) {
			return tagField0 + tag(f.Object)
		}
		return taint
	}
	return clean
}

// field returns the index of the context pointer field, still holding its
// address, that the n bytes at addr overlap, or -1.
func (s *sanitizer) field(addr, n uint64) int {
	if s.ctx == 0 {
		return -1
	}
	for i, f := range s.prog.fields {
		start := s.ctx + uint64(f.Off)
		if addr < start+uint64(f.Size) && addr+n > start && s.dirty&(1<<i) == 0 {
			return i
		}
	}
	return -1
}

// store records a store of n bytes with tag v at addr. An address (or
// address bits) stored outside the stack is a leak.
func (s *sanitizer) store(m *machine, env *engine.Env, pc int, addr, n uint64, v tag) error {
	if i := addr - (m.top - stackBytes); i < stackBytes && n <= stackBytes-i {
		s.setStack(i, n, v)
		return nil
	}
	if v != clean && m.allowed(env, addr, n, true) {
		return leak(pc, "stores %s into memory outside the stack at %#x", v, addr)
	}
	s.overwrite(addr, n)
	return nil
}

// overwrite notes a write of n bytes at addr outside the stack: context
// pointer fields it touches hold data from now on.
func (s *sanitizer) overwrite(addr, n uint64) {
	for i := s.field(addr, n); i >= 0; i = s.field(addr, n) {
		s.dirty |= 1 << i
	}
}

// atomic tracks an atomic read-modify-write.
func (s *sanitizer) atomic(m *machine, env *engine.Env, pc int, in *insn, r *[16]uint64) error {
	n := uint64(4)
	if in.sub == opAtomic64 {
		n = 8
	}
	addr := r[in.dst&15] + uint64(in.off)
	src := in.src & 15
	v, old := s.regs[src], s.load(m, addr, n)
	aop := isa.AtomicOp(in.k)
	if aop == isa.AtomicCmpXchg {
		if old != clean || s.regs[0] != clean {
			return leak(pc, "cmpxchg compares %s with %s", s.regs[0], old)
		}
	}
	if addr-(m.top-stackBytes) >= stackBytes {
		if v != clean && m.allowed(env, addr, n, true) {
			return leak(pc, "atomic stores %s into memory outside the stack at %#x", v, addr)
		}
		s.overwrite(addr, n)
	}
	nw := taint // add, or, and, xor with an address
	if old == clean && v == clean {
		nw = clean
	}
	switch aop {
	case isa.AtomicXchg:
		nw = v
		s.regs[src] = old
	case isa.AtomicCmpXchg:
		// old and r0 are data (checked above): the slot gets v if it
		// holds r0. Read it only where the run loop will not fault.
		nw = old
		if m.allowed(env, addr, n, true) && addr%n == 0 {
			cur, want := engine.Load64(addr), r[0]
			if n == 4 {
				cur, want = engine.Load32(addr), uint64(uint32(want))
			}
			if cur == want {
				nw = v
			}
		}
		s.regs[0] = old
	default:
		if aop&isa.AtomicFetch != 0 {
			s.regs[src] = old
		}
	}
	if i := addr - (m.top - stackBytes); i < stackBytes && n <= stackBytes-i {
		s.setStack(i, n, nw)
	}
	return nil
}

// setStack records n bytes with tag v at stack byte i.
func (s *sanitizer) setStack(i, n uint64, v tag) {
	for j := range n {
		if v == clean {
			s.stack[i+j] = 0
		} else {
			s.stack[i+j] = uint16(v)<<8 | uint16(j)
		}
	}
}

// jump checks a conditional jump: addresses may be compared only with an
// address into the same object (64-bit), or tested against zero.
func (s *sanitizer) jump(pc int, in *insn, r *[16]uint64) error {
	o := in.op
	dst, src := in.dst&15, in.src&15
	a, b, vb := s.regs[dst], clean, in.k
	x := o >= opJeq64X && o <= opJset64X || o >= opJeq32X
	if x {
		b, vb = s.regs[src], r[src]
	}
	if a == clean && b == clean {
		return nil
	}
	if o < opJeq32K {
		if a == b && a.isAddr() && a != tagAnon {
			return nil // an offset comparison inside one object
		}
		signed := o >= opJsgt64K && o <= opJsle64K || o >= opJsgt64X && o <= opJsle64X
		if !signed && (a.isAddr() && b == clean && vb == 0 || b.isAddr() && a == clean && r[dst] == 0) {
			return nil // whether the address is null
		}
	}
	if x {
		return leak(pc, "compares %s in r%d with %s in r%d", a, dst, b, src)
	}
	return leak(pc, "compares %s in r%d with a constant", a, dst)
}

// helper checks the arguments of a call to helper id against its
// prototype: scalar arguments and the memory a helper reads must hold no
// address. Memory a helper writes holds data afterwards.
func (s *sanitizer) helper(m *machine, pc int, id int64, r *[16]uint64) error {
	s.regs[0] = clean
	s.cb = [5]tag{}
	p, ok := s.prog.protos.Prototype(helpers.ID(id))
	if !ok {
		return nil // not a helper the sanitizer knows: r0 is data
	}
	mapArg := -1
	for i, a := range p.Args {
		reg := 1 + i
		t := s.regs[reg]
		var rd uint64 // bytes the helper reads at r[reg]
		switch a {
		case helpers.ArgAnything:
			if i == 2 && p.Args[0] == helpers.ArgPtrToUninitMem && p.Args[1].IsSize() {
				// probe_read: src is any address, of which the helper
				// copies r2 bytes.
				rd = r[2]
				break
			}
			fallthrough
		case helpers.ArgConstSize, helpers.ArgConstSizeOrZero, helpers.ArgConstAllocSizeOrZero:
			if t != clean {
				return leak(pc, "passes %s in r%d to helper %s", t, reg, p.Name)
			}
		case helpers.ArgConstMapPtr:
			mapArg = reg
		case helpers.ArgPtrToMapKey, helpers.ArgPtrToMapValue:
			if mapArg > 0 {
				if mp := maps.FromHandle(r[mapArg]); mp != nil {
					rd = uint64(mp.Spec().KeySize)
					if a == helpers.ArgPtrToMapValue {
						rd = uint64(mp.Spec().ValueSize)
					}
				}
			}
		case helpers.ArgPtrToMem, helpers.ArgPtrToMemOrNull:
			rd = r[reg+1]
		}
		if rd > 0 && s.reads(m, r[reg], rd) {
			return leak(pc, "helper %s reads address bits from the memory at r%d", p.Name, reg)
		}
	}
	for i, a := range p.Args {
		reg := 1 + i
		switch a {
		case helpers.ArgPtrToUninitMem, helpers.ArgPtrToUninitMemOrNull:
			s.clearStack(m, r[reg], r[reg+1])
		case helpers.ArgPtrToUninitMapValue:
			if mapArg > 0 {
				if mp := maps.FromHandle(r[mapArg]); mp != nil {
					s.clearStack(m, r[reg], uint64(mp.Spec().ValueSize))
				}
			}
		}
	}
	if cb := p.Callback; cb != nil {
		for i, prm := range cb.Params {
			switch prm {
			case helpers.ParamMapKey, helpers.ParamMapValue:
				s.cb[i] = tagResolve
			case helpers.ParamCtx:
				if cb.CtxArg >= 0 && cb.CtxArg < 5 {
					s.cb[i] = s.regs[1+cb.CtxArg]
				}
			}
		}
	}
	s.pendingR0 = p.Ret == helpers.RetPtrToMapValueOrNull || p.Ret == helpers.RetPtrToAllocMemOrNull
	return nil
}

// reads reports whether any of the n bytes at addr holds address bits.
func (s *sanitizer) reads(m *machine, addr, n uint64) bool {
	if i := addr - (m.top - stackBytes); i < stackBytes {
		for _, b := range s.stack[i : i+min(n, stackBytes-i)] {
			if b != 0 {
				return true
			}
		}
		return false
	}
	return s.field(addr, n) >= 0
}

// clearStack notes that a helper wrote n bytes of data at addr.
func (s *sanitizer) clearStack(m *machine, addr, n uint64) {
	if i := addr - (m.top - stackBytes); i < stackBytes {
		clear(s.stack[i : i+min(n, stackBytes-i)])
		return
	}
	s.overwrite(addr, n)
}

// sanitize makes p, compiled checked, a sanitized program.
func (p *Program) sanitize(opts Options) error {
	sp := &sanProgram{protos: opts.Helpers, fields: opts.CtxPointers}
	if sp.protos == nil {
		sp.protos = builtinProtos()
	}
	for _, f := range opts.CtxPointers {
		if f.Off < 0 || f.Size <= 0 || f.Object < 0 || f.Object >= maxFieldObjects {
			return fmt.Errorf("interp: context pointer field at offset %d, size %d, object %d: out of range", f.Off, f.Size, f.Object)
		}
	}
	if len(opts.CtxPointers) > 32 {
		return fmt.Errorf("interp: %d context pointer fields, at most 32", len(opts.CtxPointers))
	}
	p.san = sp
	return nil
}
