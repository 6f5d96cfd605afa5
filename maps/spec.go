package maps

import (
	"fmt"
	"os"
)

// Map creation flags (Linux's BPF_F_* map_flags).
const (
	NoPrealloc      uint32 = 1 << 0  // BPF_F_NO_PREALLOC
	NoCommonLRU     uint32 = 1 << 1  // BPF_F_NO_COMMON_LRU
	NUMANode        uint32 = 1 << 2  // BPF_F_NUMA_NODE
	ReadOnly        uint32 = 1 << 3  // BPF_F_RDONLY: the Go side cannot write
	WriteOnly       uint32 = 1 << 4  // BPF_F_WRONLY: the Go side cannot read
	StackBuildID    uint32 = 1 << 5  // BPF_F_STACK_BUILD_ID
	ZeroSeed        uint32 = 1 << 6  // BPF_F_ZERO_SEED
	ReadOnlyProg    uint32 = 1 << 7  // BPF_F_RDONLY_PROG: programs cannot write
	WriteOnlyProg   uint32 = 1 << 8  // BPF_F_WRONLY_PROG: programs cannot read
	Clone           uint32 = 1 << 9  // BPF_F_CLONE
	Mmapable        uint32 = 1 << 10 // BPF_F_MMAPABLE
	PreserveElems   uint32 = 1 << 11 // BPF_F_PRESERVE_ELEMS
	InnerMapFlag    uint32 = 1 << 12 // BPF_F_INNER_MAP: inner maps may differ in MaxEntries
	accessMask             = ReadOnly | WriteOnly | ReadOnlyProg | WriteOnlyProg
	arrayFlagMask          = NUMANode | Mmapable | accessMask | PreserveElems | InnerMapFlag
	hashFlagMask           = NoPrealloc | NoCommonLRU | NUMANode | accessMask | ZeroSeed
	queueFlagMask          = NUMANode | accessMask
	lpmFlagMask            = NoPrealloc | NUMANode | accessMask
	ringbufFlagMask        = NUMANode
)

// Update flags (Linux's BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK).
const (
	UpdateAny     uint64 = 0 // create or replace
	UpdateNoExist uint64 = 1 // create only: ErrKeyExist if present
	UpdateExist   uint64 = 2 // replace only: ErrKeyNotExist if absent
	UpdateLock    uint64 = 4 // update under the value's bpf_spin_lock
)

// Limits taken from Linux.
const (
	maxValueSize    = 1 << 22 // KMALLOC_MAX_SIZE on x86-64
	maxHashValue    = maxValueSize - 512 - 48
	maxArrayValue   = 1<<31 - 1 // INT_MAX
	maxPerCPUValue  = 32768     // PCPU_MIN_UNIT_SIZE
	lpmDataSizeMax  = 256
	lpmValueSizeMax = maxValueSize - lpmDataSizeMax - 24
)

// KV is one initial element of a map.
type KV struct {
	Key, Value []byte
}

// Spec describes a map to create. It is plain data; New makes a live map
// from it. Field names mirror cilium/ebpf's MapSpec.
type Spec struct {
	// Name is informational, as in Linux (at most 15 characters there).
	Name string
	// Type is the map type.
	Type Type
	// KeySize and ValueSize are in bytes. ValueSize is the size of one
	// CPU's value for per-CPU maps.
	KeySize, ValueSize uint32
	// MaxEntries bounds the number of elements (the ring size in bytes for
	// RingBuf). Zero for PerfEventArray means one entry per CPU.
	MaxEntries uint32
	// Flags are the BPF_F_* creation flags.
	Flags uint32
	// InnerMap describes the inner maps of ArrayOfMaps and HashOfMaps.
	InnerMap *Spec
	// Contents are put into the map by New, with UpdateAny.
	Contents []KV
	// SpinLockOffset is the byte offset of a struct bpf_spin_lock in the
	// value, or -1 for none. The loader fills it from BTF. Note that the
	// zero value means a lock at offset 0: specs without a lock must set -1.
	SpinLockOffset int
	// Pinning says whether the map is shared by name, as libbpf's
	// LIBBPF_PIN_BY_NAME (the __uint(pinning, ...) attribute): a
	// collection that finds a pinned map of the same name under its pin
	// path uses it instead of creating one. Maps themselves ignore it;
	// whoever creates collections implements it.
	Pinning PinType
}

