package gbpf_test

import (
	"errors"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

// TestUnverifiedPrograms loads programs that touch memory outside their
// stack (sandbox finding F10) through the API: every engine refuses them
// with the verifier's error, and Checked runs them only on the checked
// interpreter, which stops them at the same instruction.
func TestUnverifiedPrograms(t *testing.T) { testutil.RunUnverified(t, loadUnverified) }

func loadUnverified(t *testing.T, u testutil.Unverified) {
	p, err := asm.Assemble(u.Asm)
	if err != nil {
		t.Fatal(err)
	}
	spec := single(progtype.Raw, 0, p.Insns...)
	stops := u.Stops()
	for _, e := range []gbpf.Engine{gbpf.EngineDefault, gbpf.EngineInterpreter, gbpf.EngineJIT} {
		coll, err := gbpf.NewCollection(spec, &gbpf.Options{Engine: e})
		var ve *verifier.Error
		if !errors.As(err, &ve) {
			if coll != nil {
				coll.Close()
			}
			t.Fatalf("engine %v: %v, want a verifier error", e, err)
		}
		if err := stops.Reject(ve.Insn); err != nil {
			t.Errorf("engine %v: %v", e, err)
		}
	}
	for _, e := range []gbpf.Engine{gbpf.EngineDefault, gbpf.EngineInterpreter} {
		coll, err := gbpf.NewCollection(spec, &gbpf.Options{Engine: e, Checked: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = coll.Programs["prog"].Run(nil)
		coll.Close()
		var f *engine.Fault
		if !errors.As(err, &f) || !errors.Is(err, engine.ErrMemory) {
			t.Errorf("checked on engine %v: %v, want a memory fault", e, err)
		} else if err := stops.Stop(f.PC); err != nil {
			t.Errorf("checked on engine %v: %v", e, err)
		}
	}
	if _, err := gbpf.NewCollection(spec, &gbpf.Options{Engine: gbpf.EngineJIT, Checked: true}); !errors.Is(err, gbpf.ErrNotSupported) {
		t.Errorf("checked on the JIT: %v, want ErrNotSupported", err)
	}
}
