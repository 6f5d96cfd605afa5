package maps

import (
	"fmt"
	"sync/atomic"
)

// base holds what every map type shares: the spec, the id, the closed
// state, argument checks, and default answers for operations a type does
// not have.
type base struct {
	spec   *Spec
	id     uint32
	self   Map
	closed atomic.Bool
	// valueSize is the Go-side size of one value: ValueSize, or
	// NumCPU*roundup(ValueSize, 8) for per-CPU maps.
	valueSize int
	// ncpu is the number of per-CPU copies (1 for other maps).
	ncpu int
	// stride is the distance between per-CPU copies in runtime memory.
	stride uint64
	// noBatch lists the batch operations the type lacks.
	noBatch int
	// frozen is set by Freeze: the Go side may no longer write.
	frozen atomic.Bool
}

func (b *base) init(self Map, s *Spec) {
	b.spec = s
	b.self = self
	b.ncpu = 1
	b.stride = round8(uint64(s.ValueSize))
	b.valueSize = int(s.ValueSize)
	if s.Type.hasPerCPUValues() {
		b.ncpu = NumCPU()
		b.valueSize = b.ncpu * int(b.stride)
	}
}

// getBase gives New access to the shared part of every map type.
func (b *base) getBase() *base { return b }

// publish registers a fully built map, giving it its id and handle.
func (b *base) publish() error {
	id, err := register(b.self)
	if err != nil {
		return err
	}
	b.id = id
	return nil
}

// Spec returns the map's spec; the caller must not modify it.
func (b *base) Spec() *Spec { return b.spec }

// ID returns the map's id.
func (b *base) ID() uint32 { return b.id }

// close marks the map closed once and unregisters it. It reports whether
// this call closed it.
func (b *base) close() bool {
	if !b.closed.CompareAndSwap(false, true) {
		return false
	}
	if b.id != 0 {
		unregister(b.id)
	}
	return true
}

func round8(n uint64) uint64 { return (n + 7) &^ 7 }

// typeOf names m's type for error messages; m may be nil.
func typeOf(m Map) string {
	if m == nil {
		return "nil map"
	}
	return m.Spec().Type.String()
}

// keyArg checks a Go-side key and trims it to KeySize.
func (b *base) keyArg(key []byte) ([]byte, error) {
	if b.closed.Load() {
		return nil, ErrClosed
	}
	n := int(b.spec.KeySize)
	if len(key) < n {
		return nil, fmt.Errorf("%s: key is %d bytes, need %d: %w", b.spec.Type, len(key), n, ErrInvalid)
	}
	return key[:n], nil
}

// valueArg checks a Go-side value buffer and trims it to the Go-side
// value size.
func (b *base) valueArg(v []byte) ([]byte, error) {
	if len(v) < b.valueSize {
		return nil, fmt.Errorf("%s: value is %d bytes, need %d: %w", b.spec.Type, len(v), b.valueSize, ErrInvalid)
	}
	return v[:b.valueSize], nil
}

// lookupArgs checks the key and value buffer of a Go-side lookup, and that
// the map is readable.
func (b *base) lookupArgs(key, valueOut []byte) ([]byte, []byte, error) {
	key, err := b.keyArg(key)
	if err != nil {
		return nil, nil, err
	}
	if valueOut, err = b.valueArg(valueOut); err != nil {
		return nil, nil, err
	}
	if err := b.checkRead(); err != nil {
		return nil, nil, err
	}
	return key, valueOut, nil
}

// updateArgs checks the key and value of a Go-side update, and the update
// itself (checkUpdate).
func (b *base) updateArgs(key, value []byte, flags uint64) ([]byte, []byte, error) {
	key, err := b.keyArg(key)
	if err != nil {
		return nil, nil, err
	}
	if value, err = b.valueArg(value); err != nil {
		return nil, nil, err
	}
	if err := b.checkUpdate(flags); err != nil {
		return nil, nil, err
	}
	return key, value, nil
}

func (b *base) checkRead() error {
	if b.spec.Flags&WriteOnly != 0 {
		return fmt.Errorf("%s: map is write-only (BPF_F_WRONLY): %w", b.spec.Type, ErrPermission)
	}
	return nil
}

func (b *base) checkWrite() error {
	if b.spec.Flags&ReadOnly != 0 {
		return fmt.Errorf("%s: map is read-only (BPF_F_RDONLY): %w", b.spec.Type, ErrPermission)
	}
	if b.frozen.Load() {
		return fmt.Errorf("%s: map is frozen: %w", b.spec.Type, ErrPermission)
	}
	return nil
}

