package asm_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
)

// sharedProgram is one assembled program of the conformance suite or the
// benchmarks.
type sharedProgram struct {
	name string // "tests/add", "bench/prime"
	prog isa.Program
}

// sharedPrograms assembles every execution test of the conformance suite
// and every benchmark workload. Where a file also has "-- raw", the
// assembled bytes must equal it.
func sharedPrograms(t *testing.T) []sharedProgram {
	t.Helper()
	var out []sharedProgram
	for _, dir := range []struct{ name, path string }{
		{"tests", testutil.SharedDir(t, "conformance", "bpf_conformance", "tests")},
		{"bench", testutil.SharedDir(t, "bench")},
	} {
		files, err := filepath.Glob(filepath.Join(dir.path, "*.data"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			tc, err := conformance.Load(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := asm.Assemble(tc.Asm)
			if err != nil {
				var e *asm.Error
				if errors.As(err, &e) {
					t.Fatalf("%s:%d:%d: %s", f, tc.AsmLine+e.Line-1, e.Col, e.Msg)
				}
				t.Fatalf("%s: %v", f, err)
			}
			if tc.Raw != nil && !bytes.Equal(p.Encode(), tc.Raw) {
				t.Errorf("%s: assembled\n%x\nwant -- raw\n%x", f, p.Encode(), tc.Raw)
			}
			out = append(out, sharedProgram{dir.name + "/" + tc.Name, p})
		}
	}
	return out
}

// TestRoundTripShared assembles every shared program, prints it in the
// conformance syntax (with slot offsets, and with labels) and assembles
// the text again: the bytes must not change. It also prints every program
// in the llvm syntax.
func TestRoundTripShared(t *testing.T) {
	progs := sharedPrograms(t)
	same := 0
	for _, sp := range progs {
		text, err := asm.Format(sp.prog, asm.SyntaxConformance)
		if err != nil {
			t.Errorf("%s: %v", sp.name, err)
			continue
		}
		again, err := asm.Assemble(text)
		if err != nil {
			t.Errorf("%s: reassembling\n%s: %v", sp.name, text, err)
			continue
		}
		if !bytes.Equal(again.Encode(), sp.prog.Encode()) {
			t.Errorf("%s: round trip changed the program:\n%s", sp.name, text)
			continue
		}
		// A second round must print the same text.
		text2, err := asm.Format(again, asm.SyntaxConformance)
		if err != nil || text2 != text {
			t.Errorf("%s: second round printed differently (%v)", sp.name, err)
			continue
		}
		var labeled strings.Builder
		if err := asm.FprintLabels(&labeled, sp.prog); err != nil {
			t.Errorf("%s: with labels: %v", sp.name, err)
			continue
		}
		if again, err := asm.Assemble(labeled.String()); err != nil || !bytes.Equal(again.Encode(), sp.prog.Encode()) {
			t.Errorf("%s: round trip with labels failed (%v):\n%s", sp.name, err, labeled.String())
			continue
		}
		if _, err := asm.Format(sp.prog, asm.SyntaxLLVM); err != nil {
			t.Errorf("%s: llvm syntax: %v", sp.name, err)
			continue
		}
		same++
	}
	t.Logf("%d of %d programs round-trip byte for byte", same, len(progs))
	if len(progs) != 313+6 {
		t.Errorf("found %d programs, want 319", len(progs))
	}
}

// TestNegativeShared checks the negative files of the conformance suite.
// The files with assembler errors must be rejected, with the expected
// text where the file names one. The unused-* files hold raw instructions
// whose unused fields are set: isa.Validate must reject them, and the
// conformance syntax cannot express them either.
func TestNegativeShared(t *testing.T) {
	dir := testutil.SharedDir(t, "conformance", "bpf_conformance", "negative")
	files, err := filepath.Glob(filepath.Join(dir, "*.data"))
	if err != nil {
		t.Fatal(err)
	}
	// Files that are not assembler errors, and why.
	notAsm := map[string]string{
		// The parser rejects these before the assembler sees them.
		"empty":                     "no program",
		"empty_instructions":        "no program",
		"invalid_unknown_directive": "unknown directive",
		// "or %r0, %r10" is well formed: the program leaks the frame
		// pointer, which the verifier rejects, not the assembler.
		"error": "",
		// Well formed; the file's expected result is wrong on purpose.
		"incorrect_return_value_high_bits": "",
	}
	var asmRejected, validateRejected, parseRejected int
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".data")
		tc, err := conformance.Load(f)
		if want, ok := notAsm[name]; ok {
			switch {
			case want != "":
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: parse error %v, want %q", name, err, want)
				}
				parseRejected++
			case err != nil:
				t.Errorf("%s: %v", name, err)
			default:
				if _, err := asm.Assemble(tc.Asm); err != nil {
					t.Errorf("%s: well-formed program rejected: %v", name, err)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if strings.HasPrefix(name, "unused-") {
			p, err := isa.Decode(tc.Raw)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if err := isa.Validate(p); err == nil {
				t.Errorf("%s: isa.Validate accepted %v", name, p.Insns)
				continue
			}
			if text, err := asm.Format(p, asm.SyntaxConformance); err == nil {
				t.Errorf("%s: formatted as %q", name, text)
			}
			validateRejected++
			continue
		}
		_, err = asm.Assemble(tc.Asm)
		if err == nil {
			t.Errorf("%s: assembled, want an error", name)
			continue
		}
		if tc.HasError && !strings.Contains(err.Error(), tc.Error) {
			t.Errorf("%s: error %q does not contain %q", name, err, tc.Error)
			continue
		}
		t.Logf("%s: %v", name, err)
		asmRejected++
	}
	t.Logf("negative files: %d rejected by the assembler, %d by isa.Validate, %d by the parser, %d well formed",
		asmRejected, validateRejected, parseRejected, 2)
	if asmRejected+validateRejected+parseRejected+2 != len(files) {
		t.Errorf("checked %d of %d files", asmRejected+validateRejected+parseRejected+2, len(files))
	}
}
