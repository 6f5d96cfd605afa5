package loader

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"

	"github.com/cilium/ebpf"
)

// maxObject bounds the size of an object whose symbol table the loader
// mends in memory (fixSymbolSizes).
const maxObject = 256 << 20

// fixSymbolSizes gives the symbols of size 0 that clang before version 8
// wrote for programs (in executable sections) and legacy map definitions
// (in the "maps" section) their size, as libbpf and PREVAIL infer it: up to
// the next such symbol of the section, or to the section's end. It returns
// rd itself when no symbol needs it, else a mended copy of the object, and
// a note for each symbol it sized.
func fixSymbolSizes(rd io.ReaderAt, f *elf.File) (io.ReaderAt, []string, error) {
	if f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB {
		return rd, nil, nil // cilium/ebpf says what is wrong with it
	}
	var symtab *elf.Section
	for _, s := range f.Sections {
		if s.Type == elf.SHT_SYMTAB {
			symtab = s
		}
	}
	syms, err := f.Symbols()
	if symtab == nil || err != nil {
		return rd, nil, nil
	}
	type entry struct {
		index int // in syms; the table's entry index+1
		sym   elf.Symbol
	}
	bySection := map[elf.SectionIndex][]entry{}
	for i, s := range syms {
		if s.Name == "" || s.Section >= elf.SectionIndex(len(f.Sections)) || s.Section == elf.SHN_UNDEF {
			continue
		}
		sec := f.Sections[s.Section]
		typ, bind := elf.ST_TYPE(s.Info), elf.ST_BIND(s.Info)
		switch {
		case sec.Flags&elf.SHF_EXECINSTR != 0:
			// Programs and functions; local untyped symbols are jump
			// labels.
			if typ != elf.STT_FUNC && (typ != elf.STT_NOTYPE || bind == elf.STB_LOCAL) {
				continue
			}
		case sec.Name == "maps":
			if typ != elf.STT_OBJECT && typ != elf.STT_NOTYPE {
				continue
			}
		default:
			continue
		}
		bySection[s.Section] = append(bySection[s.Section], entry{i, s})
	}
	type fix struct {
		off  int64 // of st_size in the file
		size uint64
	}
	var fixes []fix
	var notes []string
	for si, es := range bySection {
		sec := f.Sections[si]
		sort.Slice(es, func(i, j int) bool { return es[i].sym.Value < es[j].sym.Value })
		for k, e := range es {
			if e.sym.Size != 0 {
				continue
			}
			end := sec.Size
			for _, n := range es[k+1:] {
				if n.sym.Value > e.sym.Value {
					end = n.sym.Value
					break
				}
			}
			if end <= e.sym.Value {
				continue
			}
			off := int64(symtab.Offset) + int64(e.index+1)*elf.Sym64Size + 16
			fixes = append(fixes, fix{off, end - e.sym.Value})
			notes = append(notes, fmt.Sprintf("symbol %s in %s has size 0; it takes the %d bytes up to the next symbol or the end of the section", e.sym.Name, sec.Name, end-e.sym.Value))
		}
	}
	if len(fixes) == 0 {
		return rd, nil, nil
	}
	b, err := io.ReadAll(io.NewSectionReader(rd, 0, maxObject+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read object: %w", err)
	}
	if len(b) > maxObject {
		return nil, nil, fmt.Errorf("object of more than %d bytes with symbols of size 0", maxObject)
	}
	for _, x := range fixes {
		if x.off < 0 || x.off+8 > int64(len(b)) {
			return nil, nil, fmt.Errorf("symbol table entry at %d outside the object", x.off)
		}
		binary.LittleEndian.PutUint64(b[x.off:], x.size)
	}
	slices.Sort(notes)
	return bytes.NewReader(b), notes, nil
}

// legacyDef is what a legacy map definition says after struct
// bpf_map_def's five fields: iproute2's struct bpf_elf_map adds id,
// pinning, inner_id and inner_idx.
type legacyDef struct {
	id, pinning, innerID, innerIdx uint32
}

// iproute2's pinning values.
const (
	pinNone     = 0
	pinObjectNS = 1
	pinGlobalNS = 2
)

// applyLegacy interprets the tails of legacy map definitions that
// cilium/ebpf leaves in MapSpec.Extra: iproute2's struct bpf_elf_map
// (pinning, and map-in-map: an outer map's inner_id names the id of its
// inner map, which goes into the outer map at its inner_idx) and the
// numa_node of samples/bpf's bpf_load.c. It changes cs and adds notes.
func applyLegacy(cs *ebpf.CollectionSpec, out *CollectionSpec) error {
	defs := map[string]legacyDef{}
	byID := map[uint32]string{}
	for _, name := range slices.Sorted(maps.Keys(cs.Maps)) {
		ms := cs.Maps[name]
		r := ms.Extra
		if r == nil || r.Size() == 0 {
			continue
		}
		tail := make([]byte, r.Size())
		if _, err := r.ReadAt(tail, 0); err != nil {
			return fmt.Errorf("map %s: definition: %w", name, err)
		}
		ms.Extra = nil
		u32 := func(i int) uint32 { return binary.LittleEndian.Uint32(tail[4*i:]) }
		switch {
		case len(tail) == 16:
			d := legacyDef{id: u32(0), pinning: u32(1), innerID: u32(2), innerIdx: u32(3)}
			defs[name] = d
			if d.id != 0 {
				if other, dup := byID[d.id]; dup {
					return fmt.Errorf("maps %s and %s: both have id %d", other, name, d.id)
				}
				byID[d.id] = name
			}
			switch d.pinning {
			case pinNone:
			case pinObjectNS, pinGlobalNS:
				ms.Pinning = ebpf.PinByName
			default:
				out.note("map %s: iproute2 pinning %d names a custom path; pinned by name", name, d.pinning)
				ms.Pinning = ebpf.PinByName
			}
		case len(tail) == 8:
			// samples/bpf's bpf_load.c: inner_map_idx, numa_node.
			if u32(0) != 0 {
				return fmt.Errorf("map %s: bpf_load.c's inner_map_idx %d is not supported", name, u32(0))
			}
			if u32(1) != 0 {
				out.note("map %s: numa_node %d ignored", name, u32(1))
			}
		default:
			if bytes.Count(tail, []byte{0}) != len(tail) {
				return fmt.Errorf("map %s: legacy definition of %d bytes: %d unknown bytes after struct bpf_map_def", name, 20+len(tail), len(tail))
			}
			out.note("map %s: legacy definition of %d bytes; the zero bytes after struct bpf_map_def are ignored", name, 20+len(tail))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		d := defs[name]
		if d.innerID == 0 {
			continue
		}
		outer := cs.Maps[name]
		if outer.Type != ebpf.ArrayOfMaps && outer.Type != ebpf.HashOfMaps {
			return fmt.Errorf("map %s: inner_id %d on a %v map", name, d.innerID, outer.Type)
		}
		innerName, ok := byID[d.innerID]
		if !ok {
			return fmt.Errorf("map %s: inner_id %d: no map has that id", name, d.innerID)
		}
		inner := cs.Maps[innerName]
		outer.InnerMap = inner.Copy()
		outer.InnerMap.Pinning = ebpf.PinNone
		idx := defs[innerName].innerIdx
		if outer.Type == ebpf.ArrayOfMaps && idx >= outer.MaxEntries {
			return fmt.Errorf("map %s: inner map %s at index %d, past its %d entries", name, innerName, idx, outer.MaxEntries)
		}
		outer.Contents = append(outer.Contents, ebpf.MapKV{Key: idx, Value: innerName})
		out.note("map %s: inner map %s (id %d) at index %d, as iproute2 places it", name, innerName, d.innerID, idx)
	}
	return nil
}
