package testutil

import (
	"bytes"
	"debug/elf"
	"testing"
)

func TestBPFObject(t *testing.T) {
	code := []byte{0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}
	obj := BPFObject(
		ELFSection{Name: ".text", Data: code, Exec: true, Symbol: "prog"},
		ELFSection{Name: ".rodata", Data: []byte("abc")},
	)
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	if f.Machine != elf.EM_BPF || f.Type != elf.ET_REL || f.Class != elf.ELFCLASS64 {
		t.Errorf("header: %v %v %v", f.Machine, f.Type, f.Class)
	}
	text := f.Section(".text")
	if text == nil || text.Flags != elf.SHF_ALLOC|elf.SHF_EXECINSTR {
		t.Fatalf(".text: %+v", text)
	}
	if b, _ := text.Data(); !bytes.Equal(b, code) {
		t.Errorf(".text data %x", b)
	}
	if ro := f.Section(".rodata"); ro == nil || ro.Flags != elf.SHF_ALLOC {
		t.Errorf(".rodata: %+v", ro)
	}
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	if len(syms) != 1 || syms[0].Name != "prog" || syms[0].Size != 16 || elf.ST_TYPE(syms[0].Info) != elf.STT_FUNC {
		t.Errorf("symbols %+v", syms)
	}
}
