package verifier

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// runner runs verified programs in the checked interpreter with the leak
// sanitizer: any access outside the memory the program may touch faults,
// any address that becomes data is a leak (engine.ErrLeak), and either in
// an accepted program is a verifier bug.
type runner struct {
	ctx    *engine.Block // context or Raw input
	pkt    *engine.Block // packet (XDP, tc)
	set    *helpers.Set
	maps   []maps.Map
	region []engine.Region
	tails  map[progtype.Type]*interp.Program // tail call targets
}

func newRunner(t testing.TB) *runner {
	ctx, err := engine.AllocLow(4096)
	if err != nil {
		t.Fatal(err)
	}
	pkt, err := engine.AllocLow(4096)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctx.Free(); pkt.Free() })
	return &runner{ctx: ctx, pkt: pkt, set: helpers.Linux(), tails: map[progtype.Type]*interp.Program{}}
}

// compile compiles p, a program of type t the verifier accepted, checked
// and, unless it was verified with the privileged rules (which let
// programs leak addresses), sanitized.
func (r *runner) compile(p isa.Program, t progtype.Type, privileged bool) (*interp.Program, error) {
	if privileged {
		return interp.Compile(p, interp.Options{Checked: true})
	}
	return interp.Compile(p, interp.Options{Sanitize: true, Helpers: r.set, CtxPointers: ctxPointers(t)})
}

// ctxPointers returns the pointer fields of t's context, for the
// sanitizer: the packet's data, data_end and data_meta, one object.
func ctxPointers(t progtype.Type) []interp.PtrField {
	in, ok := progtype.Lookup(t)
	if !ok {
		return nil
	}
	var fs []interp.PtrField
	for _, f := range in.Fields {
		if f.Kind != progtype.Scalar {
			fs = append(fs, interp.PtrField{Off: f.Off, Size: f.Size})
		}
	}
	return fs
}

// tailTarget returns the program that slot 0 of every program array holds
// for runs of type t: it reads the context and returns data, as the
// programs a tail call reaches (of the caller's type) do.
func (r *runner) tailTarget(t progtype.Type) (*interp.Program, error) {
	if p, ok := r.tails[t]; ok {
		return p, nil
	}
	src := "ldxb %r0, [%r1+0]\nexit"
	switch t {
	case progtype.XDP:
		src = "ldxw %r2, [%r1+0]\nldxw %r3, [%r1+4]\nsub %r3, %r2\nldxw %r0, [%r1+12]\nadd %r0, %r3\nexit"
	case progtype.SocketFilter, progtype.SchedCLS:
		src = "ldxw %r0, [%r1+0]\nexit"
	}
	p, err := asm.Assemble(src)
	if err != nil {
		return nil, err
	}
	ctx := 0
	if t == progtype.Raw || t == progtype.Tracepoint {
		ctx = 8
	}
	if _, err := Verify(p, Options{Type: t, CtxSize: ctx}); err != nil {
		return nil, fmt.Errorf("tail call target for %v: %w", t, err)
	}
	pr, err := r.compile(p, t, false)
	if err != nil {
		return nil, err
	}
	r.tails[t] = pr
	return pr, nil
}

// prepare creates the maps and resolves the program's map references the
// way the loader does: map handles and value addresses.
func (r *runner) prepare(p isa.Program, specs []*maps.Spec) (isa.Program, error) {
	for _, m := range r.maps {
		m.Close()
	}
	r.maps = r.maps[:0]
	for _, s := range specs {
		m, err := maps.New(s)
		if err != nil {
			return p, err
		}
		r.maps = append(r.maps, m)
	}
	out := isa.Program{Insns: append([]isa.Instruction(nil), p.Insns...)}
	for i := 0; i < len(out.Insns); i++ {
		ins := out.Insns[i]
		if !ins.IsLdImm64() {
			continue
		}
		var v uint64
		switch ins.Src {
		case isa.PseudoMapIdx, isa.PseudoMapFD:
			v = maps.Handle(r.maps[ins.Imm])
		case isa.PseudoMapIdxValue, isa.PseudoMapValue:
			m := r.maps[ins.Imm]
			key := make([]byte, m.Spec().KeySize)
			addr := m.LookupElem(key, 0)
			if addr == 0 {
				return p, fmt.Errorf("no value for direct access")
			}
			v = addr + uint64(uint32(out.Insns[i+1].Imm))
		default:
			i++
			continue
		}
		pair := isa.LdImm64(ins.Dst, v)
		out.Insns[i], out.Insns[i+1] = pair[0], pair[1]
		i++
	}
	return out, nil
}

