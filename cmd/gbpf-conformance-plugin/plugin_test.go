package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/verifier"
)

// upstreamHex encodes b as the upstream runner does: each byte as two hex
// digits followed by two spaces.
func upstreamHex(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "%02x  ", c)
	}
	return s.String()
}

// upstreamArgs builds the plugin's arguments as the upstream runner does:
// the memory first when there is any, then the plugin options, then --elf.
func upstreamArgs(mem []byte, pluginOptions []string, elf bool) []string {
	var args []string
	if len(mem) > 0 {
		args = append(args, upstreamHex(mem))
	}
	args = append(args, pluginOptions...)
	if elf {
		args = append(args, "--elf")
	}
	return args
}

// TestPluginBinary builds the plugin and runs the whole suite through it,
// speaking the upstream protocol, on the default engine and both
// interpreter modes.
func TestPluginBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	dir := testutil.SharedDir(t, "conformance", "bpf_conformance", "tests")
	bin := filepath.Join(t.TempDir(), "plugin")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.data"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no tests: %v", err)
	}
	passed := 0
	for i, path := range paths {
		tc, err := conformance.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := conformance.Program(tc)
		if err != nil {
			t.Fatal(err)
		}
		// Alternate the engine option (and its spelling) over the tests.
		var opts []string
		switch i % 3 {
		case 1:
			opts = []string{"--engine", "interp-checked"}
		case 2:
			opts = []string{"--engine=interp", ""} // "" as from a doubly spaced --plugin_options
		}
		elf := i%4 == 0
		input := p.Encode()
		if elf {
			input = buildELF(input)
		}
		cmd := exec.Command(bin, upstreamArgs(tc.Mem, opts, elf)...)
		cmd.Stdin = strings.NewReader(upstreamHex(input) + "\n")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("%s: %v: %s", tc.Name, err, stderr.String())
			continue
		}
		got, err := strconv.ParseUint(strings.TrimSpace(stdout.String()), 16, 64)
		if err != nil {
			t.Errorf("%s: output %q: %v", tc.Name, stdout.String(), err)
			continue
		}
		if got != tc.Result {
			t.Errorf("%s: r0 = %#x, want %#x", tc.Name, got, tc.Result)
			continue
		}
		passed++
	}
	t.Logf("%d of %d tests passed through the plugin", passed, len(paths))
}

