package gbpf

import (
	"errors"
	"fmt"
	"path"
	"sort"

	"github.com/gbpf/gbpf/maps"
)

// A Runtime has a pin registry, which does for its collections what a
// bpffs does for the kernel's: a map pinned by name (LIBBPF_PIN_BY_NAME)
// is registered under Options.PinPath joined with its name, and a later
// collection of the runtime that pins a map of the same name under the
// same path shares it, as two objects loaded with the same pin path share
// a map in the kernel. A pinned map lives until it is unpinned and every
// collection that uses it is closed.

// ErrMapIncompatible is returned when a pinned map does not match the spec
// of the map that would share it (type, key and value size, capacity,
// flags), like cilium/ebpf's.
var ErrMapIncompatible = errors.New("pinned map is incompatible with the spec")

// pinState is the sharing state of a pinned runtime map; the runtime's
// mutex guards it.
type pinState struct {
	rt   *Runtime
	path string
	// refs counts the collections using the map, plus one while it is
	// pinned.
	refs   int
	pinned bool
}

// pinnedMap returns a new map for spec, or, if spec is pinned by name, the
// map pinned under dir with name, creating and pinning it if there is
// none.
func (rt *Runtime) pinnedMap(name string, spec *maps.Spec, dir string) (*Map, error) {
	if spec.Pinning != maps.PinByName {
		return newMap(name, spec)
	}
	key := path.Join(dir, name)
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if m := rt.pins[key]; m != nil {
		if err := checkPinned(m.m.Spec(), spec); err != nil {
			return nil, fmt.Errorf("pinned map %s: %w", key, err)
		}
		m.pin.refs++
		return m, nil
	}
	m, err := newMap(name, spec)
	if err != nil {
		return nil, err
	}
	m.pin = &pinState{rt: rt, path: key, refs: 2, pinned: true}
	if rt.pins == nil {
		rt.pins = make(map[string]*Map)
	}
	rt.pins[key] = m
	return m, nil
}

// checkPinned compares the spec of a pinned map with the spec of a map
// that would share it, as cilium/ebpf's MapSpec.Compatible does.
func checkPinned(have, want *maps.Spec) error {
	switch {
	case have.Type != want.Type:
		return fmt.Errorf("type %v, want %v: %w", have.Type, want.Type, ErrMapIncompatible)
	case have.KeySize != want.KeySize || have.ValueSize != want.ValueSize:
		return fmt.Errorf("key/value size %d/%d, want %d/%d: %w", have.KeySize, have.ValueSize, want.KeySize, want.ValueSize, ErrMapIncompatible)
	case have.MaxEntries != want.MaxEntries:
		return fmt.Errorf("max entries %d, want %d: %w", have.MaxEntries, want.MaxEntries, ErrMapIncompatible)
	case have.Flags != want.Flags:
		return fmt.Errorf("flags %#x, want %#x: %w", have.Flags, want.Flags, ErrMapIncompatible)
	}
	return nil
}

// release drops one collection's reference to m, closing it with the
// last one.
func (ps *pinState) release(m *Map) error {
	ps.rt.mu.Lock()
	ps.refs--
	last := ps.refs == 0
	ps.rt.mu.Unlock()
	if last {
		return m.m.Close()
	}
	return nil
}

// PinnedMaps returns the pin paths of the runtime's pinned maps, sorted.
func (rt *Runtime) PinnedMaps() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := make([]string, 0, len(rt.pins))
	for k := range rt.pins {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// IsPinned reports whether the map is pinned: in its runtime's pin
// registry, or in a bpffs for a kernel map.
func (m *Map) IsPinned() bool {
	if k, ok := asKernelMap(m.m); ok {
		return k.isPinned()
	}
	if m.pin == nil {
		return false
	}
	m.pin.rt.mu.Lock()
	defer m.pin.rt.mu.Unlock()
	return m.pin.pinned
}

// Unpin removes the map from its runtime's pin registry (a kernel map:
// from the bpffs), so that later collections create a map of their own.
// The map lives on while collections use it. Unpinning a map that is not
// pinned does nothing.
func (m *Map) Unpin() error {
	if k, ok := asKernelMap(m.m); ok {
		return k.unpin()
	}
	ps := m.pin
	if ps == nil {
		return nil
	}
	ps.rt.mu.Lock()
	if !ps.pinned {
		ps.rt.mu.Unlock()
		return nil
	}
	ps.pinned = false
	delete(ps.rt.pins, ps.path)
	ps.rt.mu.Unlock()
	return ps.release(m)
}
