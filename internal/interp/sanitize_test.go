package interp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
)

// sanRig is the world of a sanitized test run: two array maps (4-byte
// keys, 8-byte values) that map_idx 0 and 1 name, a context whose first
// two 4-byte fields point at the start and the end of a packet, and the
// builtin helpers.
type sanRig struct {
	maps   []maps.Map
	ctx    *engine.Block
	pkt    *engine.Block
	st     *helpers.State
	env    *engine.Env
	fields []PtrField
}

func newSanRig(t *testing.T) *sanRig {
	t.Helper()
	r := &sanRig{st: &helpers.State{Checked: true}}
	for i := 0; i < 2; i++ {
		m, err := maps.New(&maps.Spec{Name: "m", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 2, SpinLockOffset: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		r.maps = append(r.maps, m)
	}
	var err error
	if r.ctx, err = engine.AllocLow(64); err != nil {
		t.Fatal(err)
	}
	if r.pkt, err = engine.AllocLow(64); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.ctx.Free(); r.pkt.Free() })
	engine.Store32(r.ctx.Addr(), r.pkt.Addr())
	engine.Store32(r.ctx.Addr()+4, r.pkt.Addr()+32)
	r.fields = []PtrField{{Off: 0, Size: 4}, {Off: 4, Size: 4}}
	r.env = &engine.Env{Helpers: helpers.Linux().Table(), Host: r.st, Budget: 1 << 20}
	return r
}

