package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/gbpf/gbpf/internal/testutil"
)

// execGbpf runs the gbpf command line in-process with args and returns its
// standard output and error. Flags are reset to their defaults first, as
// cobra keeps the values of an earlier Execute.
func execGbpf(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd, _, err := rootCmd.Find(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		f.Value.Set(f.DefValue)
		f.Changed = false
	})
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(args)
	err = rootCmd.Execute()
	return out.String(), err
}

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunCommand(t *testing.T) {
	load := writeTemp(t, "load.asm", "ldxb %r0, [%r1+1]\nadd %r0, %r2\nexit\n")
	memFile := writeTemp(t, "mem.bin", "\x01\x10\x02")
	tests := []struct {
		name    string
		args    []string
		out     []string // lines the output must contain
		errText string   // "" for success
	}{
		{"hex memory", []string{"run", load, "--mem", "01 ff"}, []string{"0x101\n", "(mean of 1 on "}, ""},
		{"hex memory without spaces", []string{"run", load, "--mem", "0x01ff00", "--engine", "interpreter"}, []string{"0x102\n", "on interpreter)"}, ""},
		{"memory file", []string{"run", load, "--mem", "@" + memFile, "--repeat", "5"}, []string{"0x13\n", "(mean of 5 on "}, ""},
		{"checked", []string{"run", load, "--mem", "00 07", "--checked"}, []string{"0x9\n", "on checked)"}, ""},
		{"rejected", []string{"run", load}, nil, "load.asm: rejected by the verifier at instruction 0: invalid access to memory, mem_size=0 off=1 size=1; --no-verify runs it"},
		{"rejected, checked", []string{"run", load, "--checked"}, nil, "rejected by the verifier at instruction 0"},
		{"rejected, interp", []string{"run", load, "--engine", "interp"}, nil, "rejected by the verifier at instruction 0"},
		{"input too short for the program", []string{"run", load, "--mem", "01"}, nil, "rejected by the verifier at instruction 0"},
		{"unverified fault", []string{"run", load, "--no-verify"}, nil, "program load: instruction 0: invalid memory access: read of 1 bytes at "},
		{"unverified", []string{"run", load, "--no-verify", "--mem", "00 07", "--checked"}, []string{"0x9\n", "on checked, not verified)"}, ""},
		{"unverified on interp (an alias)", []string{"run", load, "--no-verify", "--engine", "interp"}, nil, "--no-verify runs the program on checked only; it cannot be combined with --engine interp"},
		{"unverified on jit", []string{"run", load, "--no-verify", "--engine", "jit"}, nil, "cannot be combined with --engine jit"},
		{"bad memory", []string{"run", load, "--mem", "zz"}, nil, "--mem: not hex"},
		{"missing memory file", []string{"run", load, "--mem", "@/nonexistent/file"}, nil, "--mem:"},
		{"bad repeat", []string{"run", load, "--repeat", "0"}, nil, "--repeat must be at least 1"},
		{"checked and another engine", []string{"run", load, "--checked", "--engine", "interp"}, nil, "cannot be combined"},
		{"unknown engine", []string{"run", load, "--engine", "nope"}, nil, `unknown engine "nope"`},
		{"missing file", []string{"run", "/nonexistent/prog.asm"}, nil, "no such file"},
		{"budget", []string{"run", writeTemp(t, "loop.asm", "ja -1\n"), "--budget", "100", "--no-verify"}, nil, "instruction budget exhausted"},
		{"unwind leaks its argument", []string{"run", writeTemp(t, "leak.asm", "mov %r1, %r10\ncall 5\nexit\n")}, nil, "rejected by the verifier at instruction 1: R1 leaks addr into helper function"},
		{"infinite loop rejected", []string{"run", writeTemp(t, "loop.asm", "ja -1\n")}, nil, "rejected by the verifier at instruction 0: infinite loop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := execGbpf(t, tt.args...)
			if tt.errText == "" && err != nil {
				t.Fatalf("error: %v\n%s", err, out)
			}
			if tt.errText != "" && (err == nil || !strings.Contains(err.Error(), tt.errText)) {
				t.Fatalf("error = %v, want one containing %q", err, tt.errText)
			}
			for _, want := range tt.out {
				if !strings.Contains(out, want) {
					t.Errorf("output %q does not contain %q", out, want)
				}
			}
		})
	}
}

