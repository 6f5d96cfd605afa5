package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/kernel"
)

func TestIntervalArgs(t *testing.T) {
	tests := []struct {
		args     []string
		interval time.Duration
		count    int
		bad      bool
	}{
		{nil, 99999999 * time.Second, 99999999, false},
		{[]string{"2"}, 2 * time.Second, 99999999, false},
		{[]string{"1", "10"}, time.Second, 10, false},
		{[]string{"0"}, 0, 0, true},
		{[]string{"x"}, 0, 0, true},
		{[]string{"1", "-3"}, 0, 0, true},
	}
	for _, tt := range tests {
		interval, count, err := intervalArgs(tt.args)
		if (err != nil) != tt.bad || (!tt.bad && (interval != tt.interval || count != tt.count)) {
			t.Errorf("intervalArgs(%q) = %v, %d, %v", tt.args, interval, count, err)
		}
	}
}

// runGbpf runs the command line with args and returns what it printed.
func runGbpf(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(args)
	defer rootCmd.SetArgs(nil)
	err := rootCmd.Execute()
	return out.String(), err
}

// The commands keep their flag values between runs (they are built once),
// so each case sets the flags that earlier cases changed.
func TestToolsFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"tools", "bitesize", "--format", "xml"}, `unknown format "xml"`},
		{[]string{"tools", "bitesize", "--format", "bcc", "--mode", "user"}, `unknown mode "user"`},
		{[]string{"tools", "biolatency", "--mode", "auto", "0"}, `invalid interval "0"`},
		{[]string{"tools", "biolatency", "1", "2", "3"}, "accepts at most 2 arg(s)"},
		{[]string{"tools", "overhead", "--modes", "fast"}, `unknown mode "fast"`},
		{[]string{"serve", "--tools", "top"}, `unknown tool "top"`},
	}
	for _, tt := range tests {
		_, err := runGbpf(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("gbpf %s: %v, want error containing %q", strings.Join(tt.args, " "), err, tt.want)
		}
	}
}

func TestToolsBitesizeKernel(t *testing.T) {
	if err := kernel.Supported(); err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	testutil.LockTracing(t)
	for _, format := range []string{"bcc", "bpftrace", "json"} {
		out, err := runGbpf(t, "tools", "bitesize", "--mode", "kernel", "--format", format, "-T", "1", "1")
		if err != nil {
			t.Fatalf("%s: %v\n%s", format, err, out)
		}
		if format != "json" && !strings.Contains(out, "gbpf mode kernel: the BPF program runs in the kernel") {
			t.Errorf("%s: no mode in the header:\n%s", format, out)
		}
	}
}

// TestToolsBiolatencyBCCFlags runs biolatency with bcc's and libbpf-tools'
// flags: -e (average, total, count), -j (bcc's JSON), --flags (bcc's
// spelling of -F), -v.
func TestToolsBiolatencyBCCFlags(t *testing.T) {
	if err := kernel.Supported(); err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	testutil.LockTracing(t)
	out, err := runGbpf(t, "tools", "biolatency", "--mode", "kernel", "--format", "bcc", "-e", "-j", "--flags", "-v", "1", "1")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "gbpf: interval: ") {
		t.Errorf("-v: no interval counts:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "{") && (!strings.HasPrefix(line, "{'ts': '") || !strings.Contains(line, "'val_type': 'usecs', 'data': [")) {
			t.Errorf("-j: line %q is not bcc's", line)
		}
	}
	if _, err := runGbpf(t, "tools", "biolatency", "-j=false", "-e=false", "--flags=false", "-v=false", "--cgroup", "/sys/fs/cgroup", "1", "1"); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("--cgroup: %v", err)
	}
}
