package interp_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/internal/testutil"
)

// TestSanitizeConformance runs the conformance suite checked and
// sanitized: its programs compute with their input and stack addresses
// the way legitimate programs do, and none may be flagged. Each must end
// as it does in the checked interpreter.
func TestSanitizeConformance(t *testing.T) {
	dir := testutil.SharedDir(t, "conformance", "bpf_conformance", "tests")
	paths, err := filepath.Glob(filepath.Join(dir, "*.data"))
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, path := range paths {
		tc, err := conformance.Load(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		p, err := conformance.Program(tc)
		if err != nil {
			continue // a test of the assembler's errors
		}
		var r0 [2]uint64
		var errs [2]error
		for i, opts := range []interp.Options{{Checked: true}, {Sanitize: true}} {
			prog, err := interp.Compile(p, opts)
			if err != nil {
				t.Fatalf("%s: %v", tc.Name, err)
			}
			r0[i], errs[i] = testutil.RunSuite(prog, tc.Input())
		}
		if errors.Is(errs[1], engine.ErrLeak) {
			t.Errorf("%s: %v", tc.Name, errs[1])
			continue
		}
		if r0[0] != r0[1] || (errs[0] == nil) != (errs[1] == nil) {
			t.Errorf("%s: checked %#x, %v; sanitized %#x, %v", tc.Name, r0[0], errs[0], r0[1], errs[1])
		}
		ran++
	}
	if ran < 300 {
		t.Errorf("%d of the suite's programs ran; it has 313", ran)
	}
}
