package loader

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/isa"
	gmaps "github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// LoadCollectionSpec parses the ELF object at path.
func LoadCollectionSpec(path string) (*CollectionSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	spec, err := LoadCollectionSpecFromReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return spec, nil
}

// LoadCollectionSpecFromReader parses an ELF object. A malformed object is
// an error that says what is wrong, never a panic.
func LoadCollectionSpecFromReader(rd io.ReaderAt) (spec *CollectionSpec, err error) {
	defer func() {
		// cilium/ebpf's parser is robust, but a crafted object must never
		// take the process down.
		if r := recover(); r != nil {
			spec, err = nil, fmt.Errorf("malformed ELF object: %v", r)
		}
	}()
	f, err := checkSections(rd)
	if err != nil {
		return nil, err
	}
	rd, notes, err := fixSymbolSizes(rd, f)
	if err != nil {
		return nil, fmt.Errorf("parse ELF: %w", err)
	}
	cs, err := ebpf.LoadCollectionSpecFromReader(rd)
	if err != nil {
		return nil, fmt.Errorf("parse ELF: %w", err)
	}
	return convert(cs, notes)
}

// FromCilium converts a cilium/ebpf collection spec, such as the one a
// bpf2go-generated loadXxx function returns, into ours, as
// LoadCollectionSpec does after parsing an object. cs is not modified.
func FromCilium(cs *ebpf.CollectionSpec) (spec *CollectionSpec, err error) {
	if cs == nil {
		return nil, errors.New("nil cilium/ebpf collection spec")
	}
	defer func() {
		// A spec built by hand may hold what no parser produces.
		if r := recover(); r != nil {
			spec, err = nil, fmt.Errorf("malformed cilium/ebpf collection spec: %v", r)
		}
	}()
	return convert(cs.Copy(), nil)
}

// maxSection bounds the size of any section of an object, so that a
// corrupt header cannot make the parser allocate gigabytes (a .bss section
// has no bytes in the file, only a size). Linux bounds map values far
// lower.
const maxSection = 64 << 20

// checkSections rejects objects with sections too large to be real, and
// returns the parsed ELF headers.
func checkSections(rd io.ReaderAt) (*elf.File, error) {
	f, err := elf.NewFile(rd)
	if err != nil {
		return nil, fmt.Errorf("parse ELF: %w", err)
	}
	for _, s := range f.Sections {
		if s.Size > maxSection {
			return nil, fmt.Errorf("parse ELF: section %s: %d bytes, more than %d", s.Name, s.Size, maxSection)
		}
	}
	return f, nil
}

// LoadCollectionSpecFromBytes parses an ELF object held in memory.
func LoadCollectionSpecFromBytes(b []byte) (*CollectionSpec, error) {
	return LoadCollectionSpecFromReader(bytes.NewReader(b))
}

