package loader

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/isa"
	gmaps "github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// CollectionSpec is everything an ELF object defines, as plain data. It is
// turned into live maps and programs by gbpf.NewCollection.
type CollectionSpec struct {
	// Programs by function name.
	Programs map[string]*ProgramSpec
	// Maps by name. Global data sections are maps named after their
	// section (".data", ".rodata", ".bss", ".kconfig").
	Maps map[string]*gmaps.Spec
	// MapTypes are the BTF types of the maps' keys and values, by map
	// name, for the maps the object describes in BTF. gbpf's runtime does
	// not need them; the kernel wants them for values that hold a
	// bpf_spin_lock, and the kernel backend passes them on.
	MapTypes map[string]MapTypes
	// References are the initial elements of program arrays and
	// map-in-map maps, which name a program or a map rather than holding
	// bytes: NewCollection fills them in once everything exists.
	References map[string][]Reference
	// Variables are the global variables, by name. Setting one changes
	// the initial contents of its data section map.
	Variables map[string]*VariableSpec
	// Types is the object's BTF, or nil if it has none.
	Types *btf.Spec
	// Unlinked are the programs of the object that cannot be linked (a
	// call of a function the object does not define, such as a memset
	// libcall, or of a kernel function), by name, with the reason. They
	// are not in Programs; the object's other programs load without them,
	// as libbpf loads the programs it can.
	Unlinked map[string]error
	// Notes say where the loader applied one of the conventions of real
	// loaders to an object that does not follow the rules strictly (no
	// license, a zero-sized symbol, max_entries 0 of a perf event array),
	// one line each, for the log.
	Notes []string
}

