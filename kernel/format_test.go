package kernel

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readFormat(t testing.TB, name string) *Format {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFormat(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestParseFormat(t *testing.T) {
	f := readFormat(t, "block_rq_issue.format")
	if f.Name != "block_rq_issue" || f.ID == 0 || !strings.HasPrefix(f.PrintFmt, `"%d,%d %s %u`) {
		t.Errorf("name %q id %d print fmt %q", f.Name, f.ID, f.PrintFmt)
	}
	tests := []struct {
		name         string
		typ          string
		offset, size int
		signed       bool
		arrayLen     int
		dataLoc      bool
	}{
		{"common_type", "unsigned short", 0, 2, false, 0, false},
		{"common_pid", "int", 4, 4, true, 0, false},
		{"dev", "dev_t", 8, 4, false, 0, false},
		{"sector", "sector_t", 16, 8, false, 0, false},
		{"bytes", "unsigned int", 28, 4, false, 0, false},
		{"rwbs", "char[10]", 34, 10, false, 10, false},
		{"comm", "char[16]", 44, 16, false, 16, false},
		{"cmd", "__data_loc char[]", 60, 4, false, 0, true},
	}
	for _, tt := range tests {
		fl := f.Field(tt.name)
		if fl == nil {
			t.Errorf("no field %s", tt.name)
			continue
		}
		if fl.Type != tt.typ || fl.Offset != tt.offset || fl.Size != tt.size || fl.Signed != tt.signed || fl.ArrayLen != tt.arrayLen || fl.DataLoc != tt.dataLoc {
			t.Errorf("field %s = %+v", tt.name, *fl)
		}
	}
	if f.Size() != 64 {
		t.Errorf("Size() = %d, want 64", f.Size())
	}
	if f.Field("nope") != nil {
		t.Error("Field(nope) != nil")
	}
}

func TestParseFormatErrors(t *testing.T) {
	good := "name: x\nID: 7\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\tsigned:1;\n"
	if _, err := ParseFormat([]byte(good)); err != nil {
		t.Fatalf("good format: %v", err)
	}
	tests := []struct{ in, want string }{
		{"ID: 7\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\tsigned:1;\n", "no name"},
		{"name: x\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\tsigned:1;\n", "no ID"},
		{"name: x\nID: 7\n", "no fields"},
		{"name: x\nID: seven\n", "line 2: bad ID"},
		{"name: x\nID: 7\nformat:\n\tfield:int a;\tsize:4;\tsigned:1;\n", "line 4: field \"a\": no offset"},
		{"name: x\nID: 7\nformat:\n\tfield:int a;\toffset:x;\tsize:4;\n", "line 4: field \"a\": offset"},
		{"name: x\nID: 7\nformat:\n\tfield:int a;\toffset:0;\tsize:0;\n", "size 0"},
		{"name: x\nID: 7\nformat:\n\tfield:int;\toffset:0;\tsize:4;\n", "no name"},
		{"name: x\nID: 7\nformat:\n\tfield:char a[4;\toffset:0;\tsize:4;\n", "bad array"},
		{"name: x\nID: 7\nformat:\n\tfield:__data_loc char[] a;\toffset:0;\tsize:2;\n", "dynamic field"},
		{"name: x\nID: 7\ngarbage here\n", "line 3: unexpected"},
		{"name: x\nID: 7\nformat:\n\tfield:int a;\toffset 0;\tsize:4;\n", "no colon"},
	}
	for _, tt := range tests {
		_, err := ParseFormat([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseFormat(%q) = %v, want error containing %q", tt.in, err, tt.want)
		}
	}
}

// issueRecord builds a block_rq_issue record as the kernel lays it out.
func issueRecord(pid int32, dev uint32, sector uint64, bytes uint32, rwbs, comm, cmd string) []byte {
	rec := make([]byte, 64, 80)
	binary.LittleEndian.PutUint16(rec[0:], 2104)
	binary.LittleEndian.PutUint32(rec[4:], uint32(pid))
	binary.LittleEndian.PutUint32(rec[8:], dev)
	binary.LittleEndian.PutUint64(rec[16:], sector)
	binary.LittleEndian.PutUint32(rec[24:], bytes/512)
	binary.LittleEndian.PutUint32(rec[28:], bytes)
	copy(rec[34:44], rwbs)
	copy(rec[44:60], comm)
	binary.LittleEndian.PutUint32(rec[60:], uint32(len(cmd)+1)<<16|64)
	rec = append(rec, cmd...)
	rec = append(rec, 0)
	return rec
}

func TestDecode(t *testing.T) {
	f := readFormat(t, "block_rq_issue.format")
	rec := issueRecord(-5, 254<<20, 12345, 4096, "WS", "dd", "")
	got, err := f.Decode(rec)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"common_type": uint64(2104), "common_pid": int64(-5), "dev": uint64(254 << 20), "sector": uint64(12345),
		"nr_sector": uint64(8), "bytes": uint64(4096), "rwbs": "WS", "comm": "dd", "cmd": "",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	rec = issueRecord(1, 0, 0, 0, "R", "kworker/0:1H", "ab")
	if s, err := f.Field("cmd").String(rec); err != nil || s != "ab" {
		t.Errorf("cmd = %q, %v", s, err)
	}
	if s, err := f.Field("comm").String(rec); err != nil || s != "kworker/0:1H" {
		t.Errorf("comm = %q, %v", s, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	f := readFormat(t, "block_rq_issue.format")
	rec := issueRecord(1, 0, 0, 0, "R", "x", "abc")
	if _, err := f.Decode(rec[:30]); err == nil || !strings.Contains(err.Error(), "past the 30-byte record") {
		t.Errorf("short record: %v", err)
	}
	binary.LittleEndian.PutUint32(rec[60:], 100<<16|64)
	if _, err := f.Field("cmd").String(rec); err == nil || !strings.Contains(err.Error(), "data [64, 164)") {
		t.Errorf("data_loc past the end: %v", err)
	}
	if _, err := f.Field("comm").Uint(rec); err == nil {
		t.Error("Uint of a 16-byte field: no error")
	}
}

func TestRelLoc(t *testing.T) {
	f, err := ParseFormat([]byte("name: r\nID: 1\nformat:\n\tfield:__rel_loc char[] s;\toffset:8;\tsize:4;\tsigned:0;\n"))
	if err != nil {
		t.Fatal(err)
	}
	rec := make([]byte, 16)
	binary.LittleEndian.PutUint32(rec[8:], 3<<16) // 3 bytes at offset 0: right after the field
	copy(rec[12:], "hi\x00")
	if s, err := f.Field("s").String(rec); err != nil || s != "hi" {
		t.Errorf("rel_loc string = %q, %v", s, err)
	}
}

func TestParseCPUList(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		bad  bool
	}{
		{"0", []int{0}, false},
		{"0-3", []int{0, 1, 2, 3}, false},
		{"0,2-3,7", []int{0, 2, 3, 7}, false},
		{"", nil, true},
		{"3-1", nil, true},
		{"a", nil, true},
		{"1-b", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseCPUList(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("ParseCPUList(%q) error %v", tt.in, err)
			continue
		}
		if !tt.bad && !slices.Equal(got, tt.want) {
			t.Errorf("ParseCPUList(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseFormat(f *testing.F) {
	for _, name := range []string{"block_rq_issue.format", "block_rq_complete.format"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte{})
	}
	f.Add([]byte("name: r\nID: 1\nformat:\n\tfield:__rel_loc char[] s;\toffset:8;\tsize:4;\tsigned:0;\n"), make([]byte, 16))
	f.Fuzz(func(t *testing.T, format, rec []byte) {
		fm, err := ParseFormat(format)
		if err != nil {
			return
		}
		_, _ = fm.Decode(rec)
	})
}
