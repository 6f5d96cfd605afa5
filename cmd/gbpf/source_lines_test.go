package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifySourceLines builds a program that forgets a packet bounds
// check and verifies it: the rejection names the C line of the failing
// instruction, and the log shows the source lines as the kernel's does.
func TestVerifySourceLines(t *testing.T) {
	clang, err := exec.LookPath("clang")
	if err != nil {
		t.Skip("clang is not installed")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "nocheck.c")
	code := `#include "include/gbpf.h"

SEC("xdp")
int first_byte(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	return data[0] == 0xff ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
`
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs("../../examples/bpf")
	if err != nil {
		t.Fatal(err)
	}
	obj := filepath.Join(dir, "nocheck.o")
	if out, err := exec.Command(clang, "-O2", "-g", "-target", "bpf", "-I", abs, "-c", src, "-o", obj).CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, out)
	}
	out, err := execGbpf(t, "verify", obj, "--log-level", "1")
	if err == nil {
		t.Fatalf("accepted:\n%s", out)
	}
	for _, want := range []string{
		"; return data[0] == 0xff ? XDP_DROP : XDP_PASS; @ " + src + ":7",
		"first_byte: insn 1 is C source line: return data[0] == 0xff ? XDP_DROP : XDP_PASS; @ " + src + ":7",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestDisasmObjectNames checks that the listing of an object's section
// shows its C source lines, the maps its loads refer to (as llvm-objdump
// -dlr prints their relocations) and the helpers its calls call.
func TestDisasmObjectNames(t *testing.T) {
	out, err := execGbpf(t, "disasm", "../../examples/bpf/hash_counter.o")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"; struct stats *s = bpf_map_lookup_elem(&sources, &key);\n",
		"r1 = 0x0 ll\n\t\t00000000000000c0:  R_BPF_64_64\tsources\n",
		"call 0x1\t; bpf_map_lookup_elem\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("listing lacks %q:\n%s", want, out)
		}
	}
}
