package gbpf

import (
	"errors"
	"fmt"
	"sync"

	"github.com/gbpf/gbpf/maps"
)

// MapUpdateFlags control Map.Update, as Linux's BPF_ANY, BPF_NOEXIST,
// BPF_EXIST and BPF_F_LOCK.
type MapUpdateFlags uint64

// Update flags.
const (
	UpdateAny     MapUpdateFlags = MapUpdateFlags(maps.UpdateAny)
	UpdateNoExist MapUpdateFlags = MapUpdateFlags(maps.UpdateNoExist)
	UpdateExist   MapUpdateFlags = MapUpdateFlags(maps.UpdateExist)
	UpdateLock    MapUpdateFlags = MapUpdateFlags(maps.UpdateLock)
)

// ErrKeyNotExist is returned by Lookup and Delete for a missing key; it is
// maps.ErrKeyNotExist and matches ENOENT.
var ErrKeyNotExist = maps.ErrKeyNotExist

// Map is a live map, read and written with Go values: keys and values are
// []byte, or fixed-size values (integers, arrays and structs of them)
// encoded in the host's byte order; per-CPU maps take a slice of one value
// per CPU and return one into a pointer to a slice.
type Map struct {
	name string
	m    maps.Map

	// ownerMu guards owner: for a program array, the first program
	// that used it or was stored in it, which fixes the kind of program
	// it holds (the kernel's map owner).
	ownerMu sync.Mutex
	owner   *Program

	// pin is set for a map pinned in a runtime's pin registry (see
	// pin.go): the collections that share it hold references, and the
	// last Close closes it.
	pin *pinState
}

// NewMap creates a map from spec.
func NewMap(spec *maps.Spec) (*Map, error) { return newMap(spec.Name, spec) }

// Name returns the map's name.
func (m *Map) Name() string { return m.name }

// Type returns the map's type.
func (m *Map) Type() maps.Type { return m.m.Spec().Type }

// KeySize returns the size of a key in bytes.
func (m *Map) KeySize() uint32 { return m.m.Spec().KeySize }

// ValueSize returns the size of a value in bytes (of one CPU's, for per-CPU
// maps).
func (m *Map) ValueSize() uint32 { return m.m.Spec().ValueSize }

// MaxEntries returns the map's capacity.
func (m *Map) MaxEntries() uint32 { return m.m.Spec().MaxEntries }

// Spec returns a copy of the map's spec.
func (m *Map) Spec() *maps.Spec { return m.m.Spec().Copy() }

// Unwrap returns the underlying map. For a map of the Kernel backend it is
// an adapter over the kernel map, whose program-side methods (LookupElem
// and the others of maps.ProgramMap) do nothing.
func (m *Map) Unwrap() maps.Map { return m.m }

// String describes the map by type and name.
func (m *Map) String() string { return fmt.Sprintf("%s(%s)", m.m.Spec().Type, m.name) }

// perCPU reports whether values are per CPU.
func (m *Map) perCPU() bool {
	switch m.m.Spec().Type {
	case maps.PerCPUArray, maps.PerCPUHash, maps.LRUCPUHash:
		return true
	}
	return false
}

// valueBytes is the Go-side size of a whole value.
func (m *Map) valueBytes() int {
	sp := m.m.Spec()
	if m.perCPU() {
		return int((sp.ValueSize+7)&^7) * m.cpus()
	}
	return int(sp.ValueSize)
}

func (m *Map) key(key any) ([]byte, error) {
	b, err := marshal(key, int(m.m.Spec().KeySize))
	if err != nil {
		return nil, fmt.Errorf("map %s: key: %w", m.name, err)
	}
	return b, nil
}

func (m *Map) value(v any) ([]byte, error) {
	sp := m.m.Spec()
	var b []byte
	var err error
	if m.perCPU() {
		b, err = marshalPerCPU(v, int(sp.ValueSize), m.cpus())
	} else {
		b, err = marshal(v, int(sp.ValueSize))
	}
	if err != nil {
		return nil, fmt.Errorf("map %s: value: %w", m.name, err)
	}
	return b, nil
}

