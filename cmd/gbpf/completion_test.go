package main

import (
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestCompletion asks cobra's completion entry point (what the shell
// scripts call) for flag values.
func TestCompletion(t *testing.T) {
	setupTree()
	// Cobra leaves its hidden __complete command in the tree after a
	// completion request; other tests walk the tree.
	t.Cleanup(func() {
		for _, c := range rootCmd.Commands() {
			if c.Name() == cobra.ShellCompRequestCmd {
				rootCmd.RemoveCommand(c)
			}
		}
	})
	obj := "../../examples/bpf/hash_counter.o"
	ifs, _ := net.Interfaces()
	lo := "lo"
	if len(ifs) > 0 {
		lo = ifs[0].Name
	}
	for _, tt := range []struct {
		args []string
		want []string
		list bool // completes the last of a comma-separated list
	}{
		{[]string{"prog", "run", obj, "--prog", ""}, []string{"count_sources"}, false},
		{[]string{"map", "dump", obj, "--map", "s"}, []string{"sources"}, false},
		{[]string{"disasm", obj, "--section", ""}, []string{"xdp"}, false},
		{[]string{"tools", "bitesize", "--mode", ""}, []string{"kernel", "copy", "auto"}, false},
		{[]string{"tools", "biolatency", "--format", "b"}, []string{"bcc", "bpftrace"}, false},
		{[]string{"run", "x.asm", "--engine", "interp"}, []string{"interpreter"}, false},
		{[]string{"filter", "-y", "LINUX"}, []string{"LINUX_SLL", "LINUX_SLL2"}, false},
		{[]string{"capture", "-i", ""}, []string{"any", lo}, false},
		{[]string{"serve", "--tools", "bitesize,b"}, []string{"bitesize,bitesize", "bitesize,biolatency"}, true},
		{[]string{"tools", "overhead", "--modes", "none,k"}, []string{"none,kernel"}, true},
	} {
		out, err := execGbpf(t, append([]string{"__complete"}, tt.args...)...)
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		var got []string
		directive := ""
		for _, l := range lines {
			if strings.HasPrefix(l, ":") {
				directive = l
				break
			}
			got = append(got, strings.SplitN(l, "\t", 2)[0])
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("gbpf %s: %q lacks %q", strings.Join(tt.args, " "), got, w)
			}
		}
		// :4 is no file completion, :6 that and no space after it.
		if want := map[bool]string{false: ":4", true: ":6"}[tt.list]; directive != want {
			t.Errorf("gbpf %s: directive %s, want %s", strings.Join(tt.args, " "), directive, want)
		}
	}
	if got := usageChoices("where the BPF program runs: kernel, copy (records copied to gbpf's runtime) or auto"); strings.Join(got, " ") != "kernel copy auto" {
		t.Errorf("usageChoices: %q", got)
	}
	if got := usageChoices("engine for verified programs: default, interpreter, checked or jit (also interp, jit-always); default is jit where supported, else interpreter"); strings.Join(got, " ") != "default interpreter checked jit" {
		t.Errorf("usageChoices with a note after the list: %q", got)
	}
	if got := usageChoices("verifier log: 0 none, 1 the failing path"); got != nil {
		t.Errorf("usageChoices of prose: %q", got)
	}
}
