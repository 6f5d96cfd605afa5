package maps

import (
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/gbpf/gbpf/internal/epoch"
)

// Map is a live map. The Go-side methods work on byte slices like
// cilium/ebpf's Map; per-CPU maps take and return NumCPU values, each
// rounded up to 8 bytes, back to back. All methods are safe for concurrent
// use, with each other and with running programs.
type Map interface {
	// Spec returns the map's spec. The caller must not modify it.
	Spec() *Spec
	// ID returns the map's id, unique among live maps (like the kernel's
	// map id); map-in-map values hold it.
	ID() uint32
	// Lookup copies the value of key into valueOut.
	Lookup(key, valueOut []byte) error
	// LookupWithFlags is Lookup with lookup flags: 0 or UpdateLock
	// (BPF_F_LOCK: copy the value under its bpf_spin_lock).
	LookupWithFlags(key, valueOut []byte, flags uint64) error
	// Update creates or replaces the element of key, as flags allow
	// (UpdateAny, UpdateNoExist, UpdateExist, optionally | UpdateLock).
	Update(key, value []byte, flags uint64) error
	// Delete removes the element of key.
	Delete(key []byte) error
	// NextKey writes the key after key into nextKeyOut; key nil asks for
	// the first key. It returns ErrKeyNotExist after the last key.
	NextKey(key, nextKeyOut []byte) error
	// LookupAndDelete copies the value of key into valueOut and removes
	// the element (pops for Queue and Stack, where key is nil).
	LookupAndDelete(key, valueOut []byte) error
	// BatchLookup copies up to len(keysOut)/KeySize elements, starting
	// where cursor points, and advances cursor. It returns the number
	// copied, and ErrKeyNotExist together with the last elements when the
	// iteration is complete.
	BatchLookup(cursor *BatchCursor, keysOut, valuesOut []byte) (int, error)
	// BatchLookupAndDelete is BatchLookup that also removes what it copied.
	BatchLookupAndDelete(cursor *BatchCursor, keysOut, valuesOut []byte) (int, error)
	// BatchUpdate updates len(keys)/KeySize elements in order and returns
	// how many succeeded before the first error.
	BatchUpdate(keys, values []byte, flags uint64) (int, error)
	// BatchDelete deletes len(keys)/KeySize elements in order and returns
	// how many succeeded before the first error.
	BatchDelete(keys []byte) (int, error)
	// Freeze makes the map read-only for the Go side (BPF_MAP_FREEZE).
	Freeze() error
	// Close releases the map. Programs must no longer run on it.
	Close() error

	ProgramMap
}

// ProgramMap is the map as helper functions see it from inside a running
// program. Keys and values are views of runtime memory (abi.Bytes);
// results are raw addresses and zero or negative errno values. The methods
// do not allocate, except when an LPM trie gains a new prefix (a trie
// node, as in the kernel) and when a map's slab must grow because its free
// elements all wait for their grace period. Operations a type does not
// have return -EINVAL or -EOPNOTSUPP like Linux (the verifier normally
// rules them out); short key or value views give -EINVAL (0 for lookups).
type ProgramMap interface {
	// LookupElem returns the address of key's value (for per-CPU maps the
	// copy of CPU cpu; for map-in-map the inner map's handle), or 0. A cpu
	// outside [0, NumCPU) is taken modulo the map's CPU count, so
	// bpf_map_lookup_percpu_elem must check its cpu argument itself.
	LookupElem(key []byte, cpu int) uint64
	// UpdateElem is bpf_map_update_elem; per-CPU maps update the copy of
	// CPU cpu and value holds one ValueSize.
	UpdateElem(key, value []byte, flags uint64, cpu int) int64
	// DeleteElem is bpf_map_delete_elem.
	DeleteElem(key []byte) int64
	// PushElem is bpf_map_push_elem (Queue, Stack).
	PushElem(value []byte, flags uint64) int64
	// PopElem is bpf_map_pop_elem (Queue, Stack).
	PopElem(valueOut []byte) int64
	// PeekElem is bpf_map_peek_elem (Queue, Stack).
	PeekElem(valueOut []byte) int64
}

var numCPU atomic.Int32

// NumCPU returns the number of CPUs that per-CPU maps and perf event arrays
// are created with. It defaults to runtime.NumCPU().
func NumCPU() int {
	if n := numCPU.Load(); n > 0 {
		return int(n)
	}
	return runtime.NumCPU()
}

// SetNumCPU sets the number of CPUs for maps created afterwards. Maps
// already created keep theirs.
func SetNumCPU(n int) error {
	if n < 1 || n > 1<<16 {
		return invalidf("SetNumCPU(%d): need 1 to 65536 CPUs", n)
	}
	numCPU.Store(int32(n))
	return nil
}

// Guard marks a running program; see EnterProgram. The zero Guard marks
// none, and its Leave does nothing.
type Guard struct{ g epoch.Guard }

// EnterProgram must be called by the runtime before each program run, and
// the returned Guard's Leave after it. Memory of elements deleted while a
// run is inside stays intact until it leaves. It is cheap and allocation
// free. Go-side map operations enter on their own.
func EnterProgram() Guard { return Guard{epoch.Enter()} }

// Leave ends the run that EnterProgram started.
func (g Guard) Leave() { g.g.Leave() }

// LeaveProgram ends the run that EnterProgram started (g.Leave).
func LeaveProgram(g Guard) { g.g.Leave() }

// maxGoSlots bounds maps whose slots live on the Go heap (program and perf
// event arrays).
const maxGoSlots = 1 << 24

// New creates a map from spec and fills it with spec.Contents.
func New(spec *Spec) (Map, error) {
	if spec == nil {
		return nil, invalidf("nil spec")
	}
	s := spec.Copy()
	if s.Type == PerfEventArray && s.MaxEntries == 0 {
		s.MaxEntries = uint32(NumCPU())
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	var (
		m   Map
		err error
	)
	switch s.Type {
	case Array, PerCPUArray:
		m, err = newArray(s)
	case Hash, PerCPUHash, LRUHash, LRUCPUHash:
		m, err = newHash(s)
	case LPMTrie:
		m, err = newLPM(s)
	case Queue, Stack:
		m, err = newQueue(s)
	case RingBuf:
		m, err = newRingBuf(s)
	case PerfEventArray:
		m, err = newPerfEventArray(s)
	case ProgramArray:
		m, err = newProgArray(s)
	case ArrayOfMaps, HashOfMaps:
		m, err = newMapOfMaps(s)
	default:
		return nil, fmt.Errorf("map type %s: %w", s.Type, ErrNotSupported)
	}
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", s, err)
	}
	if err := m.(interface{ getBase() *base }).getBase().publish(); err != nil {
		m.Close()
		return nil, fmt.Errorf("create %s: %w", s, err)
	}
	for i, kv := range s.Contents {
		if err := m.Update(kv.Key, kv.Value, UpdateAny); err != nil {
			m.Close()
			return nil, fmt.Errorf("%s: Contents[%d]: %w", s.Type, i, err)
		}
	}
	return m, nil
}
