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
