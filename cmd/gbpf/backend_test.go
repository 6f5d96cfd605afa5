package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/kernel"
)

// TestBackendFlag runs prog run and map dump with --backend gbpf and
// --backend kernel and compares what they print (durations aside).
func TestBackendFlag(t *testing.T) {
	if err := kernel.Supported(); err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	pkt := filepath.Join(t.TempDir(), "pkt.bin")
	if err := os.WriteFile(pkt, udpFrame(), 0o644); err != nil {
		t.Fatal(err)
	}
	duration := regexp.MustCompile(`duration[^:]*: \S+`)
	for _, args := range [][]string{
		{"prog", "run", exampleObject("hash_counter"), "--data", "@" + pkt, "--repeat", "4"},
		{"prog", "run", exampleObject("tail_call"), "--prog", "dispatch", "--data", "@" + pkt},
		{"map", "dump", exampleObject("hash_counter"), "--prog", "count_sources", "--data", "@" + pkt, "--repeat", "3", "--map", "sources"},
		{"map", "dump", exampleObject("globals"), "--prog", "classify", "--data", "@" + pkt, "--map", ".bss"},
		{"map", "dump", exampleObject("lpm_trie"), "--prog", "filter_prefix", "--data", "@" + pkt, "--map", "hits"},
	} {
		var outs [2]string
		for i, backend := range []string{"gbpf", "kernel"} {
			out, err := execGbpf(t, append(args, "--backend", backend)...)
			if err != nil {
				t.Fatalf("%v --backend %s: %v\n%s", args, backend, err, out)
			}
			outs[i] = duration.ReplaceAllString(out, "duration: D")
		}
		if outs[0] != outs[1] || strings.TrimSpace(outs[0]) == "" {
			t.Errorf("%v:\ngbpf:\n%s\nkernel:\n%s", args, outs[0], outs[1])
		}
	}
	if _, err := execGbpf(t, "prog", "run", exampleObject("hash_counter"), "--backend", "kernel", "--engine", "jit"); err == nil || !strings.Contains(err.Error(), "kernel backend runs programs on the kernel") {
		t.Errorf("--engine jit with --backend kernel: %v", err)
	}
	if _, err := execGbpf(t, "prog", "run", exampleObject("hash_counter"), "--backend", "vm"); err == nil || !strings.Contains(err.Error(), "unknown backend") {
		t.Errorf("--backend vm: %v", err)
	}
}
