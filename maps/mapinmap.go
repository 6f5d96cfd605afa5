package maps

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/gbpf/gbpf/internal/engine"
)

// Map-in-map values hold inner map ids, as the kernel's hold maps opened
// from fds: the Go side writes and reads the 4-byte id (Map.ID), and a
// program's lookup returns the inner map's handle, which it passes on to
// the map helpers.

// innerHandle turns a stored id into a handle, or 0 for an empty slot or a
// map that is gone.
func innerHandle(id uint32) uint64 {
	if id == 0 || FromID(id) == nil {
		return 0
	}
	return handleTag | uint64(id)
}

// checkInner checks that value names a live map compatible with the outer
// map's InnerMap spec, as Linux's bpf_map_meta_equal does.
func checkInner(outer *Spec, value []byte) error {
	id := binary.NativeEndian.Uint32(value)
	m := FromID(id)
	if m == nil {
		return fmt.Errorf("%s: inner map id %d: no such map: %w", outer.Type, id, ErrInvalid)
	}
	in, want := m.Spec(), outer.InnerMap
	switch {
	case in.Type != want.Type:
		return invalidf("%s: inner map %d is %s, want %s", outer.Type, id, in.Type, want.Type)
	case in.KeySize != want.KeySize:
		return invalidf("%s: inner map %d KeySize %d, want %d", outer.Type, id, in.KeySize, want.KeySize)
	case in.ValueSize != want.ValueSize:
		return invalidf("%s: inner map %d ValueSize %d, want %d", outer.Type, id, in.ValueSize, want.ValueSize)
	case in.Flags&^InnerMapFlag != want.Flags&^InnerMapFlag:
		return invalidf("%s: inner map %d Flags %#x, want %#x", outer.Type, id, in.Flags, want.Flags)
	case want.Flags&InnerMapFlag == 0 && in.MaxEntries != want.MaxEntries:
		return invalidf("%s: inner map %d MaxEntries %d, want %d (set BPF_F_INNER_MAP to allow any)", outer.Type, id, in.MaxEntries, want.MaxEntries)
	}
	return nil
}

// arrayOfMaps is ArrayOfMaps: an array whose values are inner map ids.
type arrayOfMaps struct {
	arrayMap
}

func newMapOfMaps(s *Spec) (Map, error) {
	if s.Type == HashOfMaps {
		return newHash(s)
	}
	a := &arrayOfMaps{}
	a.init(a, s)
	a.noBatch = noBatchDelete
	if err := a.allocArray(); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// LookupElem returns the handle of the inner map at index key, or 0.
func (a *arrayOfMaps) LookupElem(key []byte, cpu int) uint64 {
	addr := a.arrayMap.LookupElem(key, 0)
	if addr == 0 {
		return 0
	}
	return innerHandle(load32(addr))
}

// UpdateElem returns -EOPNOTSUPP: programs cannot change map-in-map slots.
func (a *arrayOfMaps) UpdateElem(key, value []byte, flags uint64, cpu int) int64 {
	return errnoEOPNOTSUPP
}

// Lookup copies the inner map id at index key; an empty slot does not
// exist.
func (a *arrayOfMaps) Lookup(key, valueOut []byte) error {
	if err := a.arrayMap.Lookup(key, valueOut); err != nil {
		return err
	}
	if binary.NativeEndian.Uint32(valueOut) == 0 {
		return ErrKeyNotExist
	}
	return nil
}

// Update puts the map with the id in value at index key. As for the
// kernel's fd arrays, flags must be UpdateAny.
func (a *arrayOfMaps) Update(key, value []byte, flags uint64) error {
	key, value, err := a.updateArgs(key, value, flags)
	if err != nil {
		return err
	}
	if flags != UpdateAny {
		return fmt.Errorf("%s: update flags %d, must be BPF_ANY: %w", a.spec.Type, flags, ErrInvalid)
	}
	if a.index(key) >= a.spec.MaxEntries {
		return ErrFull
	}
	if err := checkInner(a.spec, value); err != nil {
		return err
	}
	store32(a.arrayMap.LookupElem(key, 0), binary.NativeEndian.Uint32(value))
	return nil
}

// Delete empties the slot at index key.
func (a *arrayOfMaps) Delete(key []byte) error {
	key, err := a.keyArg(key)
	if err != nil {
		return err
	}
	if err := a.checkWrite(); err != nil {
		return err
	}
	addr := a.arrayMap.LookupElem(key, 0)
	if addr == 0 {
		return ErrFull
	}
	if atomic.SwapUint32(engine.Atomic32(addr), 0) == 0 {
		return ErrKeyNotExist
	}
	return nil
}
