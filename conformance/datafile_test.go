package conformance

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/testutil"
)

func TestParseData(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Test
	}{
		{
			name: "asm and result",
			in:   "# header\n-- asm\nmov %r0, 1 # one\n\nexit\n\n-- result\n0x1\n",
			want: Test{Asm: "mov %r0, 1 # one\n\nexit\n", AsmLine: 3, Result: 1, HasResult: true},
		},
		{
			name: "raw words",
			in:   "-- raw\n0x5566778800000018\n0x1122334400000000 # hi\n0x0000000000000095\n-- result\n0x1122334455667788",
			want: Test{
				Raw: []byte{
					0x18, 0, 0, 0, 0x88, 0x77, 0x66, 0x55,
					0, 0, 0, 0, 0x44, 0x33, 0x22, 0x11,
					0x95, 0, 0, 0, 0, 0, 0, 0,
				},
				Result: 0x1122334455667788, HasResult: true,
			},
		},
		{
			name: "raw bytes and empty error",
			in:   "# c\n-- raw\n07 00 01 00 01 00 00 00\n95 00 00 00 00 00 00 00\n-- error\n",
			want: Test{
				Raw:      []byte{7, 0, 1, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0},
				HasError: true,
			},
		},
		{
			name: "error text without newline",
			in:   "-- asm\nlock\nexit\n-- error\nInvalid number of operands for lock",
			want: Test{Asm: "lock\nexit\n", AsmLine: 2, Error: "Invalid number of operands for lock", HasError: true},
		},
		{
			name: "mem and informational sections",
			in:   "-- asm\nmov %r0, %r2\nexit\n-- mem\n00 00 00 01\n00 00 00 02\n-- no register offset\ncall instruction\n-- result\n0x8\n",
			want: Test{Asm: "mov %r0, %r2\nexit\n", AsmLine: 2, Mem: []byte{0, 0, 0, 1, 0, 0, 0, 2}, Result: 8, HasResult: true},
		},
		{
			name: "c section with preprocessor lines and decrements",
			in:   "-- c\n#include <stdint.h>\nint f(int i) { return i--; }\n-- asm\nexit\n-- result\n0\n",
			want: Test{Asm: "exit\n", AsmLine: 5, HasResult: true},
		},
		{
			name: "mem-size and CRLF",
			in:   "-- asm\r\nmov %r0, 0\r\nexit\r\n-- mem-size\r\n65536\r\n-- result\r\n0xffffffffffffffff\r\n",
			want: Test{Asm: "mov %r0, 0\nexit\n", AsmLine: 2, MemSize: 65536, Result: ^uint64(0), HasResult: true},
		},
		{
			name: "decimal negative result",
			in:   "-- asm\nexit\n-- result\n-1\n",
			want: Test{Asm: "exit\n", AsmLine: 2, Result: ^uint64(0), HasResult: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseData("x.data", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Name = "x"
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestParseDataErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"unknown directive", "-- asm\nexit\n-- Unknown directive\n-- result\n0", "t.data:3: unknown directive \"-- Unknown directive\""},
		{"no program", "# just a comment\n", "t.data: no program"},
		{"only result", "-- result\n0x0\n", "t.data: no program"},
		{"comment-only asm", "-- asm\n# nothing\n-- result\n0\n", "t.data: no program"},
		{"text before sections", "hello\n-- asm\nexit\n", "t.data:1: text outside a section"},
		{"bad result", "-- asm\nexit\n-- result\n0xzz\n", "t.data:4: invalid result \"0xzz\""},
		{"two results", "-- asm\nexit\n-- result\n1\n2\n", "t.data:5: more than one value"},
		{"empty result", "-- asm\nexit\n-- result\n", "t.data:3: empty -- result section"},
		{"bad mem byte", "-- asm\nexit\n-- mem\n00 1g\n", "t.data:4: invalid memory byte \"1g\""},
		{"bad mem-size", "-- asm\nexit\n-- mem-size\n-4\n", "t.data:4: invalid memory size \"-4\""},
		{"huge mem", "-- asm\nexit\n-- mem\n" + strings.Repeat("00 ", 1<<20) + "\n00\n", "t.data:5: more than 1048576 bytes of memory, the most a test may have"},
		{"huge mem-size", "-- asm\nexit\n-- mem-size\n2000000000\n", "t.data:4: memory size 2000000000 is larger than 1048576, the most a test may have"},
		{"bad raw word", "-- raw\n0x12345678901234567\n", "t.data:2: invalid 64-bit instruction word"},
		{"bad raw byte", "-- raw\n95 00 0g\n", "t.data:2: invalid raw byte \"0g\""},
		{"raw decimal word", "-- raw\n149\n", "t.data:2: invalid raw byte \"149\""},
		{"partial raw", "-- raw\n95 00 00\n", "t.data:1: raw program is 3 bytes, not a multiple of 8"},
		{"duplicate asm", "-- asm\nexit\n-- asm\nexit\n", "t.data:3: duplicate section \"-- asm\" (first at line 1)"},
		{"mem and mem-size", "-- asm\nexit\n-- mem\n00\n-- mem-size\n1\n", "t.data: both -- mem and -- mem-size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseData("t.data", []byte(tt.in))
			if err == nil {
				t.Fatalf("got %+v, want error %q", got, tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestInput(t *testing.T) {
	mem := &Test{Mem: []byte{1, 2, 3}}
	in := mem.Input()
	in[0] = 9
	if !bytes.Equal(mem.Mem, []byte{1, 2, 3}) {
		t.Errorf("Input aliases Mem")
	}
	sized := &Test{MemSize: 300}
	b := sized.Input()
	if len(b) != 300 || b[0] != 7 || b[1] != 38 || b[299] != byte((299*31+7)&0xff) {
		t.Errorf("pattern buffer wrong: len %d, %d %d %d", len(b), b[0], b[1], b[299])
	}
	if (&Test{}).Input() != nil {
		t.Errorf("Input of a test without memory is not nil")
	}
}

// TestParseDataShared parses every file of the shared conformance suite
// and benchmarks: all execution tests and workloads must parse with a
// program and an expected result.
func TestParseDataShared(t *testing.T) {
	dirs := []string{
		testutil.SharedDir(t, "conformance", "bpf_conformance", "tests"),
		testutil.SharedDir(t, "bench"),
	}
	n := 0
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.data"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			tc, err := ParseData(filepath.Base(f), b)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			if !tc.HasResult || tc.HasError {
				t.Errorf("%s: HasResult %v HasError %v", f, tc.HasResult, tc.HasError)
			}
			if tc.Asm == "" {
				t.Errorf("%s: no asm", f)
			}
			n++
		}
	}
	if n != 313+6 {
		t.Errorf("parsed %d files, want %d", n, 313+6)
	}
}

// TestParseDataNegative checks how the negative files parse: the unused-*
// files carry raw bytes and an empty expected error; empty*.data and the
// unknown directive are rejected by the parser itself.
func TestParseDataNegative(t *testing.T) {
	dir := testutil.SharedDir(t, "conformance", "bpf_conformance", "negative")
	files, err := filepath.Glob(filepath.Join(dir, "*.data"))
	if err != nil {
		t.Fatal(err)
	}
	rejected := map[string]string{
		"empty":                     "no program",
		"empty_instructions":        "no program",
		"invalid_unknown_directive": "unknown directive",
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".data")
		tc, err := ParseData(filepath.Base(f), b)
		if want, ok := rejected[name]; ok {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %v, want %q", name, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if strings.HasPrefix(name, "unused-") && (len(tc.Raw) != 16 || !tc.HasError || tc.Error != "") {
			t.Errorf("%s: raw %x, error %v %q", name, tc.Raw, tc.HasError, tc.Error)
		}
	}
}

// FuzzParseData checks that no input makes ParseData panic and that what
// it accepts is consistent.
func FuzzParseData(f *testing.F) {
	f.Add([]byte("-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n"))
	f.Add([]byte("-- raw\n0x0000000000000095\n-- mem\n01 02\n-- error\nboom\n"))
	f.Add([]byte("# c\n-- asm\nexit\n-- mem-size\n16\n-- no register offset\n-- c\nint x;\n-- result\n-1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tc, err := ParseData("fuzz.data", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.data") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(tc.Raw)%8 != 0 || tc.Asm == "" && len(tc.Raw) == 0 || tc.Mem != nil && tc.MemSize != 0 {
			t.Fatalf("inconsistent test %+v", tc)
		}
		if in := tc.Input(); len(in) != max(len(tc.Mem), tc.MemSize) {
			t.Fatalf("Input has %d bytes", len(in))
		}
	})
}