// convert turns cilium/ebpf's spec into ours, which starts with notes. It
// may change cs.
func convert(cs *ebpf.CollectionSpec, notes []string) (*CollectionSpec, error) {
	if cs.ByteOrder != nil && cs.ByteOrder.String() != "LittleEndian" {
		return nil, fmt.Errorf("byte order %s: gbpf runs little-endian objects only", cs.ByteOrder)
	}
	out := &CollectionSpec{
		Programs:   make(map[string]*ProgramSpec, len(cs.Programs)),
		Maps:       make(map[string]*gmaps.Spec, len(cs.Maps)),
		References: make(map[string][]Reference),
		Variables:  make(map[string]*VariableSpec, len(cs.Variables)),
		Types:      cs.Types,
		Notes:      notes,
	}
	if err := applyLegacy(cs, out); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(cs.Maps)) {
		ms := cs.Maps[name]
		if ms.Pinning != ebpf.PinNone {
			// libbpf's LIBBPF_PIN_BY_NAME and iproute2's PIN_GLOBAL_NS and
			// PIN_OBJECT_NS: the kernel shares the map through bpffs.
			out.note("map %s: pinned by name (pin type %d); collections of one runtime with the same pin path share it, as bpffs makes them (Options.PinPath)", name, ms.Pinning)
		}
		if ms.Type == ebpf.PerfEventArray && ms.MaxEntries == 0 {
			// libbpf sizes a perf event array left at 0 entries for
			// the possible CPUs, as do Falco's and cilium/ebpf's loaders.
			ms = ms.Copy()
			ms.MaxEntries = uint32(possibleCPUs())
			out.note("map %s: perf event array of 0 entries sized for the %d possible CPUs", name, ms.MaxEntries)
		}
		m, refs, err := convertMap(ms)
		if err != nil {
			return nil, fmt.Errorf("map %s: %w", name, err)
		}
		out.Maps[name] = m
		if ms.Key != nil || ms.Value != nil {
			if out.MapTypes == nil {
				out.MapTypes = make(map[string]MapTypes)
			}
			out.MapTypes[name] = MapTypes{Key: ms.Key, Value: ms.Value}
		}
		if len(refs) > 0 {
			out.References[name] = refs
		}
	}
	for name, vs := range cs.Variables {
		if _, ok := out.Maps[vs.SectionName]; !ok {
			continue // a variable of a section that is not a map (.kconfig)
		}
		v := &VariableSpec{Name: name, MapName: vs.SectionName, Offset: vs.Offset, Size: vs.Size(), spec: out}
		if vs.Type != nil {
			v.Type = vs.Type.Type
		}
		if vs.Value != nil {
			if err := v.Set(vs.Value); err != nil {
				return nil, err
			}
		}
		out.Variables[name] = v
	}
	kconfig, err := newKconfig(cs.Types)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for _, name := range slices.Sorted(maps.Keys(cs.Programs)) {
		ps := cs.Programs[name]
		p, err := convertProgram(ps, out, kconfig)
		if err != nil {
			// One program that cannot be linked (a call of a kernel
			// function, a libcall the object does not define) fails
			// alone: the others load, as libbpf loads them.
			err = fmt.Errorf("program %s: %w", name, err)
			if firstErr == nil {
				firstErr = err
			}
			if out.Unlinked == nil {
				out.Unlinked = make(map[string]error)
			}
			out.Unlinked[name] = err
			out.note("%v; the object's other programs load without it", err)
			continue
		}
		if p.License == "" {
			out.note("program %s: no license section; the license is empty, as libbpf takes it (the kernel refuses GPL-only helpers to it)", name)
		}
		out.Programs[name] = p
	}
	if len(out.Programs) == 0 && firstErr != nil {
		return nil, firstErr
	}
	for name, refs := range out.References {
		kept := refs[:0]
		for _, r := range refs {
			if r.Program != "" && out.Programs[r.Program] == nil {
				if out.Unlinked[r.Program] != nil {
					out.note("map %s: element %d: program %s was not linked; the element is left empty", name, r.Key, r.Program)
					continue
				}
				return nil, fmt.Errorf("map %s: element %d: no program %q", name, r.Key, r.Program)
			}
			kept = append(kept, r)
			if r.Map != "" && out.Maps[r.Map] == nil {
				return nil, fmt.Errorf("map %s: element %d: no map %q", name, r.Key, r.Map)
			}
		}
		out.References[name] = kept
	}
	return out, nil
}

// note adds a line to cs.Notes.
func (cs *CollectionSpec) note(format string, args ...any) {
	cs.Notes = append(cs.Notes, fmt.Sprintf(format, args...))
}