// Pinned returns, sorted, the names of the maps the object pins by name
// (libbpf's LIBBPF_PIN_BY_NAME, iproute2's pinning), which are shared with
// other collections through a pin path (bpffs in the kernel).
func (cs *CollectionSpec) Pinned() []string {
	var names []string
	for name, m := range cs.Maps {
		if m.Pinning == gmaps.PinByName {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// MapTypes are the BTF types of a map's key and value (either may be
// nil), as cilium/ebpf's MapSpec.Key and Value.
type MapTypes struct {
	Key, Value btf.Type
}

// ProgramSpec is one program of an object, with its subprograms linked in.
type ProgramSpec struct {
	// Name is the name of the program's function.
	Name string
	// Type is the program type, from the ELF section name.
	Type progtype.Type
	// SectionName is the ELF section the program came from, such as
	// "xdp" or "tracepoint/syscalls/sys_exit_read".
	SectionName string
	// AttachTo is the part of the section name after the type, such as
	// "syscalls/sys_exit_read" or a kprobe's function, if any.
	AttachTo string
	// License is the object's license string.
	License string
	// AttachType is the kernel's expected attach type (enum
	// bpf_attach_type) that the section name implies, such as
	// BPF_CGROUP_INET_EGRESS for "cgroup_skb/egress"; 0 when it implies
	// none. Loading into the kernel passes it on.
	AttachType uint32
	// CtxSize is the size of the context that the program's function
	// declares (the type its first parameter points to, from BTF), or 0
	// when it does not say (void *ctx, or no BTF). The runtime verifies
	// programs of types with variable-sized contexts (tracepoints, Raw)
	// for this size and refuses shorter inputs.
	CtxSize int
	// Instructions are the program's slots. Map references are lddw with
	// Src isa.PseudoMapIdx or isa.PseudoMapIdxValue, indexing Maps.
	Instructions isa.Program
	// Maps names, in the order of their lddw indices, the maps of the
	// collection the program refers to.
	Maps []string
	// CORE lists the CO-RE relocations still to be applied.
	CORE []CORESite
	// Lines are the C source lines of the instructions, from the object's
	// BTF line information (empty without it), in instruction order.
	Lines []SourceLine
}

// CORESite is an instruction whose constant or offset depends on the types
// of the kernel the program runs against.
type CORESite struct {
	// Index is the instruction's slot.
	Index int
	// Relocation describes what the instruction needs.
	Relocation *btf.CORERelocation
}

// Reference is an initial element of a program array or a map-in-map map.
type Reference struct {
	// Key is the element's index.
	Key uint32
	// Program names the program of a program array element; Map names the
	// inner map of a map-in-map element.
	Program, Map string
}

// Copy returns a deep copy of cs.
func (cs *CollectionSpec) Copy() *CollectionSpec {
	if cs == nil {
		return nil
	}
	cpy := &CollectionSpec{
		Programs:   make(map[string]*ProgramSpec, len(cs.Programs)),
		Maps:       make(map[string]*gmaps.Spec, len(cs.Maps)),
		References: make(map[string][]Reference, len(cs.References)),
		Variables:  make(map[string]*VariableSpec, len(cs.Variables)),
		MapTypes:   maps.Clone(cs.MapTypes),
		Types:      cs.Types,
	}
	for n, p := range cs.Programs {
		cpy.Programs[n] = p.Copy()
	}
	for n, m := range cs.Maps {
		mc := m.Copy()
		mc.Contents = make([]gmaps.KV, len(m.Contents))
		for i, kv := range m.Contents {
			mc.Contents[i] = gmaps.KV{Key: slices.Clone(kv.Key), Value: slices.Clone(kv.Value)}
		}
		cpy.Maps[n] = mc
	}
	for n, r := range cs.References {
		cpy.References[n] = slices.Clone(r)
	}
	for n, v := range cs.Variables {
		vc := *v
		vc.spec = cpy
		cpy.Variables[n] = &vc
	}
	if cs.Unlinked != nil {
		cpy.Unlinked = maps.Clone(cs.Unlinked)
	}
	cpy.Notes = slices.Clone(cs.Notes)
	return cpy
}

// Copy returns a deep copy of ps.
func (ps *ProgramSpec) Copy() *ProgramSpec {
	cpy := *ps
	cpy.Instructions = isa.Program{Insns: slices.Clone(ps.Instructions.Insns)}
	cpy.Maps = slices.Clone(ps.Maps)
	cpy.CORE = slices.Clone(ps.CORE)
	return &cpy
}

// ProgramNames returns the names of the programs in cs, sorted.
func (cs *CollectionSpec) ProgramNames() []string {
	return slices.Sorted(maps.Keys(cs.Programs))
}

// MapNames returns the names of the maps in cs, sorted.
func (cs *CollectionSpec) MapNames() []string {
	return slices.Sorted(maps.Keys(cs.Maps))
}

// MapSpecs returns the specs of the maps ps refers to, in index order: the
// maps to verify it against.
func (cs *CollectionSpec) MapSpecs(ps *ProgramSpec) ([]*gmaps.Spec, error) {
	out := make([]*gmaps.Spec, len(ps.Maps))
	for i, name := range ps.Maps {
		m := cs.Maps[name]
		if m == nil {
			return nil, fmt.Errorf("program %s: map %q: not in the collection", ps.Name, name)
		}
		out[i] = m
	}
	return out, nil
}

// SourceLine is the C source line an instruction came from.
type SourceLine struct {
	// Insn is the first instruction slot of the line.
	Insn int
	// File and Line locate the line; Text is the line itself.
	File string
	Line int
	Text string
}

// String returns the line as the kernel's verifier log shows it:
// "text @ file:line".
func (l SourceLine) String() string {
	return fmt.Sprintf("%s @ %s:%d", strings.TrimSpace(l.Text), l.File, l.Line)
}

// LineAt returns the source line of instruction slot insn: the last line
// that starts at or before it.
func (p *ProgramSpec) LineAt(insn int) (SourceLine, bool) {
	i := sort.Search(len(p.Lines), func(i int) bool { return p.Lines[i].Insn > insn })
	if i == 0 {
		return SourceLine{}, false
	}
	return p.Lines[i-1], true
}