func (m *Map) decode(out any, b []byte) error {
	var err error
	if m.perCPU() {
		err = unmarshalPerCPU(out, b, int(m.m.Spec().ValueSize), m.cpus())
	} else {
		err = unmarshal(out, b)
	}
	if err != nil {
		return fmt.Errorf("map %s: value: %w", m.name, err)
	}
	return nil
}

// Lookup copies the value of key into valueOut.
func (m *Map) Lookup(key, valueOut any) error {
	return m.read(key, valueOut, "lookup", m.m.Lookup)
}

// read marshals key, reads its value with op (the maps.Map method named
// what) and decodes the value into valueOut.
func (m *Map) read(key, valueOut any, what string, op func(key, valueOut []byte) error) error {
	k, err := m.key(key)
	if err != nil {
		return err
	}
	buf := make([]byte, m.valueBytes())
	if err := op(k, buf); err != nil {
		return fmt.Errorf("map %s: %s: %w", m.name, what, err)
	}
	return m.decode(valueOut, buf)
}

// Update sets the value of key. Queues and stacks take a nil key and push
// the value; program arrays take a *Program; map-in-map maps a *Map.
func (m *Map) Update(key, value any, flags MapUpdateFlags) error {
	if k, ok := asKernelMap(m.m); ok {
		if done, err := k.updateObject(key, value, flags); done {
			if err != nil {
				return fmt.Errorf("map %s: update: %w", m.name, err)
			}
			return nil
		}
	}
	if p, ok := value.(*Program); ok {
		k, ok := key.(uint32)
		if !ok {
			return fmt.Errorf("map %s: a program's index must be a uint32, not %T", m.name, key)
		}
		return m.SetProgram(k, p)
	}
	k, err := m.key(key)
	if err != nil {
		return err
	}
	v, err := m.value(value)
	if err != nil {
		return err
	}
	if err := m.m.Update(k, v, uint64(flags)); err != nil {
		return fmt.Errorf("map %s: update: %w", m.name, err)
	}
	return nil
}

// Delete removes key.
func (m *Map) Delete(key any) error {
	k, err := m.key(key)
	if err != nil {
		return err
	}
	if err := m.m.Delete(k); err != nil {
		return fmt.Errorf("map %s: delete: %w", m.name, err)
	}
	return nil
}

// LookupAndDelete copies the value of key into valueOut and removes it;
// for queues and stacks (key nil) it pops the next value.
func (m *Map) LookupAndDelete(key, valueOut any) error {
	return m.read(key, valueOut, "lookup and delete", m.m.LookupAndDelete)
}

// SetProgram puts p at index of a program array (nil empties the slot).
// As in Linux, the programs of one array, and the programs that tail-call
// through it, all have the type of the first one and are all verified or
// all checked; another program fails with ErrIncompatible.
func (m *Map) SetProgram(index uint32, p *Program) error {
	if k, ok := asKernelMap(m.m); ok {
		if _, err := k.updateObject(index, p, UpdateAny); err != nil {
			return fmt.Errorf("map %s: %w", m.name, err)
		}
		return nil
	}
	pa, ok := m.m.(*maps.ProgArrayMap)
	if !ok {
		return fmt.Errorf("map %s: %s is not a program array", m.name, m.m.Spec().Type)
	}
	var v any
	if p != nil {
		if err := m.claim(p); err != nil {
			return err
		}
		v = p
	}
	if err := pa.SetProgram(index, v); err != nil {
		return fmt.Errorf("map %s: %w", m.name, err)
	}
	return nil
}

// Freeze makes the map read-only for Go, like BPF_MAP_FREEZE: Update,
// Delete and SetProgram fail from then on with an error matching
// maps.ErrPermission; programs still write it unless it has
// BPF_F_RDONLY_PROG. NewCollection freezes the read-only data sections and
// the maps whose contents verification relied on. Freezing a frozen map
// fails, as in Linux.
func (m *Map) Freeze() error {
	if err := m.m.Freeze(); err != nil {
		return fmt.Errorf("map %s: freeze: %w", m.name, err)
	}
	return nil
}

