package progfile

import (
	"bytes"
	"debug/elf"
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/isa"
)

// parseELF returns the program in the named section of an ELF object, or
// in its first executable section that is not empty. Relocations are not
// applied: that is the loader's job.
func parseELF(name string, b []byte, section string) (isa.Program, string, error) {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return isa.Program{}, "", fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_BPF {
		return isa.Program{}, "", fmt.Errorf("%s: ELF object for %v, not BPF", name, f.Machine)
	}
	if f.Data != elf.ELFDATA2LSB {
		return isa.Program{}, "", fmt.Errorf("%s: big-endian BPF objects are not supported", name)
	}
	var sec *elf.Section
	var code []string
	for _, s := range f.Sections {
		exec := s.Type == elf.SHT_PROGBITS && s.Flags&elf.SHF_EXECINSTR != 0 && s.Size > 0
		if exec {
			code = append(code, s.Name)
		}
		switch {
		case section != "" && s.Name == section:
			sec = s
		case section == "" && exec && sec == nil:
			sec = s
		}
	}
	if sec == nil {
		if section != "" {
			return isa.Program{}, "", fmt.Errorf("%s: no section %q (code sections: %s)", name, section, list(code))
		}
		return isa.Program{}, "", fmt.Errorf("%s: no executable section with code", name)
	}
	if sec.Type == elf.SHT_NOBITS {
		return isa.Program{}, "", fmt.Errorf("%s: section %s has no contents", name, sec.Name)
	}
	if sec.Offset > uint64(len(b)) || sec.Size > uint64(len(b))-sec.Offset {
		return isa.Program{}, "", fmt.Errorf("%s: section %s lies outside the file", name, sec.Name)
	}
	data, err := sec.Data()
	if err != nil {
		return isa.Program{}, "", fmt.Errorf("%s: section %s: %w", name, sec.Name, err)
	}
	p, err := isa.Decode(data)
	if err != nil {
		return isa.Program{}, "", fmt.Errorf("%s: section %s: %w", name, sec.Name, err)
	}
	return p, sec.Name, nil
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
