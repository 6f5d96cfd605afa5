package loader

import (
	"strings"

	"github.com/gbpf/gbpf/progtype"
)

// sectionType maps an ELF section name to a program type and the name of
// what it attaches to by libbpf's rules (progtype.Section). For a name
// those rules do not know, the type is Unspec and the attach point what
// follows the first "/"; convertProgram then falls back to the type
// cilium/ebpf derived.
func sectionType(section string) (typ progtype.Type, attach string) {
	if t, a := progtype.Section(section); t != progtype.Unspec {
		return t, a
	}
	_, rest, _ := strings.Cut(section, "/")
	return progtype.Unspec, rest
}