func TestPluginErrors(t *testing.T) {
	exitProg := "b7 00 00 00 07 00 00 00 95 00 00 00 00 00 00 00"
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string
		stderr string
	}{
		{"ok", nil, exitProg, 0, "7\n", ""},
		{"--program", []string{"--program", exitProg}, "", 0, "7\n", ""},
		{"--program and memory", []string{"--program", "71 10 01 00 00 00 00 00 95 00 00 00 00 00 00 00", "00 2a"}, "", 0, "2a\n", ""},
		{"help", []string{"--help"}, "", 1, "", "usage"},
		{"unknown option", []string{"--frobnicate"}, exitProg, 1, "", `unknown option "--frobnicate"`},
		{"unknown engine", []string{"--engine", "nope"}, exitProg, 1, "", `unknown engine "nope"`},
		{"extra argument", []string{"00", "11"}, exitProg, 1, "", `unexpected argument "11"`},
		{"bad program hex", nil, "b7 zz", 1, "", `program: byte 1: "zz"`},
		{"bad memory hex", []string{"0g"}, exitProg, 1, "", `memory: byte 0`},
		{"no program", nil, "\n", 1, "", "no program"},
		{"partial instruction", nil, "b7 00 00", 1, "", "not a multiple of 8"},
		{"invalid instruction", nil, "ff 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00", 1, "", "instruction 0: unknown opcode"},
		{"fault", nil, "71 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00", 1, "", "instruction 0: invalid memory access"},
		{"fault on jit", []string{"--engine", "jit"}, "71 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00", 1, "", "instruction 0: invalid memory access"},
		{"verified, debug", []string{"00 2a", "--debug", "--engine", "interp"}, "71 10 01 00 00 00 00 00 95 00 00 00 00 00 00 00", 0, "2a\n", "verified; running on interpreter\n"},
		{"rejected, debug", []string{"00 2a", "--debug"}, "71 10 02 00 00 00 00 00 95 00 00 00 00 00 00 00", 1, "",
			"verifier: insn 0: invalid access to memory, mem_size=2 off=2 size=1; running on checked\nprogram main: instruction 0: invalid memory access"},
		{"endless standard input", nil, strings.Repeat("b7 ", 22<<20), 1, "", "longer than 64 MiB"},
		{"not an ELF", []string{"--elf"}, exitProg, 1, "", "elf:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code || stdout.String() != tt.stdout || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr containing %q",
					code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

// TestPluginUnverified runs programs that touch memory outside their stack
// (sandbox finding F10) through the plugin on every engine: each is
// stopped by the checked interpreter at the instruction the verifier
// rejects.
func TestPluginUnverified(t *testing.T) {
	testutil.RunUnverified(t, func(t *testing.T, u testutil.Unverified) {
		p, err := asm.Assemble(u.Asm)
		if err != nil {
			t.Fatal(err)
		}
		checked, rejected, err := conformance.NewProgram("main", p, nil, gbpf.EngineDefault)
		if err != nil {
			t.Fatal(err)
		}
		var ve *verifier.Error
		if !errors.As(rejected, &ve) {
			t.Fatalf("verifier: %v", rejected)
		}
		stops := u.Stops()
		if err := stops.Reject(ve.Insn); err != nil {
			t.Fatal(err)
		}
		_, err = conformance.Run(checked, nil)
		checked.Close()
		var f *abi.Fault
		if !errors.As(err, &f) {
			t.Fatalf("checked run: %v", err)
		}
		if err := stops.Stop(f.PC); err != nil {
			t.Fatal(err)
		}
		for _, e := range []string{"", "default", "interpreter", "checked", "jit", "interp", "interp-checked", "jit-always"} {
			args := []string{"--debug"}
			if e != "" {
				args = append(args, "--engine", e)
			}
			var stdout, stderr bytes.Buffer
			code := run(args, strings.NewReader(upstreamHex(p.Encode())), &stdout, &stderr)
			rejected := fmt.Sprintf("verifier: insn %d: ", stops.Rejected)
			fault := fmt.Sprintf("; running on checked\nprogram main: instruction %d: invalid memory access", stops.Stopped)
			if code != 1 || stdout.Len() != 0 || !strings.Contains(stderr.String(), rejected) || !strings.Contains(stderr.String(), fault) {
				t.Errorf("engine %q: exit %d, stdout %q, stderr %q; want %q...%q", e, code, stdout.String(), stderr.String(), rejected, fault)
			}
		}
	})
}

// buildELF wraps code in a minimal relocatable eBPF ELF object, as the
// upstream runner's --elf mode does: sections .text, .strtab, .symtab and
// .shstrtab, and a global function symbol "main" covering the code.
func buildELF(code []byte) []byte {
	le := binary.LittleEndian
	shstrtab := []byte("\x00.text\x00.strtab\x00.symtab\x00.shstrtab\x00")
	strtab := []byte("\x00main\x00")
	sym := make([]byte, 48)                   // the null symbol, then main
	le.PutUint32(sym[24:], 1)                 // st_name: "main"
	sym[28] = byte(1<<4 | 2)                  // STB_GLOBAL, STT_FUNC
	le.PutUint16(sym[30:], 1)                 // st_shndx: .text
	le.PutUint64(sym[40:], uint64(len(code))) // st_size

	var body bytes.Buffer
	body.Write(make([]byte, 64)) // the ELF header, written below
	offset := func(b []byte) uint64 {
		for body.Len()%8 != 0 {
			body.WriteByte(0)
		}
		o := uint64(body.Len())
		body.Write(b)
		return o
	}
	textOff, strOff, symOff, shstrOff := offset(code), offset(strtab), offset(sym), offset(shstrtab)
	for body.Len()%8 != 0 {
		body.WriteByte(0)
	}
	shoff := uint64(body.Len())
	section := func(name, typ uint32, flags, off, size uint64, link, info uint32, align, entsize uint64) {
		var s [64]byte
		le.PutUint32(s[0:], name)
		le.PutUint32(s[4:], typ)
		le.PutUint64(s[8:], flags)
		le.PutUint64(s[24:], off)
		le.PutUint64(s[32:], size)
		le.PutUint32(s[40:], link)
		le.PutUint32(s[44:], info)
		le.PutUint64(s[48:], align)
		le.PutUint64(s[56:], entsize)
		body.Write(s[:])
	}
	section(0, 0, 0, 0, 0, 0, 0, 0, 0)
	section(1, 1, 0x2|0x4, textOff, uint64(len(code)), 0, 0, 8, 0) // .text: PROGBITS, ALLOC|EXECINSTR
	section(7, 3, 0, strOff, uint64(len(strtab)), 0, 0, 1, 0)      // .strtab
	section(15, 2, 0, symOff, uint64(len(sym)), 2, 1, 8, 24)       // .symtab, link .strtab
	section(23, 3, 0, shstrOff, uint64(len(shstrtab)), 0, 0, 1, 0) // .shstrtab
	b := body.Bytes()
	copy(b, "\x7fELF\x02\x01\x01")
	le.PutUint16(b[16:], 1)   // ET_REL
	le.PutUint16(b[18:], 247) // EM_BPF
	le.PutUint32(b[20:], 1)   // EV_CURRENT
	le.PutUint64(b[40:], shoff)
	le.PutUint16(b[52:], 64) // e_ehsize
	le.PutUint16(b[58:], 64) // e_shentsize
	le.PutUint16(b[60:], 5)  // e_shnum
	le.PutUint16(b[62:], 4)  // e_shstrndx
	return b
}

func TestPluginELF(t *testing.T) {
	code := []byte{0xb7, 0, 0, 0, 0x2a, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}
	good := buildELF(code)
	wrongMachine := bytes.Clone(good)
	binary.LittleEndian.PutUint16(wrongMachine[18:], 62) // EM_X86_64
	noMain := bytes.Clone(good)
	copy(noMain[bytes.Index(noMain, []byte("\x00main\x00"))+1:], "nain")
	badSize := buildELF(code)
	// main's st_size is the last 8 bytes of the symbol table, which ends
	// where .shstrtab begins (both 8-aligned here).
	sym := bytes.Index(badSize, []byte("\x00.text\x00.strtab")) - 8
	binary.LittleEndian.PutUint64(badSize[sym:], 1000)
	tests := []struct {
		name, stdout, stderr string
		elf                  []byte
	}{
		{"main", "2a\n", "", good},
		{"not BPF", "", "not BPF", wrongMachine},
		{"no main: first executable section", "2a\n", "", noMain},
		{"main outside its section", "", "outside its section", badSize},
		{"truncated", "", "elf:", good[:40]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"--elf"}, strings.NewReader(upstreamHex(tt.elf)), &stdout, &stderr)
			if stdout.String() != tt.stdout || !strings.Contains(stderr.String(), tt.stderr) || (code == 0) != (tt.stdout != "") {
				t.Errorf("exit %d, stdout %q, stderr %q; want stdout %q, stderr containing %q", code, stdout.String(), stderr.String(), tt.stdout, tt.stderr)
			}
		})
	}
}
