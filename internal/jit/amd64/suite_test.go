package amd64_test

import (
	"path/filepath"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/internal/testutil"
)

// TestSuiteVariants runs the conformance suite's programs on the JIT's
// variants that the root API does not offer, constant blinding and no
// budget countdown (the root API's engines run it in package
// conformance). Each program the verifier accepts must return what the
// test expects.
func TestSuiteVariants(t *testing.T) {
	if !amd64.Supported {
		t.Skip("no JIT here")
	}
	dir := testutil.SharedDir(t, "conformance", "bpf_conformance", "tests")
	paths, err := filepath.Glob(filepath.Join(dir, "*.data"))
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []amd64.Options{{Blind: true}, {Bounded: true}} {
		ran := 0
		for _, path := range paths {
			tc, err := conformance.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			p, err := conformance.Program(tc)
			if err != nil || !tc.HasResult {
				continue
			}
			verified, rejected, err := conformance.NewProgram(tc.Name, p, tc.Input(), gbpf.EngineInterpreter)
			if err != nil {
				t.Fatal(err)
			}
			verified.Close()
			if rejected != nil {
				continue // the JIT runs only what the verifier accepts
			}
			prog, err := amd64.Compile(p, opts)
			if err != nil {
				t.Errorf("%+v: %s: %v", opts, tc.Name, err)
				continue
			}
			r0, err := testutil.RunSuite(prog, tc.Input())
			prog.Close()
			if err != nil || r0 != tc.Result {
				t.Errorf("%+v: %s: r0 = %#x, %v; want %#x", opts, tc.Name, r0, err, tc.Result)
			}
			ran++
		}
		if ran < 290 {
			t.Errorf("%+v: %d programs ran", opts, ran)
		}
	}
}
