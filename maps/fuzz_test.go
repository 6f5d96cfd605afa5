package maps

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
)

// model is a straightforward reference implementation of a map's
// Go-side semantics, for the fuzz target to compare against.
type model struct {
	typ  Type
	max  int
	keys map[string][]byte
	fifo [][]byte
	bits int // LPM data bits
}

func (m *model) update(key, val []byte, flags uint64) error {
	switch m.typ {
	case Queue, Stack:
		if flags&^UpdateExist != 0 {
			return ErrInvalid
		}
		if len(m.fifo) == m.max {
			if flags != UpdateExist {
				return ErrFull
			}
			m.fifo = m.fifo[1:]
		}
		m.fifo = append(m.fifo, bytes.Clone(val))
		return nil
	case Array:
		if flags > UpdateExist {
			return ErrInvalid
		}
		if binary.NativeEndian.Uint32(key) >= uint32(m.max) {
			return ErrFull
		}
		if flags == UpdateNoExist {
			return ErrKeyExist
		}
		m.keys[string(key)] = bytes.Clone(val)
		return nil
	case LPMTrie:
		if flags > UpdateExist || binary.NativeEndian.Uint32(key) > uint32(m.bits) {
			return ErrInvalid
		}
		key = lpmMasked(key)
	default:
		if flags > UpdateExist {
			return ErrInvalid
		}
	}
	_, ok := m.keys[string(key)]
	switch {
	case ok && flags == UpdateNoExist:
		return ErrKeyExist
	case !ok && flags == UpdateExist:
		return ErrKeyNotExist
	case !ok && len(m.keys) >= m.max:
		if m.typ == LPMTrie {
			return ErrNoSpace
		}
		return ErrFull
	}
	m.keys[string(key)] = bytes.Clone(val)
	return nil
}

func lpmMasked(key []byte) []byte {
	out := bytes.Clone(key)
	mask(out[4:], key[4:], binary.NativeEndian.Uint32(key))
	return out
}

func (m *model) lookup(key []byte) ([]byte, error) {
	switch m.typ {
	case Queue, Stack:
		if len(m.fifo) == 0 {
			return nil, ErrKeyNotExist
		}
		if m.typ == Queue {
			return m.fifo[0], nil
		}
		return m.fifo[len(m.fifo)-1], nil
	case Array:
		if binary.NativeEndian.Uint32(key) >= uint32(m.max) {
			return nil, ErrKeyNotExist
		}
		if v, ok := m.keys[string(key)]; ok {
			return v, nil
		}
		return nil, nil // zero value
	case LPMTrie:
		plen := binary.NativeEndian.Uint32(key)
		if plen > uint32(m.bits) {
			return nil, ErrKeyNotExist
		}
		for l := int(plen); l >= 0; l-- {
			k := binary.NativeEndian.AppendUint32(nil, uint32(l))
			k = lpmMasked(append(k, key[4:]...))
			if v, ok := m.keys[string(k)]; ok {
				return v, nil
			}
		}
		return nil, ErrKeyNotExist
	}
	if v, ok := m.keys[string(key)]; ok {
		return v, nil
	}
	return nil, ErrKeyNotExist
}

func (m *model) delete(key []byte) error {
	switch m.typ {
	case Queue, Stack, Array:
		return ErrInvalid
	case LPMTrie:
		if binary.NativeEndian.Uint32(key) > uint32(m.bits) {
			return ErrInvalid
		}
		key = lpmMasked(key)
	}
	if _, ok := m.keys[string(key)]; !ok {
		return ErrKeyNotExist
	}
	delete(m.keys, string(key))
	return nil
}

func (m *model) pop() ([]byte, error) {
	v, err := m.lookup(nil)
	if err == nil {
		if m.typ == Queue {
			m.fifo = m.fifo[1:]
		} else {
			m.fifo = m.fifo[:len(m.fifo)-1]
		}
	}
	return v, err
}

var fuzzTypes = []Type{Hash, Array, LPMTrie, Queue, Stack, LRUHash, PerCPUHash, Hash}

// FuzzMapOps applies an operation sequence decoded from the input to a map
// and to the reference model, and compares every result. LRU maps are
// checked for invariants only, since eviction order is not modeled.
func FuzzMapOps(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0, 5, 1, 1, 0, 2, 1, 3, 2, 0, 4, 1})
	f.Add([]byte{1, 0, 9, 0, 1, 1, 9, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{2, 0, 24, 10, 0, 1, 16, 10, 1, 1, 30, 10, 0, 2, 8, 10})
	f.Add([]byte{3, 0, 1, 0, 2, 1, 3, 2, 4, 0, 3, 0, 3, 5, 5, 5})
	f.Add([]byte{4, 0, 1, 0, 2, 1, 3, 2, 4, 0, 3, 0, 3, 5, 5, 5})
	f.Add([]byte{5, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 1, 0, 7})
	f.Add([]byte{6, 0, 1, 1, 1, 2, 1, 3, 1, 4, 4, 4})
	f.Add([]byte{0, 6, 1, 5, 7, 1, 0, 6, 2, 9, 7, 2, 3, 2, 0, 7, 2, 0})
	f.Add([]byte{3, 6, 0, 1, 6, 0, 2, 7, 0, 0, 7, 0, 0, 7, 0, 0})
	f.Add([]byte{2, 6, 24, 10, 7, 32, 10, 6, 8, 10, 7, 16, 10, 3, 8, 10, 7, 32, 10})
	f.Fuzz(fuzzMapOps)
}

