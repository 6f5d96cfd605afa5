package main

import (
	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/internal/bpftool"
)

// objectMapBTF returns BTF holding the key and value types of the map
// name of an object, and their ids in it, as libbpf gives them to the
// kernel: the key and value of a map of the .maps section, the section's
// variables (no key) for a global data map. It returns nil when the
// object's BTF does not describe the map.
func objectMapBTF(spec *gbpf.CollectionSpec, name string) (b *bpftool.BTF, keyID, valueID uint32) {
	if spec.Types == nil {
		return nil, 0, 0
	}
	var key, value btf.Type
	var sec *btf.Datasec
	if spec.Types.TypeByName(name, &sec) == nil {
		value = sec // .data, .rodata, .bss
	} else if spec.Types.TypeByName(".maps", &sec) == nil {
		for _, v := range sec.Vars {
			vr, ok := v.Type.(*btf.Var)
			if !ok || vr.Name != name {
				continue
			}
			st, ok := btf.UnderlyingType(vr.Type).(*btf.Struct)
			if !ok {
				break
			}
			for _, m := range st.Members {
				ptr, ok := m.Type.(*btf.Pointer)
				if !ok {
					continue
				}
				switch m.Name {
				case "key":
					key = ptr.Target
				case "value":
					value = ptr.Target
				}
			}
		}
	}
	if value == nil {
		return nil, 0, 0
	}
	builder, err := btf.NewBuilder(nil, nil)
	if err != nil {
		return nil, 0, 0
	}
	if key != nil {
		id, err := builder.Add(key)
		if err != nil {
			return nil, 0, 0
		}
		keyID = uint32(id)
	}
	id, err := builder.Add(value)
	if err != nil {
		return nil, 0, 0
	}
	raw, err := builder.Marshal(nil, nil)
	if err != nil {
		return nil, 0, 0
	}
	if b, err = bpftool.ParseBTF(raw, nil); err != nil {
		return nil, 0, 0
	}
	return b, keyID, uint32(id)
}
