package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/testutil"
)

// udpFrame is an Ethernet/IPv4/UDP frame from 10.0.0.1.
func udpFrame() []byte {
	b := make([]byte, 64)
	b[12], b[13], b[14], b[23] = 0x08, 0x00, 0x45, 17
	copy(b[26:], []byte{10, 0, 0, 1})
	return b
}

func exampleObject(name string) string {
	return filepath.Join("..", "..", "examples", "bpf", name+".o")
}

func TestProgAndMapCommands(t *testing.T) {
	pkt := filepath.Join(t.TempDir(), "pkt.bin")
	if err := os.WriteFile(pkt, udpFrame(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.bin")
	for _, c := range []struct {
		args []string
		want []string // substrings of the output
		err  string
	}{
		{[]string{"prog", "list", exampleObject("tail_call")}, []string{"0: xdp  name chain  section xdp", "maps calls,jump_table", "3: xdp  name handle_udp"}, ""},
		{[]string{"prog", "list", exampleObject("syscount")}, []string{"tracepoint  name sys_enter  section tracepoint/raw_syscalls/sys_enter", "core_relos"}, ""},
		{[]string{"prog", "run", exampleObject("hash_counter"), "--data", "@" + pkt, "--repeat", "5"}, []string{"Return value: 2, duration (average): "}, ""},
		{[]string{"prog", "run", exampleObject("hash_counter"), "--data", "@" + pkt, "--engine", "interpreter", "--data-out", out}, []string{"Return value: 2, duration: "}, ""},
		{[]string{"prog", "run", exampleObject("hash_counter"), "--data", "@" + pkt, "--checked"}, []string{"Return value: 2"}, ""},
		{[]string{"prog", "run", exampleObject("tail_call"), "--prog", "dispatch", "--data", "@" + pkt, "--json"}, []string{`"retval":1`, `"tail_calls":1`}, ""},
		{[]string{"prog", "run", exampleObject("tail_call"), "--data", "@" + pkt}, nil, "4 programs (chain, dispatch, handle_tcp, handle_udp): choose one with --prog"},
		{[]string{"prog", "run", exampleObject("tail_call"), "--prog", "nope"}, nil, `no program "nope" (have chain, dispatch, handle_tcp, handle_udp)`},
		{[]string{"prog", "run", exampleObject("hash_counter"), "--data", "zz"}, nil, "--data: not hex bytes or @FILE"},
		{[]string{"prog", "run", exampleObject("hash_counter"), "--data", "00"}, nil, "at least an Ethernet header"},
		{[]string{"prog", "run", exampleObject("hash_counter"), "--engine", "vm"}, nil, "unknown engine"},
		{[]string{"prog", "run", "no-such.o"}, nil, "no such file"},
		{[]string{"prog", "run", exampleObject("printk"), "--data", strings.Repeat("00", 32)}, nil, "cannot use helper bpf_trace_printk#6 without privileges"},
		{[]string{"prog", "run", exampleObject("printk"), "--data", strings.Repeat("00", 32), "--privileged"}, []string{"Return value: 36,"}, ""},
		{[]string{"prog", "run", exampleObject("globals"), "--set", "min_len=1000", "--data", "@" + pkt}, []string{"Return value: 1,"}, ""},
		{[]string{"prog", "run", exampleObject("globals"), "--set", "nope=1"}, nil, "no global variable"},
		{[]string{"prog", "run", exampleObject("globals"), "--set", "verdict_small=300"}, nil, "does not fit"},
		{[]string{"map", "dump", exampleObject("hash_counter"), "--prog", "count_sources", "--data", "@" + pkt, "--repeat", "3", "--map", "sources"},
			[]string{"[{\n        \"key\": 16777226,\n        \"value\": {\n            \"packets\": 3,\n            \"bytes\": 192\n        }\n    }\n]\n"}, ""},
		{[]string{"map", "dump", exampleObject("hash_counter"), "--map", "sources"}, []string{"[]\n"}, ""},
		{[]string{"map", "dump", exampleObject("hash_counter"), "--prog", "count_sources", "--data", "@" + pkt, "--map", "sources", "-j"},
			[]string{`"formatted":{"key":16777226,"value":{"packets":1,"bytes":64}}`}, ""},
		{[]string{"map", "dump", exampleObject("legacy_maps"), "--map", "by_size"}, []string{"key: 03 00 00 00  value: 00 00 00 00 00 00 00 00\nFound 4 elements\n"}, ""},
		{[]string{"map", "dump", exampleObject("xdp_proto_count"), "--prog", "count_protocols", "--data", "@" + pkt, "--map", "proto_bytes"},
			[]string{"        \"key\": 17,\n        \"values\": [{\n                \"cpu\": 0,\n", "                \"value\": 64\n"}, ""},
		{[]string{"map", "dump", exampleObject("hash_counter"), "--map", "nope"}, nil, `no map "nope"`},
		{[]string{"map", "dump", exampleObject("tail_call"), "--map", "nope"}, nil, `no map "nope" (have calls, dispatch_table, jump_table)`},
		{[]string{"map", "list", exampleObject("globals")}, []string{"2: array  name .rodata  flags 0x80\n\tkey 4B  value 5B  max_entries 1"}, ""},
	} {
		got, err := execGbpf(t, c.args...)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v: error %v, want %q", c.args, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.args, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%v: output %q lacks %q", c.args, got, w)
			}
		}
	}
	if b, err := os.ReadFile(out); err != nil || len(b) != 64 {
		t.Errorf("--data-out wrote %d bytes, %v", len(b), err)
	}
	got, err := execGbpf(t, "map", "dump", exampleObject("hash_counter"), "--prog", "count_sources", "--data", "@"+pkt, "--map", "sources", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var elems []struct{ Key, Value []string }
	if err := json.Unmarshal([]byte(got), &elems); err != nil || len(elems) != 1 || strings.Join(elems[0].Key, " ") != "0x0a 0x00 0x00 0x01" {
		t.Errorf("JSON dump %q: %v", got, err)
	}
}

