package bpftool

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

// The golden files in testdata are bpftool 7.1's output: btf dump file
// OBJ (plain, -p, format c) for types.o and some of the examples, and
// map dump (plain, -j) of types.o's .data map loaded in the kernel.

// objectBTF returns the .BTF section of an ELF object.
func objectBTF(t testing.TB, path string) []byte {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := f.Section(".BTF")
	if s == nil {
		t.Fatalf("%s: no .BTF", path)
	}
	b, err := s.Data()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func goldenObject(name string) string {
	if name == "types" {
		return filepath.Join("testdata", "types.o")
	}
	return filepath.Join("..", "..", "examples", "bpf", name+".o")
}

func TestBTFDumpGoldens(t *testing.T) {
	goldens, _ := filepath.Glob(filepath.Join("testdata", "*.btf.txt"))
	if len(goldens) == 0 {
		t.Fatal("no golden files")
	}
	for _, g := range goldens {
		name := strings.TrimSuffix(filepath.Base(g), ".btf.txt")
		t.Run(name, func(t *testing.T) {
			b, err := ParseBTF(objectBTF(t, goldenObject(name)), nil)
			if err != nil {
				t.Fatal(err)
			}
			check := func(suffix string, dump func(*bytes.Buffer) error) {
				want, err := os.ReadFile(filepath.Join("testdata", name+suffix))
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				if err := dump(&got); err != nil {
					t.Fatal(err)
				}
				if got.String() != string(want) {
					t.Errorf("%s%s differs from bpftool's:\n%s", name, suffix, firstDiff(string(want), got.String()))
				}
			}
			check(".btf.txt", func(w *bytes.Buffer) error { return DumpRaw(w, nil, b, nil) })
			check(".btf.json", func(w *bytes.Buffer) error {
				j := NewJSONWriter(w, true)
				if err := DumpRaw(w, j, b, nil); err != nil {
					return err
				}
				return j.Close()
			})
			check(".btf.c", func(w *bytes.Buffer) error { return DumpC(w, b, nil) })
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range wl {
		if i >= len(gl) || wl[i] != gl[i] {
			g := "(end)"
			if i < len(gl) {
				g = gl[i]
			}
			return "line " + fmtInt(i+1) + ":\nbpftool: " + wl[i] + "\ngbpf:    " + g
		}
	}
	return "gbpf prints more lines"
}

func fmtInt(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return fmtInt(n/10) + string(rune('0'+n%10))
}

// TestFormatDataGolden formats types.o's .data map, as its initial
// contents, with the types cilium/ebpf reads (section offsets filled in
// as libbpf fills them for the kernel), against bpftool's dump of the map
// loaded in the kernel.
func TestFormatDataGolden(t *testing.T) {
	spec, err := ebpf.LoadCollectionSpec(goldenObject("types"))
	if err != nil {
		t.Fatal(err)
	}
	ms := spec.Maps[".data"]
	if ms == nil || len(ms.Contents) != 1 {
		t.Fatalf(".data map spec: %+v", ms)
	}
	value := ms.Contents[0].Value.([]byte)
	builder, err := btf.NewBuilder(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := builder.Add(ms.Value)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := builder.Marshal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseBTF(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 4)

	var plain bytes.Buffer
	j := NewJSONWriter(&plain, true)
	j.StartArray()
	j.StartObject()
	j.Name("value")
	if err := (&ValueFormatter{BTF: b, Plain: true}).Format(j, uint32(id), value); err != nil {
		t.Fatal(err)
	}
	j.EndObject()
	j.EndArray()
	j.Close()
	if want, _ := os.ReadFile(filepath.Join("testdata", "types.data.txt")); plain.String() != string(want) {
		t.Errorf("plain dump differs from bpftool's:\n%s", firstDiff(string(want), plain.String()))
	}

	var js bytes.Buffer
	j = NewJSONWriter(&js, false)
	j.StartArray()
	j.StartObject()
	j.Name("key")
	j.HexBytes(key)
	j.Name("value")
	j.HexBytes(value)
	j.Name("formatted")
	j.StartObject()
	j.Name("value")
	if err := (&ValueFormatter{BTF: b}).Format(j, uint32(id), value); err != nil {
		t.Fatal(err)
	}
	j.EndObject()
	j.EndObject()
	j.EndArray()
	j.Close()
	if want, _ := os.ReadFile(filepath.Join("testdata", "types.data.json")); js.String() != string(want) {
		t.Errorf("JSON dump differs from bpftool's:\nbpftool: %s\ngbpf:    %s", want, js.String())
	}
}

func TestJSONWriterLayout(t *testing.T) {
	for _, pretty := range []bool{false, true} {
		var b bytes.Buffer
		j := NewJSONWriter(&b, pretty)
		j.StartObject()
		j.UintField("id", 3)
		j.Name("ids")
		j.StartArray()
		j.Uint(1)
		j.Uint(2)
		j.EndArray()
		j.Name("empty")
		j.StartArray()
		j.EndArray()
		j.StringField("s", "a\"b\\c\td'")
		j.EndObject()
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		want := `{"id":3,"ids":[1,2],"empty":[],"s":"a\"b\\c\td\'"}` + "\n"
		if pretty {
			want = "{\n    \"id\": 3,\n    \"ids\": [1,2\n    ],\n    \"empty\": [],\n    \"s\": \"a\\\"b\\\\c\\td\\'\"\n}\n"
		}
		if b.String() != want {
			t.Errorf("pretty=%v: got %q, want %q", pretty, b.String(), want)
		}
	}
}

// insn encodes one instruction slot.
func insn(code, dst, src uint8, off int16, imm int32) []byte {
	b := make([]byte, 8)
	b[0], b[1] = code, src<<4|dst
	binary.LittleEndian.PutUint16(b[2:], uint16(off))
	binary.LittleEndian.PutUint32(b[4:], uint32(imm))
	return b
}

type testSyms struct{}

func (testSyms) Call(imm int32) string {
	if imm == 1000 {
		return "htab_map_lookup_elem"
	}
	return ""
}
func (testSyms) Helper(id int32) string {
	if id == 1 {
		return "bpf_map_lookup_elem"
	}
	return ""
}
func (testSyms) SubprogCall(in Insn) string { return "+" + fmtInt(int(in.Off)) }

// TestFormatInsn checks the kernel disassembler's text (bpftool 7.1's
// copy of kernel/bpf/disasm.c) instruction by instruction.
func TestFormatInsn(t *testing.T) {
	for _, c := range []struct {
		raw  []byte
		want string
	}{
		{insn(0xb7, 0, 0, 0, 2), "(b7) r0 = 2"},
		{insn(0xb4, 1, 0, 0, -1), "(b4) w1 = -1"},
		{insn(0xbf, 1, 2, 0, 0), "(bf) r1 = r2"},
		{insn(0xbf, 1, 2, 8, 0), "(bf) r1 = (s8)r2"},
		{insn(0xbf, 0, 0, -1, 0), "(bf) r0 = r0"},
		{insn(0x87, 3, 0, 0, 0), "(87) r3 = -r3"},
		{insn(0xdc, 2, 0, 0, 16), "(dc) r2 = be16 r2"},
		{insn(0xd4, 2, 0, 0, 32), "(d4) r2 = le32 r2"},
		{insn(0x3f, 1, 2, 1, 0), "(3f) r1 s/= r2"},
		{insn(0x79, 7, 1, 8, 0), "(79) r7 = *(u64 *)(r1 +8)"},
		{insn(0x63, 10, 1, -4, 0), "(63) *(u32 *)(r10 -4) = r1"},
		{insn(0x72, 10, 0, -1, 7), "(72) *(u8 *)(r10 -1) = 7"},
		{insn(0xdb, 0, 1, 0, 0), "(db) lock *(u64 *)(r0 +0) += r1"},
		{insn(0xc3, 0, 1, 4, 0x01), "(c3) r1 = atomic_fetch_add((u32 *)(r0 +4), r1)"},
		{insn(0xdb, 0, 2, 0, 0xf1), "(db) r0 = atomic64_cmpxchg((u64 *)(r0 +0), r0, r2)"},
		{insn(0x55, 2, 0, 40, 8), "(55) if r2 != 0x8 goto pc+40"},
		{insn(0x2d, 1, 7, 45, 0), "(2d) if r1 > r7 goto pc+45"},
		{insn(0x16, 1, 0, -3, -1), "(16) if w1 == 0xffffffff goto pc-3"},
		{insn(0x05, 0, 0, 29, 0), "(05) goto pc+29"},
		{insn(0x95, 0, 0, 0, 0), "(95) exit"},
		{insn(0x85, 0, 0, 0, 1), "(85) call bpf_map_lookup_elem#1"},
		{insn(0x85, 0, 0, 0, 1000), "(85) call htab_map_lookup_elem#1000"},
		{insn(0x85, 0, 0, 0, 999999), "(85) call unknown#999999"},
		{insn(0x85, 0, 1, 5, 3), "(85) call pc+5"},
		{insn(0x30, 0, 0, 0, 12), "(30) r0 = *(u8 *)skb[12]"},
		{append(insn(0x18, 1, 1, 0, 26), insn(0, 0, 0, 0, 0)...), "(18) r1 = map[id:26]"},
		{append(insn(0x18, 1, 2, 0, 26), insn(0, 0, 0, 0, 8)...), "(18) r1 = map[id:26][0]+8"},
		{append(insn(0x18, 3, 0, 0, 1), insn(0, 0, 0, 0, 2)...), "(18) r3 = 0x200000001"},
	} {
		slots, err := DecodeInsns(c.raw)
		if err != nil {
			t.Fatal(err)
		}
		got, n := FormatInsn(slots, 0, testSyms{})
		if got != c.want || n != len(slots) {
			t.Errorf("% x: got %q (%d slots), want %q (%d)", c.raw, got, n, c.want, len(slots))
		}
	}
	if _, err := DecodeInsns(make([]byte, 7)); err == nil {
		t.Error("7 bytes of bytecode: no error")
	}
}

func TestParseBTFErrors(t *testing.T) {
	good := objectBTF(t, goldenObject("hash_counter"))
	corrupt := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for _, c := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"short", good[:10], "too short for a header"},
		{"magic", corrupt(func(b []byte) []byte { b[0] = 0; return b }), "bad magic"},
		{"version", corrupt(func(b []byte) []byte { b[2] = 9; return b }), "unsupported version 9"},
		{"sections past the end", corrupt(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 1<<30); return b }), "past the end"},
		{"truncated types", corrupt(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[12:], binary.LittleEndian.Uint32(b[12:])-2)
			return b
		}), "at offset"},
		{"name offset", corrupt(func(b []byte) []byte {
			// The first type's name offset, past the strings.
			binary.LittleEndian.PutUint32(b[24+binary.LittleEndian.Uint32(b[8:]):], 1<<20)
			return b
		}), "past the string section"},
	} {
		if _, err := ParseBTF(c.raw, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// FuzzParseBTF feeds arbitrary blobs to the parser and, when they parse,
// to every printer: errors are fine, panics are not.
func FuzzParseBTF(f *testing.F) {
	for _, name := range []string{"types", "hash_counter", "globals", "tail_call"} {
		f.Add(objectBTF(f, goldenObject(name)), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	}
	f.Fuzz(func(t *testing.T, raw, data []byte) {
		b, err := ParseBTF(raw, nil)
		if err != nil {
			return
		}
		var out bytes.Buffer
		DumpRaw(&out, nil, b, nil)
		DumpRaw(&out, NewJSONWriter(&out, true), b, nil)
		DumpC(&out, b, nil)
		for id := uint32(1); id <= b.LastID() && id < 200; id++ {
			Signature(b, id)
			for _, plain := range []bool{false, true} {
				(&ValueFormatter{BTF: b, Plain: plain}).Format(NewJSONWriter(&out, false), id, data)
			}
		}
	})
}
