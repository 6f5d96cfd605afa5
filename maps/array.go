package maps

import (
	"encoding/binary"

	"github.com/gbpf/gbpf/internal/engine"
)

// arrayMap is Array and PerCPUArray: MaxEntries values, preallocated and
// zeroed, indexed by a 4-byte key. Elements always exist and cannot be
// deleted; updates write in place, as in Linux.
type arrayMap struct {
	base
	mem      *engine.Block
	addr     uint64
	elemSize uint64 // ncpu * stride
}

func newArray(s *Spec) (*arrayMap, error) {
	a := &arrayMap{}
	a.init(a, s)
	a.noBatch = noBatchDelete
	if err := a.allocArray(); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *arrayMap) allocArray() error {
	a.elemSize = uint64(a.ncpu) * a.stride
	mem, err := engine.Alloc(int(a.elemSize * uint64(a.spec.MaxEntries)))
	if err != nil {
		return err
	}
	a.mem, a.addr = mem, mem.Addr()
	return nil
}

func (a *arrayMap) index(key []byte) uint32 { return binary.NativeEndian.Uint32(key) }

// LookupElem returns the address of the value at index key (CPU cpu's
// copy for PerCPUArray), or 0 if the index is out of range.
func (a *arrayMap) LookupElem(key []byte, cpu int) uint64 {
	if len(key) < 4 {
		return 0
	}
	i := a.index(key)
	if i >= a.spec.MaxEntries {
		return 0
	}
	return a.addr + uint64(i)*a.elemSize + uint64(cpuIndex(cpu, a.ncpu))*a.stride
}

// cpuIndex maps a run's cpu number into [0, n).
func cpuIndex(cpu, n int) int {
	if uint(cpu) < uint(n) {
		return cpu
	}
	if cpu < 0 {
		cpu = -cpu
	}
	return cpu % n
}

// UpdateElem writes value at index key (CPU cpu's copy for PerCPUArray).
func (a *arrayMap) UpdateElem(key, value []byte, flags uint64, cpu int) int64 {
	if len(key) < 4 || a.shortValue(value) {
		return errnoEINVAL
	}
	if a.progReadOnly() {
		return errnoEPERM
	}
	if r := a.checkArrayUpdate(key, flags); r != 0 {
		return r
	}
	addr := a.LookupElem(key, cpu)
	a.copyIn(engine.Bytes(addr, uint64(a.spec.ValueSize)), value, flags&UpdateLock != 0)
	return 0
}

func (a *arrayMap) checkArrayUpdate(key []byte, flags uint64) int64 {
	if a.spec.Type == PerCPUArray {
		if flags > UpdateExist {
			return errnoEINVAL
		}
	} else if flags&^UpdateLock > UpdateExist {
		return errnoEINVAL
	}
	if a.index(key) >= a.spec.MaxEntries {
		return errnoE2BIG
	}
	if flags&UpdateNoExist != 0 {
		return errnoEEXIST
	}
	if flags&UpdateLock != 0 && !a.spec.hasSpinLock() {
		return errnoEINVAL
	}
	return 0
}

// DeleteElem returns -EINVAL: array elements cannot be deleted.
func (a *arrayMap) DeleteElem(key []byte) int64 { return errnoEINVAL }

// Lookup copies the value at index key.
func (a *arrayMap) Lookup(key, valueOut []byte) error {
	return a.LookupWithFlags(key, valueOut, 0)
}

// LookupWithFlags copies the value at index key, under its spin lock with
// UpdateLock.
func (a *arrayMap) LookupWithFlags(key, valueOut []byte, flags uint64) error {
	if err := a.checkLookupFlags(flags); err != nil {
		return err
	}
	key, valueOut, err := a.lookupArgs(key, valueOut)
	if err != nil {
		return err
	}
	i := a.index(key)
	if i >= a.spec.MaxEntries {
		return ErrKeyNotExist
	}
	a.copyOutAll(valueOut, a.addr+uint64(i)*a.elemSize, flags&UpdateLock != 0)
	return nil
}

// Update writes the value at index key.
func (a *arrayMap) Update(key, value []byte, flags uint64) error {
	key, value, err := a.updateArgs(key, value, flags)
	if err != nil {
		return err
	}
	if r := a.checkArrayUpdate(key, flags); r != 0 {
		return errorOf(r)
	}
	a.copyInAll(a.addr+uint64(a.index(key))*a.elemSize, value, flags&UpdateLock != 0)
	return nil
}

// Delete returns ErrInvalid: array elements cannot be deleted.
func (a *arrayMap) Delete(key []byte) error {
	if _, err := a.keyArg(key); err != nil {
		return err
	}
	if err := a.checkWrite(); err != nil {
		return err
	}
	return ErrInvalid
}

// NextKey returns the next index: 0 after nil or an out-of-range key.
func (a *arrayMap) NextKey(key, nextKeyOut []byte) error {
	return arrayNextKey(&a.base, key, nextKeyOut)
}

func arrayNextKey(b *base, key, out []byte) error {
	if b.closed.Load() {
		return ErrClosed
	}
	if len(out) < 4 {
		return invalidf("%s: next key buffer is %d bytes, need 4", b.spec.Type, len(out))
	}
	next := uint32(0)
	if key != nil {
		k, err := b.keyArg(key)
		if err != nil {
			return err
		}
		i := binary.NativeEndian.Uint32(k)
		if i < b.spec.MaxEntries {
			if i == b.spec.MaxEntries-1 {
				return ErrKeyNotExist
			}
			next = i + 1
		}
	}
	binary.NativeEndian.PutUint32(out, next)
	return nil
}

// Close frees the array's memory.
func (a *arrayMap) Close() error {
	if !a.close() {
		return nil
	}
	return a.mem.Free()
}

// Memory returns the runtime memory holding the values, for checked runs.
func (a *arrayMap) Memory() []engine.Region {
	return []engine.Region{a.mem.Region(!a.progReadOnly())}
}