// compile assembles src, resolves its map references and compiles it
// checked and sanitized.
func (r *sanRig) compile(t *testing.T, src string) *Program {
	t.Helper()
	p, err := asm.Assemble(src)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(p.Insns); i++ {
		ins := p.Insns[i]
		if !ins.IsLdImm64() {
			continue
		}
		var v uint64
		switch ins.Src {
		case isa.PseudoMapIdx:
			v = maps.Handle(r.maps[ins.Imm])
		case isa.PseudoMapIdxValue:
			v = r.maps[ins.Imm].LookupElem(make([]byte, 4), 0) + uint64(uint32(p.Insns[i+1].Imm))
		default:
			i++
			continue
		}
		pair := isa.LdImm64(ins.Dst, v)
		p.Insns[i], p.Insns[i+1] = pair[0], pair[1]
		i++
	}
	pr, err := Compile(p, Options{Sanitize: true, CtxPointers: r.fields})
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// run runs pr with r1 at the context.
func (r *sanRig) run(pr *Program) (uint64, error) {
	r.env.Regions = append(r.env.Regions[:0],
		r.ctx.Region(true),
		engine.Region{Start: r.pkt.Addr(), End: r.pkt.Addr() + 32, Writable: true})
	for _, m := range r.maps {
		r.env.Regions = append(r.env.Regions, m.(interface{ Memory() []engine.Region }).Memory()...)
	}
	r.st.Begin(r.env, r.ctx.Addr())
	r0, err := pr.Run(r.env, r.ctx.Addr(), 64)
	r.st.End()
	if err == nil {
		err = r.st.Err()
	}
	return r0, err
}

// TestSanitizeLeaks runs one program per kind of leak: each must end with
// engine.ErrLeak at the instruction that leaks.
func TestSanitizeLeaks(t *testing.T) {
	r := newSanRig(t)
	tests := []struct {
		name, src string
		pc        int
		msg       string
	}{
		{"stack address returned", "mov %r0, %r10\nexit", 1, "r0 holds a stack address"},
		{"context address returned", "mov %r0, %r1\nadd %r0, 8\nexit", 2, "at exit"},
		{"packet address returned", "ldxw %r0, [%r1+0]\nexit", 1, "packet address"},
		{"map value address returned", "lddw %r0, map_idx_value 0, 0\nexit", 2, "at exit"},
		{"map returned", "lddw %r0, map_idx 1\nexit", 2, "an address"},
		{"lookup result returned", "stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, map_idx 0\ncall 1\nexit", 6, "at exit"},
		{"partial spill", "stxdw [%r10-8], %r10\nstb [%r10-8], 0\nldxdw %r0, [%r10-8]\nexit", 3, "address bits"},
		{"narrow fill", "stxdw [%r10-8], %r10\nldxw %r0, [%r10-4]\nexit", 2, "address bits"},
		{"misaligned fill", "stxdw [%r10-16], %r10\nstxdw [%r10-8], %r10\nldxdw %r0, [%r10-12]\nexit", 3, "address bits"},
		{"narrow packet pointer load", "ldxh %r0, [%r1+0]\nexit", 1, "address bits"},
		{"address stored in a map value", "lddw %r1, map_idx_value 0, 0\nstxdw [%r1+0], %r10\nmov %r0, 0\nexit", 2, "outside the stack"},
		{"address stored in the context", "stxw [%r1+8], %r10\nmov %r0, 0\nexit", 0, "outside the stack"},
		{"address bits stored in the packet", "stxdw [%r10-8], %r10\nldxb %r2, [%r10-8]\nldxw %r3, [%r1+0]\nstxb [%r3+0], %r2\nmov %r0, 0\nexit", 3, "address bits"},
		{"atomic xchg into a map value", "lddw %r1, map_idx_value 0, 0\nmov %r2, %r10\nlock xchg [%r1+0], %r2\nmov %r0, 0\nexit", 3, "outside the stack"},
		{"atomic fetch of a spilled pointer", "stxdw [%r10-8], %r10\nmov %r1, 0\nlock fetch add [%r10-8], %r1\nmov %r0, %r1\nexit", 4, "at exit"},
		{"atomic add into a spilled pointer", "stxdw [%r10-8], %r10\nmov %r1, 1\nlock add [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit", 4, "address bits"},
		{"cmpxchg with a spilled pointer", "stxdw [%r10-8], %r10\nmov %r0, 0\nmov %r1, 0\nlock cmpxchg [%r10-8], %r1\nexit", 3, "cmpxchg"},
		{"pointer compared with a scalar", "lddw %r2, 0x7f0000000000\nmov %r0, 0\njle %r10, %r2, +1\nmov %r0, 1\nexit", 3, "compares"},
		{"pointer compared with a constant", "mov %r0, 0\njgt %r10, 4096, +1\nmov %r0, 1\nexit", 1, "constant"},
		{"signed test against zero", "mov %r0, 0\njsgt %r10, 0, +1\nmov %r0, 1\nexit", 1, "compares"},
		{"32-bit pointer comparison", "ldxw %r2, [%r1+0]\nldxw %r3, [%r1+4]\nmov %r0, 0\njlt32 %r2, %r3, +1\nmov %r0, 1\nexit", 3, "compares"},
		{"pointers into different objects compared", "mov %r2, %r10\nmov %r0, 0\njlt %r1, %r2, +1\nmov %r0, 1\nexit", 2, "compares"},
		{"address bits compared", "stxdw [%r10-8], %r10\nldxb %r2, [%r10-8]\nmov %r0, 0\njeq %r2, 0, +1\nmov %r0, 1\nexit", 3, "address bits"},
		{"pointer minus pointer of different maps", "lddw %r1, map_idx_value 0, 0\nlddw %r2, map_idx_value 1, 0\nsub %r1, %r2\nmov %r0, %r1\nexit", 4, "different objects"},
		{"stack minus context", "mov %r0, %r10\nsub %r0, %r1\nexit", 1, "different objects"},
		{"scalar minus pointer", "mov %r0, 0\nsub %r0, %r10\nexit", 1, "computes"},
		{"pointer plus pointer", "mov %r0, %r10\nadd %r0, %r1\nexit", 1, "adds"},
		{"pointer times a constant", "mov %r0, %r10\nmul %r0, 3\nexit", 1, "mul"},
		{"pointer masked", "mov %r0, %r10\nand %r0, 4095\nexit", 1, "and"},
		{"pointer shifted", "mov %r0, %r10\nrsh %r0, 12\nexit", 1, "rsh"},
		{"pointer negated", "mov %r0, %r10\nneg %r0\nexit", 1, "neg"},
		{"32-bit copy of a pointer", "mov32 %r0, %r10\nexit", 0, "copies part"},
		{"32-bit add to a pointer", "mov %r0, %r10\nadd32 %r0, 1\nexit", 1, "add32"},
		{"byte swap of a pointer", "mov %r0, %r10\nbe64 %r0\nexit", 1, "byte swap"},
		{"sign extension of a pointer", "movsx3264 %r0, %r10\nexit", 0, "movsx"},
		{"address bits as a pointer offset", "stxdw [%r10-8], %r10\nldxb %r2, [%r10-8]\nand %r2, 7\nlddw %r3, map_idx_value 0, 0\nadd %r3, %r2\nldxb %r0, [%r3+0]\nexit", 5, "adds address bits"},
		{"pointer as a scalar helper argument", "mov %r1, %r10\ncall 7\nmov %r1, %r10\nmov %r2, 0\nmov %r3, 0\nmov %r4, 0\ncall 181\nexit", 6, "loop"},
		{"map value holding a spilled pointer", "stxdw [%r10-8], %r10\nstw [%r10-12], 0\nlddw %r1, map_idx 0\nmov %r2, %r10\nadd %r2, -12\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 0\ncall 2\nmov %r0, 0\nexit", 9, "map_update_elem reads"},
		{"key holding address bits", "stxdw [%r10-8], %r10\nlddw %r1, map_idx 0\nmov %r2, %r10\nadd %r2, -8\ncall 1\nmov %r0, 0\nexit", 5, "map_lookup_elem reads"},
		{"probe_read of a spilled pointer", "stxdw [%r10-8], %r10\nmov %r1, %r10\nadd %r1, -16\nmov %r2, 8\nmov %r3, %r10\nadd %r3, -8\ncall 113\nldxdw %r0, [%r10-16]\nexit", 6, "probe_read_kernel reads"},
		{"callback returns its context", "mov %r1, 2\nlddw %r2, func cb\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 0\ncall 181\nmov %r0, 0\nexit\ncb:\nmov %r0, %r2\nexit", 10, "at exit"},
		{"callee-saved pointer restored", "mov %r6, %r10\ncall local f\nmov %r0, %r6\nexit\nf:\nmov %r6, 0\nmov %r0, 0\nexit", 3, "at exit"},
		{"pointer returned by a subprogram", "call local f\nexit\nf:\nmov %r0, %r10\nexit", 1, "at exit"},
		{"load across two pointer fields", "ldxdw %r0, [%r1+0]\nexit", 1, "address bits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr := r.compile(t, tt.src)
			_, err := r.run(pr)
			f := wantFault(t, err, engine.ErrLeak, tt.pc)
			if !strings.Contains(f.Msg, tt.msg) {
				t.Errorf("message %q does not say %q", f.Msg, tt.msg)
			}
		})
	}
}

