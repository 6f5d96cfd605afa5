package helpers

import (
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/maps"
)

// Negative errno values, as helpers return them.
const (
	errnoENOENT = ^uint64(2 - 1)  // -ENOENT
	errnoE2BIG  = ^uint64(7 - 1)  // -E2BIG
	errnoEFAULT = ^uint64(14 - 1) // -EFAULT
	errnoEBUSY  = ^uint64(16 - 1) // -EBUSY
	errnoEINVAL = ^uint64(22 - 1) // -EINVAL
	errnoENOSPC = ^uint64(28 - 1) // -ENOSPC
	// -EOPNOTSUPP, what a helper gbpf does not implement returns.
	errnoEOPNOTSUPP = ^uint64(95 - 1)
)

// cpu returns the CPU of the run.
func cpu(env *engine.Env) int {
	if s := state(env); s != nil {
		return s.CPU
	}
	return 0
}

// valueSize is the size of one value as a program sees it.
func valueSize(m maps.Map) uint64 {
	sp := m.Spec()
	switch sp.Type {
	case maps.ArrayOfMaps, maps.HashOfMaps:
		return 0 // the value is a map, not memory
	}
	return uint64(sp.ValueSize)
}

// mapLookupElem is bpf_map_lookup_elem(map, key): the address of the value
// (the current CPU's for per-CPU maps, an inner map for map-in-map) or 0.
func mapLookupElem(env *engine.Env, r1, r2, _, _, _ uint64) uint64 {
	m := maps.FromHandle(r1)
	if m == nil {
		return 0
	}
	sp := m.Spec()
	key, ok := arg(env, r2, uint64(sp.KeySize), false)
	if !ok {
		return 0
	}
	v := m.LookupElem(key, cpu(env))
	if n := valueSize(m); n > 0 {
		grant(env, v, n, sp.Flags&maps.ReadOnlyProg == 0)
	}
	return v
}

// mapUpdateElem is bpf_map_update_elem(map, key, value, flags).
func mapUpdateElem(env *engine.Env, r1, r2, r3, r4, _ uint64) uint64 {
	m, key, errno := mapArg(env, r1, r2, false, false)
	if errno != 0 {
		return errno
	}
	value, ok := arg(env, r3, uint64(m.Spec().ValueSize), false)
	if !ok {
		return errnoEFAULT
	}
	return uint64(m.UpdateElem(key, value, r4, cpu(env)))
}

// mapArg resolves the map handle h and the program memory at addr that
// holds one key (or, with value set, one value) of the map; write says the
// helper writes there. errno is -EINVAL for a bad handle and -EFAULT for
// memory the run may not touch.
func mapArg(env *engine.Env, h, addr uint64, value, write bool) (m maps.Map, b []byte, errno uint64) {
	if m = maps.FromHandle(h); m == nil {
		return nil, nil, errnoEINVAL
	}
	size := m.Spec().KeySize
	if value {
		size = m.Spec().ValueSize
	}
	if b, ok := arg(env, addr, uint64(size), write); ok {
		return m, b, 0
	}
	return nil, nil, errnoEFAULT
}

// mapDeleteElem is bpf_map_delete_elem(map, key).
func mapDeleteElem(env *engine.Env, r1, r2, _, _, _ uint64) uint64 {
	m, key, errno := mapArg(env, r1, r2, false, false)
	if errno != 0 {
		return errno
	}
	return uint64(m.DeleteElem(key))
}

// mapPushElem is bpf_map_push_elem(map, value, flags).
func mapPushElem(env *engine.Env, r1, r2, r3, _, _ uint64) uint64 {
	m, value, errno := mapArg(env, r1, r2, true, false)
	if errno != 0 {
		return errno
	}
	return uint64(m.PushElem(value, r3))
}

// mapPopElem is bpf_map_pop_elem(map, value).
func mapPopElem(env *engine.Env, r1, r2, _, _, _ uint64) uint64 {
	m, out, errno := mapArg(env, r1, r2, true, true)
	if errno != 0 {
		return errno
	}
	return uint64(m.PopElem(out))
}

// mapPeekElem is bpf_map_peek_elem(map, value).
func mapPeekElem(env *engine.Env, r1, r2, _, _, _ uint64) uint64 {
	m, out, errno := mapArg(env, r1, r2, true, true)
	if errno != 0 {
		return errno
	}
	return uint64(m.PeekElem(out))
}

// forEachMapElem is bpf_for_each_map_elem(map, callback, ctx, flags): it
// calls callback(map, &key, &value, ctx) for every element until the
// callback returns 1, and returns the number of elements visited. A
// callback that fails or ends the run ends the walk and the run.
func forEachMapElem(env *engine.Env, r1, r2, r3, r4, _ uint64) uint64 {
	m := maps.FromHandle(r1)
	if m == nil || r4 != 0 || env.CallFunc == nil {
		return errnoEINVAL
	}
	s := state(env)
	if s == nil {
		return errnoEINVAL
	}
	sp := m.Spec()
	switch sp.Type {
	case maps.Hash, maps.LRUHash, maps.PerCPUHash, maps.LRUCPUHash, maps.Array, maps.PerCPUArray:
	default:
		return errnoEINVAL
	}
	// Keys in run memory: the one the callback sees (it may write it),
	// the cursor and the next key.
	ks := uint64(sp.KeySize)
	buf, err := s.scratchBytes(int(3 * ks))
	if err != nil {
		return errnoEINVAL
	}
	key, cur, next := buf[:ks], buf[ks:2*ks], buf[2*ks:3*ks]
	grant(env, engine.Addr(key), ks, false)
	var prev []byte // nil: start at the first key
	n := uint64(0)
	for n < uint64(sp.MaxEntries) {
		if m.NextKey(prev, next) != nil {
			break
		}
		copy(cur, next)
		copy(key, next)
		prev = cur
		v := m.LookupElem(key, s.CPU)
		if v == 0 {
			continue // deleted meanwhile
		}
		grant(env, v, uint64(sp.ValueSize), sp.Flags&maps.ReadOnlyProg == 0)
		n++
		ret, err := env.CallFunc(int(r2), r1, engine.Addr(key), v, r3, 0)
		if err != nil {
			s.fail(env, err)
			return 0
		}
		if stopped, _ := env.Stopped(); stopped {
			return 0 // the callback ended the run
		}
		if ret != 0 {
			break
		}
	}
	return n
}