// claim checks that p may be stored in the program array m or tail-call
// through it, as the kernel's bpf_prog_map_compatible does: every program
// of an array, and every program calling through it, has the type and the
// verification (verified or checked) of the first one. The runtime checks
// again when a tail call happens, together with the context size.
func (m *Map) claim(p *Program) error {
	m.ownerMu.Lock()
	defer m.ownerMu.Unlock()
	if m.owner == nil {
		m.owner = p
		return nil
	}
	o := m.owner
	if p.info.Type != o.info.Type || p.checked != o.checked {
		return fmt.Errorf("map %s: program %s (%s) is incompatible with the array's programs (%s, like %s): %w",
			m.name, p.name, p.kind(), o.kind(), o.name, ErrIncompatible)
	}
	return nil
}

// ErrIncompatible is returned for a program stored in, or calling through,
// a program array that holds programs of another kind.
var ErrIncompatible = errors.New("incompatible program")

// Close releases the map. A pinned map shared by several collections is
// released by the last Close once it is unpinned.
func (m *Map) Close() error {
	if m.pin != nil {
		return m.pin.release(m)
	}
	return m.m.Close()
}

// NextKey decodes into nextKeyOut the key that follows key, as
// BPF_MAP_GET_NEXT_KEY: a nil key asks for the first key. After the last
// key it returns an error matching ErrKeyNotExist. A key that is not in
// the map gives the first key of hash maps, as in Linux.
func (m *Map) NextKey(key, nextKeyOut any) error {
	var k []byte
	if key != nil {
		var err error
		if k, err = m.key(key); err != nil {
			return err
		}
	}
	next := make([]byte, m.m.Spec().KeySize)
	if err := m.m.NextKey(k, next); err != nil {
		return fmt.Errorf("map %s: next key: %w", m.name, err)
	}
	if err := unmarshal(nextKeyOut, next); err != nil {
		return fmt.Errorf("map %s: next key: %w", m.name, err)
	}
	return nil
}

// Iterate returns an iterator over the map's keys and values, like
// cilium/ebpf's MapIterator.
func (m *Map) Iterate() *MapIterator {
	return &MapIterator{m: m, cur: make([]byte, m.m.Spec().KeySize), next: make([]byte, m.m.Spec().KeySize)}
}

// MapIterator walks a map's elements. Elements added or deleted during the
// walk may or may not be seen; none is seen twice unless re-added.
type MapIterator struct {
	m         *Map
	cur, next []byte
	started   bool
	done      bool
	err       error
}

// Next decodes the next key and value into keyOut and valueOut and reports
// whether there was one. When it returns false, Err tells why.
func (it *MapIterator) Next(keyOut, valueOut any) bool {
	if it.done {
		return false
	}
	buf := make([]byte, it.m.valueBytes())
	for range 1 << 20 {
		var prev []byte
		if it.started {
			prev = it.cur
		}
		err := it.m.m.NextKey(prev, it.next)
		if errors.Is(err, maps.ErrKeyNotExist) {
			it.done = true
			return false
		}
		if err != nil {
			it.fail(err)
			return false
		}
		it.started = true
		copy(it.cur, it.next)
		err = it.m.m.Lookup(it.cur, buf)
		if errors.Is(err, maps.ErrKeyNotExist) {
			continue // deleted since NextKey
		}
		if err != nil {
			it.fail(err)
			return false
		}
		if err := unmarshal(keyOut, it.cur); err != nil {
			it.fail(fmt.Errorf("key: %w", err))
			return false
		}
		if err := it.m.decode(valueOut, buf); err != nil {
			it.fail(err)
			return false
		}
		return true
	}
	it.fail(errors.New("too many concurrent deletions"))
	return false
}

func (it *MapIterator) fail(err error) {
	it.done = true
	it.err = fmt.Errorf("map %s: iterate: %w", it.m.name, err)
}

// Err returns the error that ended the iteration, or nil.
func (it *MapIterator) Err() error { return it.err }