// convertProgram turns a linked cilium/ebpf program into slots, rewriting
// map references to indices into the program's map list.
func convertProgram(ps *ebpf.ProgramSpec, cs *CollectionSpec, kc *kconfig) (*ProgramSpec, error) {
	typ, attach := sectionType(ps.SectionName)
	if typ == progtype.Unspec && ps.Type != ebpf.UnspecifiedProgram {
		// A section libbpf's rules do not name but cilium/ebpf's do.
		typ = progtype.Type(ps.Type)
	}
	p := &ProgramSpec{
		Name:        ps.Name,
		Type:        typ,
		SectionName: ps.SectionName,
		AttachTo:    attach,
		License:     ps.License,
		AttachType:  uint32(ps.AttachType),
		CtxSize:     ctxSize(ps),
	}
	// Marshal resolves bpf-to-bpf calls and function pointers; work on a
	// copy, since it writes into the instructions.
	insns := make(asm.Instructions, len(ps.Instructions))
	copy(insns, ps.Instructions)
	var buf bytes.Buffer
	if err := insns.Marshal(&buf, ps.ByteOrder); err != nil {
		if errors.Is(err, asm.ErrUnsatisfiedProgramReference) {
			// A call of a function the object does not define: most
			// often a memset or memcpy libcall clang emitted for a
			// large or variable-sized copy, which BPF cannot call.
			return nil, fmt.Errorf("%w (a function the object does not define, such as a memset or memcpy libcall: BPF has no C library)", err)
		}
		return nil, err
	}
	prog, err := isa.Decode(buf.Bytes())
	if err != nil {
		return nil, err
	}
	index := make(map[string]int)
	mapIndex := func(name string) int {
		i, ok := index[name]
		if !ok {
			i = len(p.Maps)
			index[name] = i
			p.Maps = append(p.Maps, name)
		}
		return i
	}
	iter := insns.Iterate()
	for iter.Next() {
		ins, slot := iter.Ins, int(iter.Offset)
		if l, ok := ins.Source().(*btf.Line); ok && l != nil {
			p.Lines = append(p.Lines, SourceLine{Insn: slot, File: l.FileName(), Line: int(l.LineNumber()), Text: l.Line()})
		}
		if relo := btf.CORERelocationMetadata(ins); relo != nil {
			p.CORE = append(p.CORE, CORESite{Index: slot, Relocation: relo})
		}
		if !ins.OpCode.IsDWordLoad() {
			if ins.IsKfuncCall() {
				return nil, fmt.Errorf("instruction %d: kfunc call %s: kernel functions are not available", slot, ins.Reference())
			}
			continue
		}
		ref := ins.Reference()
		switch ins.Src {
		case asm.PseudoMapFD:
			if cs.Maps[ref] == nil {
				return nil, fmt.Errorf("instruction %d: reference to unknown map %q", slot, ref)
			}
			prog.Insns[slot].Src = isa.PseudoMapIdx
			prog.Insns[slot].Imm = int32(mapIndex(ref))
			prog.Insns[slot+1].Imm = 0
		case asm.PseudoMapValue:
			off := uint32(uint64(ins.Constant) >> 32)
			if koff, ok := kconfigOffset(ins); ok {
				// An extern __kconfig variable.
				if err := kc.fill(koff); err != nil {
					return nil, fmt.Errorf("instruction %d: %w", slot, err)
				}
				if _, ok := cs.Maps[kconfigMap]; !ok {
					cs.Maps[kconfigMap] = kc.spec()
				}
				ref, off = kconfigMap, koff
			} else if cs.Maps[ref] == nil {
				return nil, fmt.Errorf("instruction %d: reference to unknown data section %q", slot, ref)
			}
			prog.Insns[slot].Src = isa.PseudoMapIdxValue
			prog.Insns[slot].Imm = int32(mapIndex(ref))
			prog.Insns[slot+1].Imm = int32(off)
		}
	}
	if len(ps.Instructions) > 0 && len(prog.Insns) == 0 {
		return nil, errors.New("no instructions")
	}
	p.Instructions = prog
	if err := isa.Validate(prog); err != nil {
		return nil, err
	}
	return p, nil
}

// ctxSize is the size of what the first parameter of the program's
// function points to, from BTF, or 0.
func ctxSize(ps *ebpf.ProgramSpec) int {
	if len(ps.Instructions) == 0 {
		return 0
	}
	fn := btf.FuncMetadata(&ps.Instructions[0])
	if fn == nil {
		return 0
	}
	proto, ok := fn.Type.(*btf.FuncProto)
	if !ok || len(proto.Params) == 0 {
		return 0
	}
	ptr, ok := btf.UnderlyingType(proto.Params[0].Type).(*btf.Pointer)
	if !ok {
		return 0
	}
	// Only a structure describes the context: a program that declares
	// a pointer to a number (BPF_PROG's unsigned long long *ctx) or to
	// void says nothing of its size, and one whose structure ends in a
	// flexible array (struct syscall_trace_enter's args[]) reads past
	// its size.
	var members []btf.Member
	switch t := btf.UnderlyingType(ptr.Target).(type) {
	case *btf.Struct:
		members = t.Members
	case *btf.Union:
		members = t.Members
	default:
		return 0
	}
	if len(members) > 0 {
		if a, ok := btf.UnderlyingType(members[len(members)-1].Type).(*btf.Array); ok && a.Nelems == 0 {
			return 0
		}
	}
	n, err := btf.Sizeof(ptr.Target)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
