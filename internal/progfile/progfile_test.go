package progfile

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
)

// movExit is "mov %r0, 1; exit".
var movExit = []byte{
	0xb7, 0, 0, 0, 1, 0, 0, 0,
	0x95, 0, 0, 0, 0, 0, 0, 0,
}

func TestParse(t *testing.T) {
	other := []byte{0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}
	obj := testutil.BPFObject(
		testutil.ELFSection{Name: ".rodata", Data: []byte("12345678")},
		testutil.ELFSection{Name: ".text", Data: nil, Exec: true},
		testutil.ELFSection{Name: "xdp", Data: movExit, Exec: true, Symbol: "f"},
		testutil.ELFSection{Name: "tc", Data: other, Exec: true, Symbol: "g"},
	)
	tests := []struct {
		name    string
		in      []byte
		opts    Options
		kind    Kind
		want    []byte
		mem     []byte
		section string
	}{
		{"asm", []byte("# r0 = 1\nmov %r0, 1\nexit\n"), Options{}, KindAsm, movExit, nil, ""},
		{"hex bytes", []byte("b7 00 00 00 01 00 00 00\n95 00 00 00 00 00 00 00 # exit\n"), Options{}, KindHex, movExit, nil, ""},
		{"hex runs", []byte("b700000001000000\n9500000000000000\n"), Options{}, KindHex, movExit, nil, ""},
		{"hex words", []byte("0x00000001000000b7\n0x0000000000000095\n"), Options{}, KindHex, movExit, nil, ""},
		{"raw", movExit, Options{}, KindRaw, movExit, nil, ""},
		{"data asm", []byte("-- asm\nmov %r0, 1\nexit\n-- mem\n01 02\n-- result\n0x1\n"), Options{}, KindData, movExit, []byte{1, 2}, ""},
		{"data raw wins", []byte("-- asm\nmov %r0, 2\nexit\n-- raw\n0x00000001000000b7\n0x0000000000000095\n-- result\n0x1\n"), Options{}, KindData, movExit, nil, ""},
		{"data mem-size", []byte("-- asm\nmov %r0, 1\nexit\n-- mem-size\n3\n-- result\n0x1\n"), Options{}, KindData, movExit, []byte{7, 38, 69}, ""},
		{"elf first code section", obj, Options{}, KindELF, movExit, nil, "xdp"},
		{"elf by name", obj, Options{Section: "tc"}, KindELF, other, nil, "tc"},
		{"forced raw", []byte("exit\n\n\n\n"), Options{Kind: KindRaw}, KindRaw, []byte("exit\n\n\n\n"), nil, ""},
		{"forced asm", []byte("exit\n"), Options{Kind: KindAsm}, KindAsm, movExit[8:], nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("prog", tt.in, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if f.Kind != tt.kind {
				t.Errorf("kind %v, want %v", f.Kind, tt.kind)
			}
			if got := f.Program.Encode(); !bytes.Equal(got, tt.want) {
				t.Errorf("program %x, want %x", got, tt.want)
			}
			if !reflect.DeepEqual(f.Memory, tt.mem) {
				t.Errorf("memory %v, want %v", f.Memory, tt.mem)
			}
			if f.Section != tt.section {
				t.Errorf("section %q, want %q", f.Section, tt.section)
			}
			if (f.Test != nil) != (tt.kind == KindData) {
				t.Errorf("Test %v for kind %v", f.Test, f.Kind)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	obj := testutil.BPFObject(testutil.ELFSection{Name: "xdp", Data: movExit, Exec: true})
	dataObj := testutil.BPFObject(testutil.ELFSection{Name: ".data", Data: movExit})
	oddObj := testutil.BPFObject(testutil.ELFSection{Name: "xdp", Data: movExit[:12], Exec: true})
	tests := []struct {
		name string
		in   []byte
		opts Options
		want string
	}{
		{"asm error", []byte("mov %r0, 1\n  jne %r0, 1, nowhere\nexit\n"), Options{}, "p.o:2:15: Invalid label: nowhere"},
		{"data asm error", []byte("# head\n-- asm\nmov %r0, 1\nmov %r0, %r11\nexit\n-- result\n0\n"), Options{}, "p.o:4:10: Invalid register: %r11"},
		{"data parse error", []byte("-- asm\nexit\n-- results\n0\n"), Options{}, "p.o:3: unknown directive"},
		{"raw length", movExit[:12], Options{}, "p.o: raw bytecode: program is 12 bytes"},
		{"hex length", []byte("b7 00 00 00\n"), Options{}, "p.o: hex text: program is 4 bytes"},
		{"empty", nil, Options{}, "p.o:1:1: No instructions"},
		{"elf missing section", obj, Options{Section: "kprobe"}, `p.o: no section "kprobe" (code sections: xdp)`},
		{"elf without code", dataObj, Options{}, "p.o: no executable section"},
		{"elf odd section", oddObj, Options{}, "p.o: section xdp: program is 12 bytes"},
		{"elf truncated", obj[:100], Options{}, "p.o: "},
		{"section of non-elf", []byte("exit\n"), Options{Section: "xdp"}, "only be chosen in an ELF object"},
		{"forced elf", []byte("exit\n"), Options{Kind: KindELF}, "p.o: EOF"},
		{"forced hex", []byte("exit\n"), Options{Kind: KindHex}, `p.o:1: invalid hex "exit"`},
		{"bad kind", []byte("exit\n"), Options{Kind: Kind(42)}, "unknown file kind Kind(42)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("p.o", tt.in, tt.opts)
			if err == nil {
				t.Fatalf("got %+v, want error %q", f, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want %q", err, tt.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		in   string
		want Kind
	}{
		{"\x7fELF\x02\x01", KindELF},
		{"\xb7\x00\x00\x00\x01\x00\x00\x00", KindRaw},
		{"-- asm\nexit\n", KindData},
		{"# t\n-- asm\nexit\n", KindData},
		{"exit\n", KindAsm},
		{"be16 %r1\nexit\n", KindAsm},
		{"add %r0, 1\n", KindAsm},
		{"95 00 00 00 00 00 00 00", KindHex},
		{"0x95\n", KindHex},
		{"# only a comment\n", KindAsm},
		{"", KindAsm},
		{"b7 0", KindAsm}, // an odd number of digits is not hex text
	}
	for _, tt := range tests {
		if got := Detect([]byte(tt.in)); got != tt.want {
			t.Errorf("Detect(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestLoadShared(t *testing.T) {
	bench := testutil.SharedDir(t, "bench")
	f, err := Load(filepath.Join(bench, "memsum.data"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != KindData || len(f.Memory) != 65536 || f.Memory[1] != 38 || len(f.Program.Insns) == 0 {
		t.Errorf("memsum: kind %v, %d bytes of memory, %d slots", f.Kind, len(f.Memory), len(f.Program.Insns))
	}
	tests := testutil.SharedDir(t, "conformance", "bpf_conformance", "tests")
	f, err = Load(filepath.Join(tests, "lddw.data"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Program.Insns) != 3 || f.Program.Imm64(0) != 0x1122334455667788 {
		t.Errorf("lddw: %v", f.Program.Insns)
	}
	// Every test file reads as "gbpf conformance" reads it.
	paths, _ := filepath.Glob(filepath.Join(tests, "*.data"))
	for _, path := range paths {
		f, err := Load(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		tc, err := conformance.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := conformance.Program(tc)
		if err != nil {
			t.Fatal(err)
		}
		if f.Kind != KindData || !slices.Equal(f.Program.Insns, p.Insns) {
			t.Errorf("%s: read as %v, %d slots; want data, %d slots", filepath.Base(path), f.Kind, len(f.Program.Insns), len(p.Insns))
		}
	}
	f, err = Load(filepath.Join(tests, "mem-len.data"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.Memory, []byte{0, 0, 0, 1, 0, 0, 0, 2}) {
		t.Errorf("mem-len memory %x", f.Memory)
	}
}

func TestLoadFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.bin")
	if err := os.WriteFile(path, movExit, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != path || f.Kind != KindRaw || len(f.Program.Insns) != 2 {
		t.Errorf("got %+v", f)
	}
	// A comment with a control character makes a test file look binary;
	// its name says what it is.
	data := []byte("# \x7f\n-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n")
	if k := Detect(data); k != KindRaw {
		t.Errorf("Detect = %v", k)
	}
	if f, err := Parse("t.data", data, Options{}); err != nil || f.Kind != KindData || len(f.Program.Insns) != 2 {
		t.Errorf("t.data: %+v, %v", f, err)
	}
	if _, err := Load("/dev/zero"); err == nil || err.Error() != "/dev/zero: larger than 64 MiB, the most a program file may be" {
		t.Errorf("/dev/zero: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil || !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindAuto: "auto", KindAsm: "assembler", KindData: "data", KindHex: "hex", KindRaw: "raw", KindELF: "ELF", Kind(9): "Kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("%d: %q, want %q", int(k), got, want)
		}
	}
}

func TestParseKind(t *testing.T) {
	for _, k := range []Kind{KindAuto, KindAsm, KindData, KindHex, KindRaw, KindELF} {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	if got, err := ParseKind("asm"); err != nil || got != KindAsm {
		t.Errorf("ParseKind(asm) = %v, %v", got, err)
	}
	if _, err := ParseKind("pe"); err == nil {
		t.Errorf("ParseKind(pe): no error")
	}
}

// FuzzParse checks that no input makes Parse panic, and that whatever it
// reads is whole slots.
func FuzzParse(f *testing.F) {
	f.Add([]byte("mov %r0, 1\nexit\n"))
	f.Add([]byte("-- asm\nexit\n-- mem-size\n4\n-- result\n0\n"))
	f.Add([]byte("b7 00 00 00 01 00 00 00\n"))
	f.Add(movExit)
	f.Add(testutil.BPFObject(testutil.ELFSection{Name: "xdp", Data: movExit, Exec: true, Symbol: "f"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		fl, err := Parse("fuzz", b, Options{})
		if err != nil {
			return
		}
		if len(fl.Program.Encode()) != len(fl.Program.Insns)*isa.InstructionSize {
			t.Fatalf("bad program")
		}
	})
}

// TestLoadClangObject reads testdata/prog.o, built by clang from prog.c:
// the default is the first code section (.text, the static function),
// and a section by name gives its bytes without relocations applied.
func TestLoadClangObject(t *testing.T) {
	tests := []struct {
		section, want string
		slots         int
	}{
		{"", ".text", 3},
		{"xdp", "xdp", 2},
		{"tc", "tc", 5},
	}
	for _, tt := range tests {
		f, err := LoadOptions(filepath.Join("testdata", "prog.o"), Options{Section: tt.section})
		if err != nil {
			t.Fatal(err)
		}
		if f.Kind != KindELF || f.Section != tt.want || len(f.Program.Insns) != tt.slots {
			t.Errorf("section %q: kind %v, section %q, %d slots", tt.section, f.Kind, f.Section, len(f.Program.Insns))
		}
		if err := isa.Validate(f.Program); err != nil {
			t.Errorf("section %q: %v", tt.section, err)
		}
	}
	f, err := LoadOptions(filepath.Join("testdata", "prog.o"), Options{Section: "tc"})
	if err != nil {
		t.Fatal(err)
	}
	// The bpf-to-bpf call still has clang's placeholder offset -1; the
	// loader resolves it from the relocation.
	if call := f.Program.Insns[3]; !call.IsLocalCall() || call.Imm != -1 {
		t.Errorf("tc call: %v", call)
	}
	if _, err := LoadOptions(filepath.Join("testdata", "prog.o"), Options{Section: "license"}); err == nil || !strings.Contains(err.Error(), "section license: program is 4 bytes") {
		t.Errorf("license section: %v", err)
	}
}
