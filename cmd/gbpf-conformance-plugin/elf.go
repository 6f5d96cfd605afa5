package main

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
)

// elfProgram returns the code of the function "main" of an ELF object, as
// the upstream runner writes it with --elf: a relocatable eBPF object whose
// section ".text" (or "xdp") holds main. An object without a symbol table
// gives its first executable section.
func elfProgram(b []byte) ([]byte, error) {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("elf: %w", err)
	}
	defer f.Close()
	if f.Machine != elf.EM_BPF {
		return nil, fmt.Errorf("elf: machine is %v, not BPF", f.Machine)
	}
	syms, err := f.Symbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, fmt.Errorf("elf: %w", err)
	}
	for _, s := range syms {
		if s.Name != "main" || elf.ST_TYPE(s.Info) != elf.STT_FUNC && elf.ST_TYPE(s.Info) != elf.STT_NOTYPE {
			continue
		}
		if int(s.Section) >= len(f.Sections) || s.Section == elf.SHN_UNDEF {
			return nil, fmt.Errorf("elf: main is in no section")
		}
		data, err := f.Sections[s.Section].Data()
		if err != nil {
			return nil, fmt.Errorf("elf: %w", err)
		}
		end := s.Value + s.Size
		if s.Size == 0 {
			end = uint64(len(data))
		}
		if s.Value > end || end > uint64(len(data)) {
			return nil, fmt.Errorf("elf: main at %d, %d bytes, lies outside its section of %d bytes", s.Value, s.Size, len(data))
		}
		return data[s.Value:end], nil
	}
	for _, sec := range f.Sections {
		if sec.Type == elf.SHT_PROGBITS && sec.Flags&elf.SHF_EXECINSTR != 0 {
			return sec.Data()
		}
	}
	return nil, errors.New("elf: no function main and no executable section")
}
