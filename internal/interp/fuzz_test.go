package interp

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
)

// fuzzGuard is the number of canary bytes on each side of the fuzzed
// program's memory.
const fuzzGuard = 256

// FuzzChecked runs arbitrary bytes as a program in checked mode, with a
// budget, helpers, a writable region and a read-only one. It must never
// panic, end only with the engine's errors, and never write outside the
// writable region: the canaries around the regions and the read-only
// region stay intact.
func FuzzChecked(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, code []byte) {
		pr := fuzzCompile(t, code, Options{Checked: true})
		if pr != nil {
			fuzzRun(t, pr)
		}
	})
}

// FuzzSanitized is FuzzChecked with the leak sanitizer, for which a leak
// is one more way for a run to end: the sanitizer must never panic, and
// must not change what the program does to memory.
func FuzzSanitized(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, code []byte) {
		pr := fuzzCompile(t, code, Options{Sanitize: true})
		if pr != nil {
			fuzzRun(t, pr)
		}
	})
}

// FuzzModes runs arbitrary bytes in checked mode and, when that run ends
// without a fault (so every access was allowed), runs them again in
// verified mode on the same machine (same stack address) and the same
// memory: r0 and the memory afterwards must be the same.
func FuzzModes(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, code []byte) {
		checked := fuzzCompile(t, code, Options{Checked: true})
		if checked == nil {
			return
		}
		verified := fuzzCompile(t, code, Options{})
		block, err := engine.Alloc(128)
		if err != nil {
			t.Fatal(err)
		}
		defer block.Free()
		m, err := getMachine()
		if err != nil {
			t.Fatal(err)
		}
		defer putMachine(m, engine.MaxCallDepth-1, true)
		var r0 [2]uint64
		var mem [2][]byte
		for i, pr := range []*Program{checked, verified} {
			for j := range block.Bytes() {
				block.Bytes()[j] = byte(j)
			}
			clear(m.stack.Bytes())
			m.depth, m.maxDepth, m.lo = 0, 0, m.top-engine.StackSize
			env := fuzzEnv(block.Region(true), engine.Region{})
			env.Reset()
			r0[i], err = pr.exec(m, env, block.Addr(), 128)
			if err != nil {
				if i == 0 {
					return // a fault in checked mode: not safe to run unchecked
				}
				t.Fatalf("verified mode: %v", err)
			}
			mem[i] = bytes.Clone(block.Bytes())
		}
		if r0[0] != r0[1] || !bytes.Equal(mem[0], mem[1]) {
			t.Fatalf("checked: r0 %#x, memory %x; verified: r0 %#x, memory %x", r0[0], mem[0], r0[1], mem[1])
		}
	})
}

// fuzzCompile decodes code (cut to whole slots) and compiles it, returning
// nil for programs Compile rejects, whose error must be an *isa.Error.
func fuzzCompile(t *testing.T, code []byte, opts Options) *Program {
	code = code[:len(code)/isa.InstructionSize*isa.InstructionSize]
	p, err := isa.Decode(code)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := Compile(p, opts)
	if err != nil {
		var ie *isa.Error
		if !errors.As(err, &ie) && len(p.Insns) > 0 {
			t.Fatalf("compile error is not an *isa.Error: %v", err)
		}
		return nil
	}
	return pr
}

// fuzzEnv is the environment of fuzzed runs: helpers 1 (r1+1) and 5
// (unwind), the two regions, and a small budget.
func fuzzEnv(rw, ro engine.Region) *engine.Env {
	return &engine.Env{
		Helpers: []engine.Helper{
			1: func(_ *engine.Env, r1, _, _, _, _ uint64) uint64 { return r1 + 1 },
			5: func(env *engine.Env, r1, _, _, _, _ uint64) uint64 {
				if r1 == 0 {
					env.Stop(0)
				}
				return r1
			},
		},
		Regions: []engine.Region{rw, ro},
		Budget:  10000,
	}
}

// addSeeds adds hand-written programs and, when the shared data is there,
// the programs of the conformance suite to f's corpus.
func addSeeds(f *testing.F) {
	for _, p := range []isa.Program{
		prog(mov64(r0, 1), exit()),
		prog(ldx(dw, r0, r1, 8), stx(w, r1, r0, 60), exit()),
		prog(ldx(b, r0, r2, 3), st(b, r2, 0, 1), exit()),
		prog(mov64(r0, 0), add64(r0, 1), ja(-2), exit()),
		prog(callLocal(-1), exit()),
		prog(mov64(r3, 8), atomicInsn(dw, isa.AtomicCmpXchg, r1, r3, 8), atomicInsn(w, isa.AtomicXor|isa.AtomicFetch, r10, r3, -4), exit()),
		prog(mov64(r1, 0), call(5), mov64(r2, 1), callx(r2), exit()),
		prog(st(dw, r10, -512, 7), ldx(dw, r0, r10, -520), exit()),
		prog(lddw(r0, 0x1122334455667788), signed(aluK(a64, isa.Div, r0, -1)), exit()),
	} {
		f.Add(p.Encode())
	}
	addSuiteSeeds(f)
}

// fuzzRun runs pr with r1 at 64 writable bytes and r2 at 64 read-only
// bytes, each inside guard bytes, and checks what the run may do.
func fuzzRun(t *testing.T, pr *Program) {
	block, err := engine.Alloc(4*fuzzGuard + 128)
	if err != nil {
		t.Fatal(err)
	}
	defer block.Free()
	mem := block.Bytes()
	for i := range mem {
		mem[i] = byte(i*7 + 1)
	}
	want := bytes.Clone(mem)
	rw := engine.Region{Start: block.Addr() + fuzzGuard, End: block.Addr() + fuzzGuard + 64, Writable: true}
	ro := engine.Region{Start: block.Addr() + 3*fuzzGuard, End: block.Addr() + 3*fuzzGuard + 64}
	env := fuzzEnv(rw, ro)
	_, err = pr.Run(env, rw.Start, ro.Start)
	if err != nil {
		var f *engine.Fault
		if !errors.As(err, &f) {
			t.Fatalf("error is not a fault: %v", err)
		}
		switch {
		case errors.Is(err, engine.ErrMemory), errors.Is(err, engine.ErrBudget),
			errors.Is(err, engine.ErrCallDepth), errors.Is(err, engine.ErrUnknownHelper),
			errors.Is(err, errLegacyPacket), errors.Is(err, engine.ErrLeak) && pr.san != nil:
		default:
			t.Fatalf("unexpected fault: %v", err)
		}
		if f.PC < 0 || f.PC >= len(pr.code) {
			t.Fatalf("fault at instruction %d of %d", f.PC, len(pr.code))
		}
	}
	// Only the writable region may change.
	copy(want[fuzzGuard:fuzzGuard+64], mem[fuzzGuard:fuzzGuard+64])
	if !bytes.Equal(mem, want) {
		for i := range mem {
			if mem[i] != want[i] {
				t.Fatalf("byte %d outside the writable region changed", i-fuzzGuard)
			}
		}
	}
}

// addSuiteSeeds adds the programs of the conformance suite, when the
// shared data is there, to f's corpus.
func addSuiteSeeds(f *testing.F) {
	for _, src := range testutil.SuiteAsm() {
		if p, err := asm.Assemble(src); err == nil {
			f.Add(p.Encode())
		}
	}
}