// PinType says how a map is pinned, as cilium/ebpf's PinType and libbpf's
// pinning attribute (whose values it has).
type PinType uint32

// Pin types.
const (
	// PinNone: the map is private to its collection.
	PinNone PinType = 0
	// PinByName: the map is shared under its name in the pin path.
	PinByName PinType = 1
)

// Copy returns a deep copy of s.
func (s *Spec) Copy() *Spec {
	if s == nil {
		return nil
	}
	c := *s
	c.InnerMap = s.InnerMap.Copy()
	c.Contents = append([]KV(nil), s.Contents...)
	return &c
}

// String describes the spec briefly.
func (s *Spec) String() string {
	return fmt.Sprintf("%s(key=%d, value=%d, max=%d, flags=%#x)", s.Type, s.KeySize, s.ValueSize, s.MaxEntries, s.Flags)
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrInvalid)
}

// hasSpinLock reports whether values hold a bpf_spin_lock.
func (s *Spec) hasSpinLock() bool { return s.SpinLockOffset >= 0 }

// pageSize is the ring buffer's unit.
var pageSize = uint32(os.Getpagesize())

// validate checks s against the rules Linux applies at map creation. The
// error wraps ErrInvalid (or ErrFull / ErrNotSupported where Linux
// returns E2BIG / ENOTSUPP) and names the field.
func (s *Spec) validate() error {
	t := s.Type
	checkFlags := func(mask uint32) error {
		if extra := s.Flags &^ mask; extra != 0 {
			return invalidf("%s: Flags %#x not allowed (unknown or not valid for the type)", t, extra)
		}
		return nil
	}
	nonZero := func() error {
		switch {
		case s.KeySize == 0:
			return invalidf("%s: KeySize must not be 0", t)
		case s.ValueSize == 0:
			return invalidf("%s: ValueSize must not be 0", t)
		case s.MaxEntries == 0:
			return invalidf("%s: MaxEntries must not be 0", t)
		}
		return nil
	}
	if s.Flags&ReadOnly != 0 && s.Flags&WriteOnly != 0 {
		return invalidf("%s: Flags: BPF_F_RDONLY and BPF_F_WRONLY together", t)
	}
	if s.Flags&ReadOnlyProg != 0 && s.Flags&WriteOnlyProg != 0 {
		return invalidf("%s: Flags: BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together", t)
	}
	if s.SpinLockOffset >= 0 {
		switch t {
		case Hash, Array:
		default:
			return invalidf("%s: SpinLockOffset %d: bpf_spin_lock is allowed only in Hash and Array values (set -1 for none)", t, s.SpinLockOffset)
		}
		if s.SpinLockOffset%4 != 0 || uint64(s.SpinLockOffset)+4 > uint64(s.ValueSize) {
			return invalidf("%s: SpinLockOffset %d: lock must be 4-byte aligned inside the %d-byte value", t, s.SpinLockOffset, s.ValueSize)
		}
	}
	switch t {
	case Array, PerCPUArray, ArrayOfMaps, ProgramArray, PerfEventArray:
		if err := checkFlags(arrayFlagMask); err != nil {
			return err
		}
		if s.KeySize != 4 {
			return invalidf("%s: KeySize %d, must be 4", t, s.KeySize)
		}
		if s.ValueSize == 0 {
			return invalidf("%s: ValueSize must not be 0", t)
		}
		if s.MaxEntries == 0 && t != PerfEventArray {
			return invalidf("%s: MaxEntries must not be 0", t)
		}
		if s.Flags&PreserveElems != 0 && t != PerfEventArray {
			return invalidf("%s: Flags: BPF_F_PRESERVE_ELEMS is only for PerfEventArray", t)
		}
		if s.Flags&Mmapable != 0 && t != Array {
			return invalidf("%s: Flags: BPF_F_MMAPABLE is only for Array", t)
		}
		switch t {
		case PerCPUArray:
			if s.ValueSize > maxPerCPUValue {
				return fmt.Errorf("%s: ValueSize %d larger than %d: %w", t, s.ValueSize, maxPerCPUValue, ErrFull)
			}
		case ProgramArray, PerfEventArray, ArrayOfMaps:
			if s.ValueSize != 4 {
				return invalidf("%s: ValueSize %d, must be 4", t, s.ValueSize)
			}
			if t != ArrayOfMaps && s.Flags&(ReadOnlyProg|WriteOnlyProg) != 0 {
				return invalidf("%s: Flags: BPF_F_RDONLY_PROG/BPF_F_WRONLY_PROG not allowed", t)
			}
		}
		if s.ValueSize > maxArrayValue {
			return fmt.Errorf("%s: ValueSize %d too large: %w", t, s.ValueSize, ErrFull)
		}
	case Hash, PerCPUHash, LRUHash, LRUCPUHash, HashOfMaps:
		if err := checkFlags(hashFlagMask); err != nil {
			return err
		}
		lru := t == LRUHash || t == LRUCPUHash
		if s.Flags&NoCommonLRU != 0 && !lru {
			return invalidf("%s: Flags: BPF_F_NO_COMMON_LRU is only for LRU maps", t)
		}
		if lru && s.Flags&NoPrealloc != 0 {
			return fmt.Errorf("%s: Flags: BPF_F_NO_PREALLOC not allowed for LRU maps: %w", t, ErrNotSupported)
		}
		if err := nonZero(); err != nil {
			return err
		}
		if t == HashOfMaps && s.ValueSize != 4 {
			return invalidf("%s: ValueSize %d, must be 4", t, s.ValueSize)
		}
		if t.hasPerCPUValues() && s.ValueSize > maxPerCPUValue {
			return fmt.Errorf("%s: ValueSize %d larger than %d: %w", t, s.ValueSize, maxPerCPUValue, ErrFull)
		}
		if s.ValueSize >= maxHashValue {
			return fmt.Errorf("%s: ValueSize %d too large: %w", t, s.ValueSize, ErrFull)
		}
	case LPMTrie:
		if err := checkFlags(lpmFlagMask); err != nil {
			return err
		}
		if s.Flags&NoPrealloc == 0 {
			return invalidf("%s: Flags must include BPF_F_NO_PREALLOC", t)
		}
		if s.MaxEntries == 0 {
			return invalidf("%s: MaxEntries must not be 0", t)
		}
		if s.KeySize < 4+1 || s.KeySize > 4+lpmDataSizeMax {
			return invalidf("%s: KeySize %d, must be 4 (prefix length) plus 1 to %d data bytes", t, s.KeySize, lpmDataSizeMax)
		}
		if s.ValueSize == 0 || s.ValueSize > lpmValueSizeMax {
			return invalidf("%s: ValueSize %d, must be 1 to %d", t, s.ValueSize, lpmValueSizeMax)
		}
	case Queue, Stack:
		if err := checkFlags(queueFlagMask); err != nil {
			return err
		}
		if s.KeySize != 0 {
			return invalidf("%s: KeySize %d, must be 0", t, s.KeySize)
		}
		if s.ValueSize == 0 {
			return invalidf("%s: ValueSize must not be 0", t)
		}
		if s.MaxEntries == 0 {
			return invalidf("%s: MaxEntries must not be 0", t)
		}
		if s.ValueSize > maxValueSize {
			return fmt.Errorf("%s: ValueSize %d too large: %w", t, s.ValueSize, ErrFull)
		}
	case RingBuf:
		if err := checkFlags(ringbufFlagMask); err != nil {
			return err
		}
		if s.KeySize != 0 {
			return invalidf("%s: KeySize %d, must be 0", t, s.KeySize)
		}
		if s.ValueSize != 0 {
			return invalidf("%s: ValueSize %d, must be 0", t, s.ValueSize)
		}
		n := s.MaxEntries
		if n == 0 || n&(n-1) != 0 || n%pageSize != 0 {
			return invalidf("%s: MaxEntries %d, must be a power of two and a multiple of the page size %d", t, n, pageSize)
		}
	default:
		return fmt.Errorf("map type %s: %w", t, ErrNotSupported)
	}
	if t.canStoreMap() {
		in := s.InnerMap
		if in == nil {
			return invalidf("%s: InnerMap must be set", t)
		}
		if in.Type.canStoreMap() {
			return invalidf("%s: InnerMap: %s cannot be an inner map", t, in.Type)
		}
		if in.Type == ProgramArray {
			return invalidf("%s: InnerMap: %s cannot be an inner map", t, in.Type)
		}
		if err := in.validate(); err != nil {
			return fmt.Errorf("%s: InnerMap: %w", t, err)
		}
	} else if s.InnerMap != nil {
		return invalidf("%s: InnerMap set on a map that does not hold maps", t)
	}
	return nil
}