// TestProgRunInputLimits checks that --data and --ctx are read only up to
// what the program's type takes: BPF_PROG_TEST_RUN's packet sizes, the
// fixed contexts, 1 MiB for raw and tracing inputs.
func TestProgRunInputLimits(t *testing.T) {
	dir := t.TempDir()
	file := func(n int) string {
		path := filepath.Join(dir, fmt.Sprint(n))
		b := make([]byte, n)
		copy(b, udpFrame())
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return "@" + path
	}
	xdp, skb, tp, raw := exampleObject("hash_counter"), exampleObject("array_stats"), exampleObject("tp_hist"), exampleObject("clock")
	for _, c := range []struct {
		args []string
		err  string // "" for success
	}{
		{[]string{xdp, "--data", file(3520)}, ""},
		{[]string{xdp, "--data", file(3521)}, "--data: the input is larger than 3520 bytes, the most XDP programs take"},
		{[]string{xdp, "--data", "@/dev/zero"}, "--data: the input is larger than 3520 bytes"},
		{[]string{xdp, "--data", "@-"}, "--data: the input is larger than 3520 bytes"},
		{[]string{xdp, "--data", file(64), "--ctx", "@/dev/zero"}, "--ctx: the input is larger than 24 bytes, the most XDP programs take"},
		{[]string{xdp, "--data", file(64), "--ctx", strings.Repeat("00", 25)}, "--ctx: the input is larger than 24 bytes"},
		{[]string{skb, "--data", file(3712)}, ""},
		{[]string{skb, "--data", file(3713)}, "--data: the input is larger than 3712 bytes, the most SocketFilter programs take"},
		{[]string{skb, "--data", file(64), "--ctx", "@/dev/zero"}, "--ctx: the input is larger than 192 bytes"},
		{[]string{tp, "--ctx", "@/dev/zero"}, "--ctx: the input is larger than 1 MiB, the most Tracepoint programs take"},
		{[]string{tp, "--data", "@/dev/zero"}, "--data: the input is larger than 1 MiB"},
		{[]string{raw, "--data", "@/dev/zero"}, "--data: the input is larger than 1 MiB, the most Raw programs take"},
	} {
		rootCmd.SetIn(zeros{})
		_, err := execGbpf(t, append([]string{"prog", "run"}, c.args...)...)
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.err)
		}
	}
	rootCmd.SetIn(nil)
}

// TestProgRunBudget runs a program that loops in callbacks (bpf_loop
// inside a bpf_loop callback, 2^46 callback calls, which the verifier
// accepts) through "prog run" on every engine: each run stops at its budget (finding F2: the
// JIT charged only backward jumps and never stopped).
func TestProgRunBudget(t *testing.T) {
	files := []string{"../../examples/asm/nested_loop.asm"}
	if path, err := testutil.SharedPath("sandbox", "nested_loop.s"); err == nil {
		files = append(files, path)
	}
	for _, f := range files {
		for _, args := range [][]string{{"--engine", "jit"}, {"--engine", "interpreter"}, {"--checked"}} {
			args = append([]string{"prog", "run", f, "--budget", "100000"}, args...)
			_, err := execGbpf(t, args...)
			if err == nil || !strings.Contains(err.Error(), "instruction budget exhausted: budget 100000 spent") {
				t.Errorf("%q: %v, want the budget fault", args, err)
			}
		}
	}
}

// TestProgRunTailCallContext is sandbox finding F1 through the CLI, on
// the finding's own object where clang and the shared data are there: a
// program verified for an 8-byte context tail-calls one verified for
// 32 KiB. The tail call is refused (the caller goes on and returns 0)
// instead of the callee reading past the context on any engine.
func TestProgRunTailCallContext(t *testing.T) {
	src, err := testutil.SharedPath("sandbox", "tailcall_ctxsize.c")
	if err != nil {
		t.Skipf("shared sandbox data: %v", err)
	}
	clang, err := exec.LookPath("clang")
	if err != nil {
		t.Skip("clang is not installed")
	}
	obj := filepath.Join(t.TempDir(), "tc.o")
	if out, err := exec.Command(clang, "-O2", "-g", "-target", "bpf", "-I", "../../examples/bpf", "-c", src, "-o", obj).CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, out)
	}
	ctx := "@" + filepath.Join(filepath.Dir(src), "ctx8.bin")
	for _, args := range [][]string{{"--engine", "jit"}, {"--engine", "interpreter"}, {"--checked"}} {
		args = append([]string{"prog", "run", obj, "--prog", "small", "--ctx", ctx}, args...)
		out, err := execGbpf(t, args...)
		if err != nil || !strings.HasPrefix(out, "Return value: 0,") {
			t.Errorf("%q: %q, %v; want return value 0 (the tail call refused)", args, out, err)
		}
	}
}
