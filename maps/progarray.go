package maps

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
)

// ProgArrayMap is ProgramArray, the map behind bpf_tail_call. The runtime
// stores its program objects with SetProgram; programs reach them by index.
type ProgArrayMap struct {
	base
	progs []atomic.Pointer[progSlot]
}

type progSlot struct{ prog any }

func newProgArray(s *Spec) (*ProgArrayMap, error) {
	if s.MaxEntries > maxGoSlots {
		return nil, fmt.Errorf("%s: MaxEntries %d: %w", s.Type, s.MaxEntries, eNOMEM)
	}
	p := &ProgArrayMap{progs: make([]atomic.Pointer[progSlot], s.MaxEntries)}
	p.init(p, s)
	p.noBatch = noBatch
	return p, nil
}

// SetProgram stores prog at index; nil empties the slot. A frozen array
// cannot change.
func (p *ProgArrayMap) SetProgram(index uint32, prog any) error {
	if p.closed.Load() {
		return ErrClosed
	}
	if err := p.checkWrite(); err != nil {
		return err
	}
	if index >= p.spec.MaxEntries {
		return fmt.Errorf("%s: index %d out of range (MaxEntries %d): %w", p.spec.Type, index, p.spec.MaxEntries, ErrFull)
	}
	if prog == nil {
		p.progs[index].Store(nil)
		return nil
	}
	p.progs[index].Store(&progSlot{prog: prog})
	return nil
}

// Program returns what SetProgram stored at index, or nil. It takes no
// lock and does not allocate.
func (p *ProgArrayMap) Program(index uint32) any {
	if index >= uint32(len(p.progs)) {
		return nil
	}
	if s := p.progs[index].Load(); s != nil {
		return s.prog
	}
	return nil
}

// DeleteElem empties the slot at index key.
func (p *ProgArrayMap) DeleteElem(key []byte) int64 {
	if len(key) < 4 {
		return errnoEINVAL
	}
	i := binary.NativeEndian.Uint32(key)
	if i >= p.spec.MaxEntries {
		return errnoE2BIG
	}
	if p.progs[i].Swap(nil) == nil {
		return errnoENOENT
	}
	return 0
}

// Lookup returns ErrNotSupported, as Linux does for program arrays.
func (p *ProgArrayMap) Lookup(key, valueOut []byte) error {
	return fmt.Errorf("%s: lookup: %w", p.spec.Type, ErrNotSupported)
}

// Update returns ErrNotSupported: use SetProgram.
func (p *ProgArrayMap) Update(key, value []byte, flags uint64) error {
	return fmt.Errorf("%s: update: use SetProgram: %w", p.spec.Type, ErrNotSupported)
}

// Delete empties the slot at index key.
func (p *ProgArrayMap) Delete(key []byte) error {
	key, err := p.keyArg(key)
	if err != nil {
		return err
	}
	if err := p.checkWrite(); err != nil {
		return err
	}
	return errorOf(p.DeleteElem(key))
}

// NextKey walks the indexes like an array.
func (p *ProgArrayMap) NextKey(key, nextKeyOut []byte) error {
	return arrayNextKey(&p.base, key, nextKeyOut)
}

// Close empties the array.
func (p *ProgArrayMap) Close() error {
	if p.close() {
		for i := range p.progs {
			p.progs[i].Store(nil)
		}
	}
	return nil
}