// fill builds a context for a program of type t from rnd: random scalar
// fields, a packet of random length, and returns r1 and r2.
func (r *runner) fill(t progtype.Type, ctxSize int, rnd *rand.Rand) (uint64, uint64) {
	cb := r.ctx.Bytes()
	for i := range cb {
		cb[i] = byte(rnd.Uint32())
	}
	pb := r.pkt.Bytes()
	for i := range pb[:256] {
		pb[i] = byte(rnd.Uint32())
	}
	plen := uint64(rnd.IntN(96))
	data := r.pkt.Addr() + 64
	r.region = r.region[:0]
	ctxLen := ctxSize
	if in, ok := progtype.Lookup(t); ok && ctxLen == 0 {
		ctxLen = in.CtxSize
	}
	switch t {
	case progtype.XDP:
		ctxLen = progtype.XDPMdSize
		binary.LittleEndian.PutUint32(cb[0:], uint32(data))
		binary.LittleEndian.PutUint32(cb[4:], uint32(data+plen))
		binary.LittleEndian.PutUint32(cb[8:], uint32(data))
		r.region = append(r.region, engine.Region{Start: data, End: data + plen, Writable: true})
	case progtype.SocketFilter, progtype.SchedCLS:
		ctxLen = progtype.SkBuffSize
		binary.LittleEndian.PutUint32(cb[progtype.SkBuffLen:], uint32(plen))
		binary.LittleEndian.PutUint32(cb[progtype.SkBuffData:], uint32(data))
		binary.LittleEndian.PutUint32(cb[progtype.SkBuffDataEnd:], uint32(data+plen))
		binary.LittleEndian.PutUint32(cb[progtype.SkBuffDataMeta:], uint32(data))
		if t == progtype.SchedCLS {
			r.region = append(r.region, engine.Region{Start: data, End: data + plen, Writable: true})
		}
	case progtype.Kprobe:
		ctxLen = progtype.PtRegsSize
	}
	writable := t == progtype.Raw || t == progtype.SocketFilter || t == progtype.SchedCLS
	r.region = append(r.region, engine.Region{Start: r.ctx.Addr(), End: r.ctx.Addr() + uint64(ctxLen), Writable: writable})
	for _, m := range r.maps {
		if mm, ok := m.(interface{ Memory() []engine.Region }); ok {
			r.region = append(r.region, mm.Memory()...)
		}
	}
	return r.ctx.Addr(), uint64(ctxLen)
}

// run executes p once, and the programs it tail-calls (slot 0 of a
// program array holds r.tailTarget(t)); a fault or a leak is returned as
// an error.
func (r *runner) run(prog *interp.Program, t progtype.Type, ctxSize int, rnd *rand.Rand) error {
	r1, r2 := r.fill(t, ctxSize, rnd)
	for _, m := range r.maps {
		if pa, ok := m.(*maps.ProgArrayMap); ok {
			tp, err := r.tailTarget(t)
			if err != nil {
				return err
			}
			if err := pa.SetProgram(0, tp); err != nil {
				return err
			}
		}
	}
	st := &helpers.State{Checked: true}
	env := &engine.Env{Helpers: r.set.Table(), Regions: append([]engine.Region(nil), r.region...), Host: st, Budget: 1 << 24}
	st.Begin(env, r1)
	_, err := prog.Run(env, r1, r2)
	for err == nil && st.Err() == nil {
		next, ok := st.TailCall().(*interp.Program)
		if !ok {
			break
		}
		_, err = next.Run(env, r1, r2)
	}
	st.End()
	if err == nil {
		err = st.Err()
	}
	if errors.Is(err, engine.ErrBudget) {
		return nil
	}
	return err
}

// TestCorpusRuns runs every accepted corpus program on random inputs in
// the checked interpreter, sanitized unless the case is privileged.
func TestCorpusRuns(t *testing.T) {
	r := newRunner(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	runs, progs := 0, 0
	for _, c := range loadCorpus(t) {
		if !c.accept {
			continue
		}
		p := c.program(t)
		if _, err := Verify(p, c.options()); err != nil {
			continue // TestCorpus reports it
		}
		if usesLdAbs(p) {
			continue // the interpreter runs legacy packet loads only on packets
		}
		rp, err := r.prepare(p, c.maps)
		if err != nil {
			t.Logf("%s:%d: skipped: %v", c.file, c.line, err)
			continue
		}
		prog, err := r.compile(rp, c.typ, c.options().Privileged)
		if err != nil {
			t.Errorf("%s:%d: compile: %v", c.file, c.line, err)
			continue
		}
		progs++
		for i := 0; i < 20; i++ {
			if err := r.run(prog, c.typ, c.ctxSize, rnd); err != nil {
				t.Errorf("%s:%d %q: accepted program fails: %v", c.file, c.line, c.name, err)
				break
			}
			runs++
		}
	}
	t.Logf("ran %d accepted corpus programs %d times, sanitized unless privileged", progs, runs)
}

func usesLdAbs(p isa.Program) bool {
	for _, ins := range p.Insns {
		if m := ins.Op.Mode(); ins.Op.Class() == isa.ClassLD && (m == isa.ModeABS || m == isa.ModeIND) {
			return true
		}
	}
	return false
}
