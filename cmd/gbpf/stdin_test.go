package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStdinArgs gives commands that open their FILE by path standard
// input as "-".
func TestStdinArgs(t *testing.T) {
	setupTree()
	obj, err := os.ReadFile("../../examples/bpf/hash_counter.o")
	if err != nil {
		t.Fatal(err)
	}
	asm, err := os.ReadFile("../../examples/asm/count.asm")
	if err != nil {
		t.Fatal(err)
	}
	defer rootCmd.SetIn(nil)
	for _, tt := range []struct {
		stdin []byte
		args  []string
		want  string
	}{
		{obj, []string{"prog", "list", "-"}, "name count_sources"},
		{obj, []string{"map", "dump", "@-", "--map", "sources"}, "[]"},
		{asm, []string{"run", "-", "--mem", "0a00000000000000", "--engine", "interp"}, "0x37\n"},
	} {
		rootCmd.SetIn(strings.NewReader(string(tt.stdin)))
		out, err := execGbpf(t, tt.args...)
		spool := stdinSpool
		if err := removeStdinSpool(nil); err != nil {
			t.Fatal(err)
		}
		if err != nil || !strings.Contains(out, tt.want) {
			t.Errorf("gbpf %s: %v\n%s", strings.Join(tt.args, " "), err, out)
		}
		if spool == "" {
			t.Errorf("gbpf %s: standard input was not copied", strings.Join(tt.args, " "))
		} else if _, err := os.Stat(filepath.Dir(spool)); !os.IsNotExist(err) {
			t.Errorf("the copy of standard input is still there: %v", err)
		}
	}

	// An error names standard input "-", not the copy.
	rootCmd.SetIn(strings.NewReader("bad\n"))
	_, err = execGbpf(t, "run", "-")
	err = removeStdinSpool(err)
	if err == nil || !strings.HasPrefix(err.Error(), "-:1:1: ") {
		t.Errorf("gbpf run - on bad input: %v", err)
	}
	rootCmd.SetIn(strings.NewReader(""))
	_, err = execGbpf(t, "run", "-", "--mem", "@-")
	removeStdinSpool(nil)
	if err == nil || !strings.Contains(err.Error(), "both an argument and --mem") {
		t.Errorf("standard input twice: %v", err)
	}
}
