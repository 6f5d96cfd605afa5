package loader

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	gmaps "github.com/gbpf/gbpf/maps"
)

// convertMap turns a cilium/ebpf map spec into ours. Initial elements that
// name a program or a map come back as References.
func convertMap(ms *ebpf.MapSpec) (*gmaps.Spec, []Reference, error) {
	m := &gmaps.Spec{
		Name:           ms.Name,
		Type:           gmaps.Type(ms.Type),
		KeySize:        ms.KeySize,
		ValueSize:      ms.ValueSize,
		MaxEntries:     ms.MaxEntries,
		Flags:          ms.Flags,
		SpinLockOffset: spinLockOffset(ms.Value),
	}
	if ms.InnerMap != nil {
		inner, refs, err := convertMap(ms.InnerMap)
		if err != nil {
			return nil, nil, fmt.Errorf("inner map: %w", err)
		}
		if len(refs) > 0 {
			return nil, nil, errors.New("inner map with references")
		}
		m.InnerMap = inner
	}
	var refs []Reference
	for i, kv := range ms.Contents {
		key, err := encodeFixed(kv.Key, int(ms.KeySize))
		if err != nil {
			return nil, nil, fmt.Errorf("element %d: key: %w", i, err)
		}
		if name, ok := kv.Value.(string); ok {
			if ms.KeySize != 4 {
				return nil, nil, fmt.Errorf("element %d: reference %q in a map with %d-byte keys", i, name, ms.KeySize)
			}
			r := Reference{Key: uint32(key[0]) | uint32(key[1])<<8 | uint32(key[2])<<16 | uint32(key[3])<<24}
			switch m.Type {
			case gmaps.ProgramArray:
				r.Program = name
			case gmaps.ArrayOfMaps, gmaps.HashOfMaps:
				r.Map = name
			default:
				return nil, nil, fmt.Errorf("element %d: reference %q in a %s map", i, name, m.Type)
			}
			refs = append(refs, r)
			continue
		}
		val, err := encodeFixed(kv.Value, int(ms.ValueSize))
		if err != nil {
			return nil, nil, fmt.Errorf("element %d: value: %w", i, err)
		}
		// Copy: the data section bytes are changed by VariableSpec.Set.
		m.Contents = append(m.Contents, gmaps.KV{Key: key, Value: append([]byte(nil), val...)})
	}
	return m, refs, nil
}

// spinLockOffset finds a struct bpf_spin_lock in a map's value type: its
// byte offset, or -1.
func spinLockOffset(t btf.Type) int {
	off, ok := findSpinLock(t, 0, 0)
	if !ok {
		return -1
	}
	return int(off)
}

func findSpinLock(t btf.Type, base uint32, depth int) (uint32, bool) {
	if depth > 16 {
		return 0, false
	}
	switch v := btf.UnderlyingType(t).(type) {
	case *btf.Struct:
		if v.Name == "bpf_spin_lock" {
			return base, true
		}
		for _, mb := range v.Members {
			if off, ok := findSpinLock(mb.Type, base+mb.Offset.Bytes(), depth+1); ok {
				return off, true
			}
		}
	}
	return 0, false
}