func fuzzMapOps(t *testing.T, data []byte) {
	{
		if len(data) < 1 {
			return
		}
		SetNumCPU(2)
		defer SetNumCPU(defaultCPUs)
		typ := fuzzTypes[int(data[0])%len(fuzzTypes)]
		data = data[1:]
		spec := &Spec{Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 6, SpinLockOffset: -1}
		md := &model{typ: typ, max: 6, keys: map[string][]byte{}}
		switch typ {
		case LPMTrie:
			spec.KeySize, spec.Flags = 6, NoPrealloc
			md.bits = 16
		case Queue, Stack:
			spec.KeySize = 0
		}
		m, err := New(spec)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		vs := m.(interface{ goValueSize() int }).goValueSize()
		// Keys and values for the program-side calls live in runtime
		// memory, as on a program's stack.
		blk, err := engine.Alloc(64 + vs)
		if err != nil {
			t.Fatal(err)
		}
		defer blk.Free()
		pkey, pval := blk.Bytes()[:spec.KeySize], blk.Bytes()[64:64+int(spec.ValueSize)]
		for len(data) >= 3 {
			op, a, b := data[0]%8, data[1], data[2]
			data = data[3:]
			key := make([]byte, spec.KeySize)
			if typ == LPMTrie {
				binary.NativeEndian.PutUint32(key, uint32(a%20))
				key[4], key[5] = b&0xf0, b<<4
			} else if spec.KeySize > 0 {
				binary.NativeEndian.PutUint32(key, uint32(a%10))
			}
			val := bytes.Repeat([]byte{b}, vs)
			if typ == PerCPUHash { // each CPU's 4 bytes are padded to 8 with zeros
				for c := 0; c < vs; c += 8 {
					clear(val[c+4 : c+8])
				}
			}
			out := make([]byte, vs)
			flags := uint64(a>>4) % 4
			check := func(what string, got, want error) {
				if typ == LRUHash {
					if got != nil && !errors.Is(got, ErrKeyNotExist) && !errors.Is(got, ErrKeyExist) && !errors.Is(got, ErrInvalid) {
						t.Fatalf("%s: LRU error %v", what, got)
					}
					return
				}
				if !errors.Is(got, want) || (got != nil) != (want != nil) {
					t.Fatalf("%s(%x, flags %d): %v, model %v", what, key, flags, got, want)
				}
			}
			switch op {
			case 0, 1:
				check("update", m.Update(key, val, flags), md.update(key, val, flags))
			case 2:
				err := m.Lookup(key, out)
				want, merr := md.lookup(key)
				check("lookup", err, merr)
				if err == nil && merr == nil && typ != LRUHash {
					if want == nil {
						want = make([]byte, vs)
					}
					if !bytes.Equal(out, want) {
						t.Fatalf("lookup(%x): %x, model %x", key, out, want)
					}
				}
			case 3:
				check("delete", m.Delete(key), md.delete(key))
			case 4:
				if typ == Queue || typ == Stack {
					err := m.LookupAndDelete(nil, out)
					want, merr := md.pop()
					check("pop", err, merr)
					if err == nil && !bytes.Equal(out, want) {
						t.Fatalf("pop: %x, model %x", out, want)
					}
				}
			case 6: // program-side update or push
				if typ == PerCPUHash {
					continue
				}
				copy(pkey, key)
				copy(pval, val)
				var r int64
				if typ == Queue || typ == Stack {
					r = m.PushElem(pval, flags)
				} else {
					r = m.UpdateElem(pkey, pval, flags, 0)
				}
				check("program update", errorOf(r), md.update(key, val[:spec.ValueSize], flags))
			case 7: // program-side lookup or pop
				if typ == PerCPUHash || typ == LRUHash {
					continue
				}
				copy(pkey, key)
				var got []byte
				var err error
				if typ == Queue || typ == Stack {
					err = errorOf(m.PopElem(pval))
					got = pval
				} else if a := m.LookupElem(pkey, 0); a != 0 {
					got = engine.Bytes(a, uint64(spec.ValueSize))
				} else {
					err = ErrKeyNotExist
				}
				var want []byte
				var merr error
				if typ == Queue || typ == Stack {
					want, merr = md.pop()
				} else {
					want, merr = md.lookup(key)
				}
				check("program lookup", err, merr)
				if err == nil && merr == nil {
					if want == nil {
						want = make([]byte, spec.ValueSize)
					}
					if !bytes.Equal(got, want[:spec.ValueSize]) {
						t.Fatalf("program lookup(%x): %x, model %x", key, got, want)
					}
				}
			case 5:
				if typ == Queue || typ == Stack {
					continue
				}
				// Iteration visits each element once and ends.
				n := 0
				var k []byte
				next := make([]byte, spec.KeySize)
				for ; n <= 10; n++ {
					if err := m.NextKey(k, next); err != nil {
						if !errors.Is(err, ErrKeyNotExist) {
							t.Fatal(err)
						}
						break
					}
					k = bytes.Clone(next)
				}
				want := len(md.keys)
				if typ == Array {
					want = 6
				}
				if typ != LRUHash && n != want {
					t.Fatalf("iteration saw %d keys, model has %d", n, want)
				}
				if n > 6 {
					t.Fatalf("iteration saw %d keys, more than MaxEntries", n)
				}
			}
		}
	}
}
