package engines

import (
	"errors"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

var raw = verifier.Options{Type: progtype.Raw}

func mustVerify(t *testing.T, src string) *Verified {
	t.Helper()
	p, err := asm.Assemble(src)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(p, raw)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEveryEngineRuns(t *testing.T) {
	v := mustVerify(t, "mov %r0, 6\nmul %r0, 7\nexit\n")
	for _, name := range append(Names(), "") {
		e, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		code, err := e.Compile(v)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		if r0, err := code.Run(nil, 0, 0); err != nil || r0 != 42 {
			t.Errorf("%s: r0 %d, %v", e.Name, r0, err)
		}
		code.Close()
	}
}

func TestLookupUnknown(t *testing.T) {
	if _, err := Lookup("sideways"); err == nil || !strings.Contains(err.Error(), "interp-checked") {
		t.Errorf("unknown engine: %v", err)
	}
}

// TestCompileNeedsVerified checks that no engine compiles without a proof.
func TestCompileNeedsVerified(t *testing.T) {
	for _, e := range All() {
		if _, err := e.Compile(nil); err == nil {
			t.Errorf("%s compiled a nil *Verified", e.Name)
		}
	}
	if _, err := (Engine{}).Compile(mustVerify(t, "mov %r0, 0\nexit\n")); err == nil {
		t.Error("the zero Engine compiled a program")
	}
}

// TestVerifiedIsACopy checks that changing a program after it was
// verified, or inside an engine's compiler, does not change what runs.
func TestVerifiedIsACopy(t *testing.T) {
	p, err := asm.Assemble("mov %r0, 1\nexit\n")
	if err != nil {
		t.Fatal(err)
	}
	v, err := Verify(p, raw)
	if err != nil {
		t.Fatal(err)
	}
	// Now an unsafe program: r0 = *(u64 *)(r10 + 8), above the frame.
	p.Insns[0] = isa.Instruction{Op: isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, isa.SizeDW), Dst: isa.R0, Src: isa.R10, Off: 8}
	vandal := New("vandal", func(q isa.Program) (engine.Program, error) {
		q.Insns[0] = p.Insns[0]
		return CompileUnverified(q)
	})
	if _, err := vandal.Compile(v); err != nil {
		t.Fatal(err)
	}
	for _, name := range Names() {
		e, _ := Lookup(name)
		code, err := e.Compile(v)
		if err != nil {
			t.Fatal(err)
		}
		if r0, err := code.Run(nil, 0, 0); err != nil || r0 != 1 {
			t.Errorf("%s: r0 %#x, %v; want the verified program's 1", name, r0, err)
		}
		code.Close()
	}
}

// TestUnverified checks that programs touching memory outside their stack
// (sandbox finding F10) get no proof, so that no engine but the checked
// interpreter can run them, and that the checked interpreter stops each at
// the instruction the verifier names.
func TestUnverified(t *testing.T) {
	testutil.RunUnverified(t, func(t *testing.T, u testutil.Unverified) {
		p, err := asm.Assemble(u.Asm)
		if err != nil {
			t.Fatal(err)
		}
		v, err := Verify(p, raw)
		var ve *verifier.Error
		if v != nil || !errors.As(err, &ve) {
			t.Fatalf("Verify = %v, %v; want a *verifier.Error", v, err)
		}
		stops := u.Stops()
		if err := stops.Reject(ve.Insn); err != nil {
			t.Error(err)
		}
		code, err := CompileUnverified(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = code.Run(&engine.Env{}, 0, 0)
		code.Close()
		var f *engine.Fault
		if !errors.As(err, &f) || !errors.Is(err, engine.ErrMemory) {
			t.Errorf("checked run = %v, want a memory fault", err)
		} else if err := stops.Stop(f.PC); err != nil {
			t.Error(err)
		}
	})
}