func TestRunDataFiles(t *testing.T) {
	bench := testutil.SharedDir(t, "bench")
	// memsum reads past the memory size the verifier is told of.
	memsum := filepath.Join(bench, "memsum.data")
	if _, err := execGbpf(t, "run", memsum); err == nil || !strings.Contains(err.Error(), "rejected by the verifier at instruction 5") {
		t.Errorf("memsum.data: %v", err)
	}
	out, err := execGbpf(t, "run", memsum, "--repeat", "2", "--no-verify")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.HasPrefix(out, "0x") || !strings.Contains(out, "(mean of 2 on checked, not verified)") {
		t.Errorf("output %q", out)
	}
	out, err = execGbpf(t, "run", filepath.Join(bench, "prime.data"), "--engine", "interp")
	if err != nil || !strings.Contains(out, "(mean of 1 on interpreter)") {
		t.Errorf("prime.data: %v\n%s", err, out)
	}
	wrong := writeTemp(t, "wrong.data", "-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n")
	if _, err := execGbpf(t, "run", wrong); err == nil || !strings.Contains(err.Error(), "r0 = 0x1, but the file expects 0x2") {
		t.Errorf("error = %v", err)
	}
	tests := testutil.SharedDir(t, "conformance", "bpf_conformance", "tests")
	out, err = execGbpf(t, "run", filepath.Join(tests, "mem-len.data"), "--checked")
	if err != nil || !strings.HasPrefix(out, "0x") {
		t.Errorf("mem-len.data: %q, %v", out, err)
	}
}

// TestRunEveryDataFile runs every test file of the conformance suite with
// "gbpf run", which must read it as "gbpf conformance" does (the files
// whose comments hold a DEL character included) and return the r0 it
// expects: verified, or with --no-verify when the verifier rejects it.
func TestRunEveryDataFile(t *testing.T) {
	dir := testutil.SharedDir(t, "conformance", "bpf_conformance", "tests")
	paths, err := filepath.Glob(filepath.Join(dir, "*.data"))
	if err != nil || len(paths) < 313 {
		t.Fatalf("%d test files: %v", len(paths), err)
	}
	verified := 0
	for _, path := range paths {
		out, err := execGbpf(t, "run", path)
		if err != nil && strings.Contains(err.Error(), "rejected by the verifier") {
			out, err = execGbpf(t, "run", path, "--no-verify")
		} else if err == nil {
			verified++
		}
		if err != nil {
			t.Errorf("%s: %v\n%s", filepath.Base(path), err, out)
		}
	}
	t.Logf("%d files read and run, %d verified", len(paths), verified)
}

func TestConformanceCommand(t *testing.T) {
	dir := testutil.SharedDir(t, "conformance", "bpf_conformance")
	for _, e := range []string{"interpreter", "checked", "interp-checked"} {
		out, err := execGbpf(t, "conformance", filepath.Join(dir, "tests"), "--engine", e)
		if err != nil || !strings.HasSuffix(out, "\n313 passed, 0 failed\n") {
			t.Errorf("%s: %v\n%s", e, err, out)
		}
		// The shift tests with out-of-range counts, callx and two
		// programs with root-only pointer arithmetic are rejected.
		if want := "298 verified ran on " + map[string]string{"interpreter": "interpreter", "checked": "checked", "interp-checked": "checked"}[e] + ", 15 rejected by the verifier ran on checked\n313 passed"; !strings.Contains(out, want) {
			t.Errorf("%s: output %q does not contain %q", e, out, want)
		}
	}
	out, err := execGbpf(t, "conformance", filepath.Join(dir, "negative"))
	if err != nil || !strings.HasSuffix(out, "15 passed, 0 failed, 45 skipped\n") {
		t.Errorf("negative: %v\n%s", err, out)
	}

	// A directory with a failing test: the failure is named, the summary
	// ends the output and the command fails.
	tmp := t.TempDir()
	os.WriteFile(filepath.Join(tmp, "good.data"), []byte("-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n"), 0o644)
	os.WriteFile(filepath.Join(tmp, "bad.data"), []byte("-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n"), 0o644)
	out, err = execGbpf(t, "conformance", tmp, "-v", "--engine", "checked")
	if err == nil || !strings.Contains(err.Error(), "1 of 2 tests failed") {
		t.Errorf("error = %v", err)
	}
	for _, want := range []string{"FAIL bad: r0 = 0x1, want 0x2\n", "PASS good\n", "2 verified ran on checked, 0 rejected by the verifier ran on checked\n1 passed, 1 failed\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q does not contain %q", out, want)
		}
	}
	if _, err := execGbpf(t, "conformance", filepath.Join(tmp, "nonexistent")); err == nil {
		t.Error("a missing directory is not an error")
	}
}
