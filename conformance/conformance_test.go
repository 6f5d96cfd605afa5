package conformance_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/verifier"
)

// testEngines are the engines a user can choose. (The JIT's variants,
// constant blinding and no countdown, run the suite in its own tests.)
var testEngines = append(gbpf.Engines(), gbpf.EngineDefault)

// engineNamed returns the engine called name.
func engineNamed(t *testing.T, name string) conformance.Engine {
	t.Helper()
	e, err := gbpf.ParseEngine(name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestSuite runs every test of the suite on every engine; each must pass.
func TestSuite(t *testing.T) {
	dir := testutil.SharedDir(t, "conformance", "bpf_conformance", "tests")
	for _, e := range testEngines {
		t.Run(e.String(), func(t *testing.T) {
			s, err := conformance.RunDir(dir, e, conformance.DirOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range s.Failures() {
				t.Errorf("%s: %v", f.Name, f.Err)
			}
			if s.Passed < 313 {
				t.Errorf("%s: %s; the suite has 313 tests", e.String(), s)
			}
			t.Logf("%s: %s; %s", e.String(), s, s.VerifierLine())
		})
	}
}

// TestNegative runs the suite's negative tests: each must be rejected.
func TestNegative(t *testing.T) {
	dir := testutil.SharedDir(t, "conformance", "bpf_conformance", "negative")
	for _, e := range testEngines {
		s, err := conformance.RunDir(dir, e, conformance.DirOptions{Negative: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range s.Failures() {
			t.Errorf("%s: %s: %v", e.String(), f.Name, f.Err)
		}
		if s.Passed == 0 || s.Skipped == 0 {
			t.Errorf("%s: %s", e.String(), s)
		}
		t.Logf("%s: %s", e.String(), s)
	}
}

// TestUnusedFieldsRejected checks that the upstream "unused-*" negative
// tests, which set a reserved field of an instruction, are rejected by
// isa.Validate.
func TestUnusedFieldsRejected(t *testing.T) {
	dir := testutil.SharedDir(t, "conformance", "bpf_conformance", "negative")
	paths, err := filepath.Glob(filepath.Join(dir, "unused-*.data"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no unused-* tests: %v", err)
	}
	for _, path := range paths {
		tc, err := conformance.Load(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		_, err = conformance.Program(tc)
		var ie *isa.Error
		if !errors.As(err, &ie) || ie.Index != 0 {
			t.Errorf("%s: error = %v, want isa.Validate to reject instruction 0", tc.Name, err)
		}
	}
}

// TestRunTest checks RunTest's verdicts on made-up tests.
func TestRunTest(t *testing.T) {
	e := engineNamed(t, "checked")
	tests := []struct {
		name, data string
		ok         bool
		errText    string
	}{
		{"pass", "-- asm\nmov %r0, 3\nexit\n-- result\n0x3\n", true, ""},
		{"mismatch", "-- asm\nmov %r0, 3\nexit\n-- result\n0x4\n", false, "r0 = 0x3, want 0x4"},
		{"memory", "-- asm\nldxb %r0, [%r1+1]\nadd %r0, %r2\nexit\n-- mem\n00 05 00\n-- result\n0x8\n", true, ""},
		{"unwind", "-- asm\nmov %r1, 0\ncall 5\nmov %r0, 1\nexit\n-- result\n0x0\n", true, ""},
		{"expected error", "-- asm\nmov %r0, 1\njne %r0, 1, +1\nexit\nexit\n-- error\nwill not\n", false, "expected an error"},
		{"fault", "-- asm\nldxb %r0, [%r1+0]\nexit\n-- result\n0x0\n", false, "invalid memory access"},
		{"assembly error names the file line", "# comment\n-- asm\nmov %r0, 1\nfoo %r0\nexit\n-- result\n0x0\n", false, "t.data:4:"},
		{"raw", "-- raw\n0x00000001000000b7\n0x0000000000000095\n-- result\n0x1\n", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, err := conformance.ParseData("t.data", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			err = conformance.RunTest(tc, e)
			if tt.ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.errText)) {
				t.Errorf("RunTest = %v, want ok=%v or an error containing %q", err, tt.ok, tt.errText)
			}
		})
	}
}

// TestCheckNegative checks CheckNegative's verdicts.
func TestCheckNegative(t *testing.T) {
	e := engineNamed(t, "interpreter")
	tests := []struct {
		name, data string
		rejected   bool
	}{
		{"wrong result", "-- asm\nmov %r0, 3\nexit\n-- result\n0x4\n", true},
		{"right result", "-- asm\nmov %r0, 3\nexit\n-- result\n0x3\n", false},
		{"no result means 0", "-- asm\nmov %r0, 0\nexit\n-- error\nInvalid\n", false},
		{"assembly error with the text", "-- asm\nmov %r0, 1\nfoo %r0\nexit\n-- error\nfoo\n", true},
		{"assembly error without the text", "-- asm\nmov %r0, 1\nfoo %r0\nexit\n-- error\nno such words\n", false},
		{"assembly error, no text expected", "-- asm\nfoo %r0\nexit\n-- result\n0x1\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc, err := conformance.ParseData("t.data", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			err = conformance.CheckNegative(tc, e)
			if tt.rejected != (err == nil) {
				t.Errorf("CheckNegative = %v, want rejected=%v", err, tt.rejected)
			}
		})
	}
}

// TestRunDir checks RunDir's verdicts and reports on a directory of
// made-up tests, as positive and as negative tests.
func TestRunDir(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a-pass.data":      "-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n",
		"b-wrong.data":     "-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n",
		"c-unparsed.data":  "-- frobnicate\n",
		"unused-x.data":    "-- raw\n0x0000000000000095\n-- result\n0x0\n",
		"not-a-test.txt":   "ignored",
		"d-assembly.data":  "-- asm\nbogus %r0\nexit\n-- error\nbogus\n",
		"e-asm-mixup.data": "-- asm\nbogus %r0\nexit\n-- error\nsomething else\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var log strings.Builder
	s, err := conformance.RunDir(dir, engineNamed(t, "checked"), conformance.DirOptions{Verbose: &log})
	if err != nil {
		t.Fatal(err)
	}
	// As positive tests: a, d (the expected error) and unused-x pass.
	if got := s.String(); got != "3 passed, 3 failed" {
		t.Errorf("positive: %s\n%s", got, log.String())
	}
	for _, want := range []string{"PASS a-pass\n", "FAIL b-wrong: r0 = 0x1, want 0x2\n", "FAIL c-unparsed:", "PASS d-assembly\n", "FAIL e-asm-mixup:"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log does not contain %q:\n%s", want, log.String())
		}
	}
	if len(s.Results) != 6 || len(s.Failures()) != 3 {
		t.Errorf("%d results, %d failures", len(s.Results), len(s.Failures()))
	}
	// The verifier accepts a and b; unused-x exits without setting r0,
	// which it rejects (the checked interpreter returns 0).
	if got := s.VerifierLine(); got != "2 verified ran on checked, 1 rejected by the verifier ran on checked" {
		t.Errorf("positive: %s", got)
	}

	log.Reset()
	s, err = conformance.RunDir(dir, engineNamed(t, "interpreter"), conformance.DirOptions{Negative: true, Verbose: &log})
	if err != nil {
		t.Fatal(err)
	}
	// As negative tests: a is accepted and e fails with another error
	// than expected; b, c and d are rejected; unused-x is skipped.
	if got := s.String(); got != "3 passed, 2 failed, 1 skipped" {
		t.Errorf("negative: %s\n%s", got, log.String())
	}
	for _, want := range []string{"FAIL a-pass: accepted", "PASS b-wrong\n", "PASS c-unparsed\n", "PASS d-assembly\n", "FAIL e-asm-mixup: rejected with", "SKIP unused-x:"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log does not contain %q:\n%s", want, log.String())
		}
	}

	if _, err := conformance.RunDir(filepath.Join(dir, "missing"), engineNamed(t, "interpreter"), conformance.DirOptions{}); err == nil {
		t.Error("a missing directory is not an error")
	}
}

func TestIsNegativeDir(t *testing.T) {
	for dir, want := range map[string]bool{"x/negative": true, "x/negative/": true, "negative": true, "x/tests": false, "x/negatives": false} {
		if got := conformance.IsNegativeDir(dir); got != want {
			t.Errorf("IsNegativeDir(%q) = %v", dir, got)
		}
	}
}

// TestExecuteVerifies checks that Execute runs on the engine only the
// programs the verifier accepts, and the others on the checked
// interpreter, whatever the engine.
func TestExecuteVerifies(t *testing.T) {
	accepted := &conformance.Test{Name: "t", Asm: "ldxb %r0, [%r1+1]\nexit\n", Mem: []byte{1, 2}}
	outsideInput := &conformance.Test{Name: "t", Asm: "ldxb %r0, [%r1+2]\nexit\n", Mem: []byte{1, 2}}
	for _, e := range testEngines {
		out := conformance.Execute(accepted, e)
		if out.Err != nil || out.R0 != 2 || !out.Verified || out.Rejected != nil {
			t.Errorf("%s: accepted program: %+v", e.String(), out)
		}
		out = conformance.Execute(outsideInput, e)
		var ve *verifier.Error
		if out.Verified || !errors.As(out.Rejected, &ve) || ve.Insn != 0 {
			t.Errorf("%s: program reading past its input: %+v", e.String(), out)
		}
		if out.Err == nil || !strings.HasPrefix(out.Err.Error(), "checked: run: program t: instruction 0: invalid memory access") {
			t.Errorf("%s: program reading past its input ran: %v", e.String(), out.Err)
		}
	}
}

// TestUnwindAddress checks that a program that passes an address to the
// suite's helper 5, which returns its argument, is not verified: it could
// return the address of its stack. A number is accepted.
func TestUnwindAddress(t *testing.T) {
	tc := &conformance.Test{Name: "t", Asm: "mov %r1, %r10\ncall 5\nexit\n"}
	number := &conformance.Test{Name: "t", Asm: "mov %r1, 7\ncall 5\nexit\n"}
	for _, e := range testEngines {
		if out := conformance.Execute(number, e); !out.Verified || out.Err != nil || out.R0 != 7 {
			t.Errorf("%s: unwind(7): %+v", e.String(), out)
		}
		out := conformance.Execute(tc, e)
		var ve *verifier.Error
		if out.Verified || !errors.As(out.Rejected, &ve) || ve.Insn != 1 || !strings.Contains(ve.Msg, "leaks addr into helper") {
			t.Errorf("%s: %+v", e.String(), out)
		}
	}
}

// TestExecuteUnverified runs programs that touch memory outside their
// stack (sandbox finding F10) through the runner on every engine: each is
// rejected and stopped by the checked interpreter at the instruction the
// verifier names.
func TestExecuteUnverified(t *testing.T) {
	testutil.RunUnverified(t, func(t *testing.T, u testutil.Unverified) {
		tc := &conformance.Test{Name: u.Name, Asm: u.Asm, HasResult: true}
		stops := u.Stops()
		for _, e := range testEngines {
			out := conformance.Execute(tc, e)
			var ve *verifier.Error
			if out.Verified || !errors.As(out.Rejected, &ve) {
				t.Fatalf("%s: not rejected: %+v", e.String(), out)
			}
			var f *abi.Fault
			if !errors.As(out.Err, &f) || !strings.HasPrefix(out.Err.Error(), "checked: run: ") {
				t.Errorf("%s: rejected at %d, ran to %v", e.String(), ve.Insn, out.Err)
				continue
			}
			if err := stops.Reject(ve.Insn); err != nil {
				t.Errorf("%s: %v", e.String(), err)
			}
			if err := stops.Stop(f.PC); err != nil {
				t.Errorf("%s: %v", e.String(), err)
			}
		}
	})
}

// TestSuiteVerified checks which of the suite's programs the verifier
// accepts: all but the shifts by out-of-range constants, callx, and two programs whose pointer arithmetic Linux allows only
// to root (stack: a stack pointer moved past its frame; subnet: a
// bitwise operation on an address).
func TestSuiteVerified(t *testing.T) {
	dir := testutil.SharedDir(t, "conformance", "bpf_conformance", "tests")
	s, err := conformance.RunDir(dir, engineNamed(t, "interpreter"), conformance.DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rejected []string
	for _, r := range s.Results {
		if r.Rejected != nil {
			rejected = append(rejected, r.Name)
		}
	}
	if s.Verified != 298 || s.Rejected != 15 || len(rejected) != 15 {
		t.Errorf("%s; rejected %v", s.VerifierLine(), rejected)
	}
	for _, name := range rejected {
		if name != "callx" && name != "stack" && name != "subnet" && !strings.Contains(name, "-imm-high") && !strings.Contains(name, "-imm-neg") {
			t.Errorf("%s: rejected", name)
		}
	}
	if got, want := s.VerifierLine(), "298 verified ran on interpreter, 15 rejected by the verifier ran on checked"; got != want {
		t.Errorf("VerifierLine = %q, want %q", got, want)
	}
}