// TestSanitizeLegitimate runs programs that use addresses the way
// verified programs do, with no leak: none may be flagged, and each must
// return what the checked interpreter returns.
func TestSanitizeLegitimate(t *testing.T) {
	r := newSanRig(t)
	tests := []struct {
		name, src string
		want      uint64
	}{
		{"packet length", "ldxw %r2, [%r1+0]\nldxw %r3, [%r1+4]\nsub %r3, %r2\nmov %r0, %r3\nexit", 32},
		{"bounds check then load", "ldxw %r2, [%r1+0]\nldxw %r3, [%r1+4]\nmov %r4, %r2\nadd %r4, 8\nmov %r0, 7\njgt %r4, %r3, +1\nldxdw %r0, [%r2+0]\nexit", 0},
		{"packet offset compared", "ldxw %r2, [%r1+0]\nldxw %r3, [%r1+4]\nmov %r4, %r3\nsub %r4, %r2\nmov %r0, 0\njlt %r4, 16, +1\nmov %r0, 1\nexit", 1},
		{"stack offset of a pointer", "mov %r2, %r10\nadd %r2, -24\nmov %r0, %r10\nsub %r0, %r2\nexit", 24},
		{"spill and fill", "mov %r2, %r10\nadd %r2, -8\nstxdw [%r10-16], %r2\nstdw [%r10-8], 5\nldxdw %r3, [%r10-16]\nldxdw %r0, [%r3+0]\nexit", 5},
		{"spill overwritten with data", "stxdw [%r10-8], %r10\nstdw [%r10-8], 3\nldxdw %r0, [%r10-8]\nexit", 3},
		{"partial overwrite of data", "stdw [%r10-8], 0\nstb [%r10-8], 9\nldxdw %r0, [%r10-8]\nexit", 9},
		{"null check of a lookup", "stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, map_idx 0\ncall 1\nmov %r6, 0\njeq %r0, 0, +2\nmov %r6, 1\nldxdw %r7, [%r0+0]\nmov %r0, %r6\nexit", 1},
		{"jne against zero", "mov %r0, 0\njne %r10, 0, +1\nmov %r0, 1\nexit", 0},
		{"map update from the stack", "stdw [%r10-8], 42\nstw [%r10-12], 1\nlddw %r1, map_idx 0\nmov %r2, %r10\nadd %r2, -12\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 0\ncall 2\nexit", 0},
		{"same map value pointers subtracted", "lddw %r1, map_idx_value 0, 0\nlddw %r2, map_idx_value 0, 4\nsub %r2, %r1\nmov %r0, %r2\nexit", 4},
		{"data after an atomic on data", "stdw [%r10-8], 1\nmov %r1, 2\nlock fetch add [%r10-8], %r1\nldxdw %r0, [%r10-8]\nadd %r0, %r1\nexit", 4},
		{"helper output overwrites a spill", "stxdw [%r10-8], %r10\nmov %r1, %r10\nadd %r1, -8\nmov %r2, 8\nlddw %r3, map_idx_value 0, 0\ncall 113\nldxdw %r0, [%r10-8]\nexit", 0},
		{"xchg of a spilled pointer", "stxdw [%r10-8], %r10\nmov %r1, 0\nlock xchg [%r10-8], %r1\nldxdw %r0, [%r1-8]\nldxdw %r0, [%r10-8]\nexit", 0},
		{"loop callback uses its context", "stdw [%r10-8], 0\nmov %r1, 3\nlddw %r2, func cb\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 0\ncall 181\nldxdw %r0, [%r10-8]\nexit\ncb:\nldxdw %r3, [%r2+0]\nadd %r3, 2\nstxdw [%r2+0], %r3\nmov %r0, 0\nexit", 6},
		{"subprogram gets a stack pointer", "stdw [%r10-8], 4\nmov %r1, %r10\nadd %r1, -8\nmov %r6, %r10\ncall local f\nldxdw %r0, [%r6-8]\nexit\nf:\nldxdw %r0, [%r1+0]\nmov %r6, 1\nexit", 4},
		{"context field overwritten with data", "stw [%r1+0], 5\nldxw %r0, [%r1+0]\nexit", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr := r.compile(t, tt.src)
			got, err := r.run(pr)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("r0 = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestSanitizeSandboxLeaks runs the shared sandbox findings that leak an
// address (F4-F9) sanitized: each must be caught at the instruction that
// leaks. leak_varoff_read.s reads the spilled pointer on about half of
// its runs (its offset is random), so it runs until caught.
func TestSanitizeSandboxLeaks(t *testing.T) {
	dir := testutil.SharedDir(t, "sandbox")
	want := map[string]int{
		"leak_atomic_fetch.s":  4, // exit: r0 holds the fetched pointer
		"leak_helper_stack.s":  9, // map_update_elem reads the spilled fp
		"leak_partial_spill.s": 3, // exit: r0 holds 7 bytes of fp
		"leak_ptr_sub.s":       4, // sub of two maps' value pointers
		"leak_ptrcmp.s":        3, // jle r10, r2
		"leak_varoff_read.s":   9, // exit: r0 holds the spilled fp
	}
	paths, err := filepath.Glob(filepath.Join(dir, "leak_*.s"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no leak_*.s in %s: %v", dir, err)
	}
	r := newSanRig(t)
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			pc, ok := want[name]
			if !ok {
				t.Fatalf("a new sandbox file: say where it leaks")
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			pr := r.compile(t, string(src))
			for i := 0; i < 64; i++ {
				_, err := r.run(pr)
				if err == nil {
					continue
				}
				f := wantFault(t, err, engine.ErrLeak, pc)
				t.Logf("run %d: %v", i, f)
				return
			}
			t.Fatal("64 runs and no leak found")
		})
	}
}

// TestSanitizeOptions checks that bad context pointer fields are an
// error, and that a sanitized program is checked.
func TestSanitizeOptions(t *testing.T) {
	p := prog(mov64(r0, 0), exit())
	for _, f := range []PtrField{{Off: -1, Size: 4}, {Off: 0, Size: 0}, {Off: 0, Size: 4, Object: maxFieldObjects}} {
		if _, err := Compile(p, Options{Sanitize: true, CtxPointers: []PtrField{f}}); err == nil {
			t.Errorf("field %+v accepted", f)
		}
	}
	pr, err := Compile(prog(ldx(dw, r0, r10, 0), exit()), Options{Sanitize: true})
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Checked() {
		t.Error("a sanitized program is not checked")
	}
	_, err = pr.Run(nil, 0, 0)
	if !errors.Is(err, engine.ErrMemory) {
		t.Errorf("read above the stack: %v, want a memory fault", err)
	}
}

// BenchmarkSanitize runs a loop over the stack and an input (loads,
// stores, a spill, local calls) checked and sanitized: the sanitizer's
// cost per run.
func BenchmarkSanitize(b *testing.B) {
	mem := newBlock(b, make([]byte, 64))
	env := &engine.Env{Regions: []engine.Region{mem.Region(true)}}
	for _, m := range modes[1:] {
		b.Run(m.name, func(b *testing.B) {
			pr, err := Compile(sumProgram, m.opts)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := pr.Run(env, mem.Addr(), 64); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSanitizeRegionAtStackTop checks that an address in a region that
// starts where the stack ends is the region's, not the stack's: its
// difference with r10 is a leak.
func TestSanitizeRegionAtStackTop(t *testing.T) {
	m, err := getMachine()
	if err != nil {
		t.Fatal(err)
	}
	defer putMachine(m, 0, true)
	pr, err := Compile(prog(lddw(r1, m.top), mov64x(r0, r10), aluX(a64, isa.Sub, r0, r1), exit()), Options{Sanitize: true})
	if err != nil {
		t.Fatal(err)
	}
	env := &engine.Env{Regions: []engine.Region{{Start: m.top, End: m.top + 64}}}
	m.maxDepth, m.lo = 0, m.top-engine.StackSize
	m.sanBegin(pr, env, 0, 0)
	_, err = pr.exec(m, env, 0, 0)
	wantFault(t, err, engine.ErrLeak, 3)
}