// Freeze makes the map read-only for the Go side, like BPF_MAP_FREEZE;
// programs still write unless the map has BPF_F_RDONLY_PROG. As in Linux,
// a frozen map is no longer writable, so freezing it again returns
// ErrPermission.
func (b *base) Freeze() error {
	if b.closed.Load() {
		return ErrClosed
	}
	if !b.frozen.CompareAndSwap(false, true) {
		return fmt.Errorf("%s: already frozen: %w", b.spec.Type, ErrPermission)
	}
	return nil
}

// checkUpdate checks a Go-side update: the map must be writable, and, as
// the bpf() syscall checks before anything else, BPF_F_LOCK needs a spin
// lock in the value.
func (b *base) checkUpdate(flags uint64) error {
	if err := b.checkWrite(); err != nil {
		return err
	}
	if flags&UpdateLock != 0 && !b.spec.hasSpinLock() {
		return fmt.Errorf("%s: BPF_F_LOCK without a bpf_spin_lock in the value: %w", b.spec.Type, ErrInvalid)
	}
	return nil
}

// checkUpdateFlags applies Linux's rules for update flags: the low bits are
// one of BPF_ANY, BPF_NOEXIST, BPF_EXIST; BPF_F_LOCK needs a spin lock.
func (b *base) checkUpdateFlags(flags uint64) int64 {
	if flags&^UpdateLock > UpdateExist {
		return errnoEINVAL
	}
	if flags&UpdateLock != 0 && !b.spec.hasSpinLock() {
		return errnoEINVAL
	}
	return 0
}

// keyOf trims a program-side key to KeySize; ok is false if it is short.
func (b *base) keyOf(key []byte) ([]byte, bool) {
	n := int(b.spec.KeySize)
	if len(key) < n {
		return nil, false
	}
	return key[:n], true
}

// progReadOnly reports whether programs may not write the map
// (BPF_F_RDONLY_PROG); the verifier rejects such writes, and the
// program-side methods refuse them with -EPERM as a second line.
func (b *base) progReadOnly() bool { return b.spec.Flags&ReadOnlyProg != 0 }

// shortValue reports whether a program-side value is shorter than
// ValueSize.
func (b *base) shortValue(v []byte) bool { return len(v) < int(b.spec.ValueSize) }

// Default program-side answers.

// LookupElem returns 0: the type has no lookup.
func (b *base) LookupElem(key []byte, cpu int) uint64 { return 0 }

// UpdateElem returns -EOPNOTSUPP: the type has no update.
func (b *base) UpdateElem(key, value []byte, flags uint64, cpu int) int64 { return errnoEOPNOTSUPP }

// DeleteElem returns -EOPNOTSUPP: the type has no delete.
func (b *base) DeleteElem(key []byte) int64 { return errnoEOPNOTSUPP }

// PushElem returns -EOPNOTSUPP: only Queue and Stack push.
func (b *base) PushElem(value []byte, flags uint64) int64 { return errnoEOPNOTSUPP }

// PopElem returns -EOPNOTSUPP: only Queue and Stack pop.
func (b *base) PopElem(valueOut []byte) int64 { return errnoEOPNOTSUPP }

// PeekElem returns -EOPNOTSUPP: only Queue and Stack peek.
func (b *base) PeekElem(valueOut []byte) int64 { return errnoEOPNOTSUPP }

// Default Go-side answers.

// checkLookupFlags applies the bpf() syscall's rules for lookup flags.
func (b *base) checkLookupFlags(flags uint64) error {
	if flags&^UpdateLock != 0 {
		return fmt.Errorf("%s: lookup flags %#x: %w", b.spec.Type, flags, ErrInvalid)
	}
	if flags&UpdateLock != 0 && !b.spec.hasSpinLock() {
		return fmt.Errorf("%s: BPF_F_LOCK without a bpf_spin_lock in the value: %w", b.spec.Type, ErrInvalid)
	}
	return nil
}

// LookupWithFlags checks flags and looks key up; types with spin locks
// override it.
func (b *base) LookupWithFlags(key, valueOut []byte, flags uint64) error {
	if err := b.checkLookupFlags(flags); err != nil {
		return err
	}
	return b.self.Lookup(key, valueOut)
}

// LookupAndDelete is not supported by default.
func (b *base) LookupAndDelete(key, valueOut []byte) error {
	return fmt.Errorf("%s: lookup and delete: %w", b.spec.Type, ErrNotSupported)
}
