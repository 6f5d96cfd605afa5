package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/testutil"
)

func verifyTestRun(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := newVerifyCmd()
	var out, errb bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), errb.String(), err
}

func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.s", "ldxw %r0, [%r1+4]\nexit\n")
	bad := write("bad.s", "ldxdw %r0, [%r10-8]\nexit\n")
	leak := write("leak.s", "mov %r0, %r10\nexit\n")
	tests := []struct {
		name    string
		args    []string
		ok      bool
		out     string
		errText string
	}{
		{"accepted socket filter", []string{good, "--type", "socket"}, true, "accepted (SocketFilter, unprivileged mode)", ""},
		{"pointer leak", []string{leak, "--type", "socket"}, false, "", "rejected (unprivileged mode) at insn 1: R0 leaks addr as return value"},
		{"pointer leak as root", []string{leak, "--type", "socket", "--privileged"}, true, "accepted (SocketFilter, privileged mode)", ""},
		{"log names the mode", []string{leak, "--type", "socket", "--privileged", "--log-level", "1"}, true, "verifier mode: privileged\n0: (bf) r0 = r10", ""},
		{"uninitialized stack as root", []string{bad, "--type", "socket", "--privileged"}, true, "accepted", ""},
		{"raw needs a context size", []string{good}, false, "", "invalid access to memory, mem_size=0 off=4 size=4"},
		{"raw with a context", []string{good, "--ctx-size", "8"}, true, "accepted (Raw, unprivileged mode)", ""},
		{"rejected with log", []string{bad, "--log-level", "1"}, false, "0: (79) r0 = *(u64 *)(r10 -8)", "invalid read from stack R10 off=-8 size=8"},
		{"level 2 shows registers", []string{good, "--type", "kprobe", "--log-level", "2"}, true, "0: R1=ctx() R10=fp0", ""},
		{"bad type", []string{good, "--type", "nonsense"}, false, "", ""},
		{"bad level", []string{good, "--log-level", "3"}, false, "", ""},
		{"prog on text", []string{good, "--prog", "x"}, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errText, err := verifyTestRun(t, tt.args...)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, stderr %q", err, errText)
			}
			if !strings.Contains(out, tt.out) {
				t.Errorf("stdout %q lacks %q", out, tt.out)
			}
			if !strings.Contains(errText, tt.errText) {
				t.Errorf("stderr %q lacks %q", errText, tt.errText)
			}
			if err != nil && tt.errText != "" && !errors.Is(err, errRejected) {
				t.Errorf("error %v is not a rejection", err)
			}
		})
	}
}

// TestVerifyObjects verifies the example objects, which clang built.
func TestVerifyObjects(t *testing.T) {
	root, err := testutil.RepoRoot()
	if err != nil {
		t.Skip(err)
	}
	objs, _ := filepath.Glob(filepath.Join(root, "examples", "bpf", "*.o"))
	if len(objs) == 0 {
		t.Skip("no example objects")
	}
	for _, o := range objs {
		args := []string{o}
		if msg, ok := needsRoot[filepath.Base(o)]; ok {
			// Linux loads these only with CAP_PERFMON; so does gbpf.
			_, errText, err := verifyTestRun(t, o)
			if !errors.Is(err, errRejected) || !strings.Contains(errText, msg) {
				t.Errorf("%s without --privileged: %v, %q; want a rejection with %q", filepath.Base(o), err, errText, msg)
			}
			args = append(args, "--privileged")
		}
		out, errText, err := verifyTestRun(t, args...)
		if err != nil {
			t.Errorf("%s: %v\n%s%s", filepath.Base(o), err, out, errText)
		}
	}
}

// needsRoot lists the example objects only the privileged verifier
// accepts, with the unprivileged rule that rejects each. All are tracing
// programs, which Linux loads only for CAP_PERFMON.
var needsRoot = map[string]string{
	// bpf_trace_printk and bpf_snprintf, which Linux offers to
	// CAP_PERFMON only.
	"printk.o": "cannot use helper bpf_trace_printk#6",
	// The context plus a register offset, handed to bpf_probe_read.
	"probe_read.o": "pointer arithmetic with it prohibited for !root",
	// The tracepoint record plus a register offset.
	"syscount.o": "pointer arithmetic with it prohibited for !root",
}
