package testutil

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
)

// ELFSection is one section of an object built by BPFObject.
type ELFSection struct {
	Name string
	Data []byte
	// Exec marks a code section (SHF_ALLOC|SHF_EXECINSTR); otherwise the
	// section is read-only data (SHF_ALLOC).
	Exec bool
	// Symbol, when set, names a global function symbol at the start of the
	// section that covers all of it.
	Symbol string
}

// BPFObject returns a minimal little-endian ELF64 relocatable object for
// EM_BPF holding sections, a symbol table and the string tables, as a
// compiler would write it (without relocations). Tests use it to feed
// ELF readers and llvm-objdump without needing clang.
func BPFObject(sections ...ELFSection) []byte {
	const (
		ehsize = 64
		shsize = 64
		symsz  = 24
	)
	shstr := []byte{0}
	name := func(tab *[]byte, s string) uint32 {
		off := uint32(len(*tab))
		*tab = append(append(*tab, s...), 0)
		return off
	}
	strtab := []byte{0}
	syms := []elf.Sym64{{}}
	var shdrs []elf.Section64
	shdrs = append(shdrs, elf.Section64{})
	var body bytes.Buffer
	align := func(n int) {
		for body.Len()%n != 0 {
			body.WriteByte(0)
		}
	}
	for i, s := range sections {
		align(8)
		flags := uint64(elf.SHF_ALLOC)
		if s.Exec {
			flags |= uint64(elf.SHF_EXECINSTR)
		}
		shdrs = append(shdrs, elf.Section64{
			Name:      name(&shstr, s.Name),
			Type:      uint32(elf.SHT_PROGBITS),
			Flags:     flags,
			Off:       uint64(ehsize + body.Len()),
			Size:      uint64(len(s.Data)),
			Addralign: 8,
		})
		body.Write(s.Data)
		if s.Symbol != "" {
			syms = append(syms, elf.Sym64{
				Name:  name(&strtab, s.Symbol),
				Info:  elf.ST_INFO(elf.STB_GLOBAL, elf.STT_FUNC),
				Shndx: uint16(i + 1),
				Size:  uint64(len(s.Data)),
			})
		}
	}
	symtabIdx := len(shdrs)
	align(8)
	symOff := ehsize + body.Len()
	for _, sym := range syms {
		binary.Write(&body, binary.LittleEndian, sym)
	}
	shdrs = append(shdrs, elf.Section64{
		Name: name(&shstr, ".symtab"), Type: uint32(elf.SHT_SYMTAB),
		Off: uint64(symOff), Size: uint64(len(syms) * symsz),
		Link: uint32(symtabIdx + 1), Info: 1, // every symbol after the null one is global
		Addralign: 8, Entsize: symsz,
	})
	strOff := ehsize + body.Len()
	body.Write(strtab)
	shdrs = append(shdrs, elf.Section64{
		Name: name(&shstr, ".strtab"), Type: uint32(elf.SHT_STRTAB),
		Off: uint64(strOff), Size: uint64(len(strtab)), Addralign: 1,
	})
	shstrName := name(&shstr, ".shstrtab")
	shstrOff := ehsize + body.Len()
	body.Write(shstr)
	shdrs = append(shdrs, elf.Section64{
		Name: shstrName, Type: uint32(elf.SHT_STRTAB),
		Off: uint64(shstrOff), Size: uint64(len(shstr)), Addralign: 1,
	})
	align(8)
	hdr := elf.Header64{
		Type:      uint16(elf.ET_REL),
		Machine:   uint16(elf.EM_BPF),
		Version:   uint32(elf.EV_CURRENT),
		Shoff:     uint64(ehsize + body.Len()),
		Ehsize:    ehsize,
		Shentsize: shsize,
		Shnum:     uint16(len(shdrs)),
		Shstrndx:  uint16(len(shdrs) - 1),
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	var out bytes.Buffer
	binary.Write(&out, binary.LittleEndian, hdr)
	out.Write(body.Bytes())
	for _, sh := range shdrs {
		binary.Write(&out, binary.LittleEndian, sh)
	}
	return out.Bytes()
}
