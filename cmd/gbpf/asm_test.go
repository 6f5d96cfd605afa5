package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
)

// asmTestRun executes a fresh command with args and stdin, returning its output.
func asmTestRun(t *testing.T, cmd *cobra.Command, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

const asmTestSrc = "mov %r0, 1\nlddw %r1, 0x1122334455667788\njeq %r1, 0, +1\nexit\nexit\n"

const asmTestHex = `b7 00 00 00 01 00 00 00
18 01 00 00 88 77 66 55
00 00 00 00 44 33 22 11
15 01 01 00 00 00 00 00
95 00 00 00 00 00 00 00
95 00 00 00 00 00 00 00
`

func asmTestFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAsmCommand(t *testing.T) {
	src := asmTestFile(t, "p.s", []byte(asmTestSrc))
	raw, err := asmTestBytes(asmTestHex)
	if err != nil {
		t.Fatal(err)
	}

	out, err := asmTestRun(t, newAsmCmd(), "", src)
	if err != nil || out != asmTestHex {
		t.Errorf("asm: %v\n%s", err, out)
	}
	out, err = asmTestRun(t, newAsmCmd(), asmTestSrc, "-", "--format", "raw")
	if err != nil || out != string(raw) {
		t.Errorf("asm --format raw: %v %x", err, out)
	}
	bin := filepath.Join(t.TempDir(), "p.bin")
	if out, err := asmTestRun(t, newAsmCmd(), "", src, "-o", bin); err != nil || out != "" {
		t.Fatalf("asm -o: %v %q", err, out)
	}
	if b, err := os.ReadFile(bin); err != nil || !bytes.Equal(b, raw) {
		t.Errorf("asm -o wrote %x, %v", b, err)
	}
	hexOut := filepath.Join(t.TempDir(), "p.hex")
	if _, err := asmTestRun(t, newAsmCmd(), "", src, "-o", hexOut, "--format", "hex"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(hexOut); string(b) != asmTestHex {
		t.Errorf("asm -o --format hex wrote %q", b)
	}
}

func TestAsmCommandErrors(t *testing.T) {
	bad := asmTestFile(t, "bad.s", []byte("mov %r0, 1\nmov %r0, %r12\nexit\n"))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{bad}, "bad.s:2:10: Invalid register: %r12"},
		{[]string{bad, "--format", "elf"}, `unknown --format "elf"`},
		{[]string{bad, "--input", "pe"}, `unknown file kind "pe"`},
		{[]string{filepath.Join(t.TempDir(), "none.s")}, "no such file"},
		{[]string{}, "accepts 1 arg"},
	}
	for _, tt := range tests {
		_, err := asmTestRun(t, newAsmCmd(), "", tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("asm %v: %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestDisasmCommand(t *testing.T) {
	bin := asmTestFile(t, "p.hex", []byte(asmTestHex))
	out, err := asmTestRun(t, newDisasmCmd(), "", bin)
	want := `       0:	b7 00 00 00 01 00 00 00	r0 = 0x1
       1:	18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11	r1 = 0x1122334455667788 ll
       3:	15 01 01 00 00 00 00 00	if r1 == 0x0 goto +0x1
       4:	95 00 00 00 00 00 00 00	exit
       5:	95 00 00 00 00 00 00 00	exit
`
	if err != nil || out != want {
		t.Errorf("disasm: %v\n%s\nwant\n%s", err, out, want)
	}

	// Conformance syntax reassembles to the same bytes.
	text, err := asmTestRun(t, newDisasmCmd(), "", bin, "--syntax", "conformance")
	if err != nil {
		t.Fatal(err)
	}
	again, err := asmTestRun(t, newAsmCmd(), text, "-")
	if err != nil || again != asmTestHex {
		t.Errorf("disasm | asm: %v\n%s\nfrom\n%s", err, again, text)
	}

	// The verifier log's syntax.
	out, err = asmTestRun(t, newDisasmCmd(), "", bin, "--syntax", "verifier")
	if want := "0: (b7) r0 = 1\n1: (18) r1 = 0x1122334455667788\n3: (15) if r1 == 0 goto pc+1\n4: (95) exit\n5: (95) exit\n"; err != nil || out != want {
		t.Errorf("disasm --syntax verifier: %v\n%s\nwant\n%s", err, out, want)
	}

	// Labels.
	out, err = asmTestRun(t, newDisasmCmd(), "", bin, "--syntax", "conformance", "--labels")
	if want := "mov %r0, 1\nlddw %r1, 0x1122334455667788\njeq %r1, 0, L5\nexit\nL5:\nexit\n"; err != nil || out != want {
		t.Errorf("disasm --labels: %v\n%s\nwant\n%s", err, out, want)
	}

	// An ELF section by name.
	raw, _ := asmTestBytes(asmTestHex)
	obj := asmTestFile(t, "p.o", testutil.BPFObject(
		testutil.ELFSection{Name: "xdp", Data: []byte{0x95, 0, 0, 0, 0, 0, 0, 0}, Exec: true},
		testutil.ELFSection{Name: "tc", Data: raw, Exec: true},
	))
	out, err = asmTestRun(t, newDisasmCmd(), "", obj, "--section", "tc", "--syntax", "conformance")
	if err != nil || out != "mov %r0, 1\nlddw %r1, 0x1122334455667788\njeq %r1, 0, +1\nexit\nexit\n" {
		t.Errorf("disasm --section: %v\n%s", err, out)
	}
	out, err = asmTestRun(t, newDisasmCmd(), "", obj)
	if err != nil || out != "       0:\t95 00 00 00 00 00 00 00\texit\n" {
		t.Errorf("disasm of the first section: %v %q", err, out)
	}

	// Eight bytes that look like text, read as raw bytecode.
	text8 := asmTestFile(t, "p.raw", []byte("a\n\n\n\n\n\n\n"))
	out, err = asmTestRun(t, newDisasmCmd(), "", text8, "--input", "raw", "--syntax", "conformance")
	if err == nil || !strings.Contains(err.Error(), "instruction 0: {op 0x61") {
		t.Errorf("disasm --input raw: %v %q", err, out)
	}
}

func TestDisasmCommandErrors(t *testing.T) {
	bin := asmTestFile(t, "p.bin", []byte{0x95, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{bin, "--syntax", "att"}, `unknown syntax "att"`},
		{[]string{bin}, "instruction 1: {op 0xff"},
		{[]string{bin, "--section", "xdp"}, "only be chosen in an ELF object"},
		{[]string{bin, "--input", "pe"}, `unknown file kind "pe"`},
		{[]string{bin, "--labels"}, "--labels needs --syntax conformance"},
	}
	for _, tt := range tests {
		_, err := asmTestRun(t, newDisasmCmd(), "", tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("disasm %v: %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestDisasmJIT(t *testing.T) {
	bin := asmTestFile(t, "p.hex", []byte(asmTestHex))
	saved := jitListing
	defer func() { jitListing = saved }()

	jitListing = nil
	if _, err := asmTestRun(t, newDisasmCmd(), "", bin, "--jit"); !errors.Is(err, errNoJIT) {
		t.Errorf("--jit without a JIT: %v", err)
	}
	var got isa.Program
	jitListing = func(w io.Writer, p isa.Program) error {
		got = p
		_, err := io.WriteString(w, "listing\n")
		return err
	}
	out, err := asmTestRun(t, newDisasmCmd(), "", bin, "--jit")
	if err != nil || out != "listing\n" || len(got.Insns) != 6 {
		t.Errorf("--jit with a JIT: %v %q %d slots", err, out, len(got.Insns))
	}
}

// asmTestBytes decodes blank-separated hex bytes.
func asmTestBytes(s string) ([]byte, error) {
	var b []byte
	for _, f := range strings.Fields(s) {
		var c byte
		if _, err := fmt.Sscanf(f, "%02x", &c); err != nil {
			return nil, err
		}
		b = append(b, c)
	}
	return b, nil
}
