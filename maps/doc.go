// Package maps implements BPF maps with the semantics of Linux: the map
// types, their creation rules, update flags and error numbers follow the
// kernel, so programs and tools behave the same here and there.
//
// A map has two faces. The Go side (the Map interface) works on byte
// slices like cilium/ebpf's Map: Lookup, Update, Delete, NextKey and the
// batch operations. The program side (ProgramMap and the methods of the
// concrete types) is what helper functions call from inside a running
// program: it takes key views of runtime memory, returns raw addresses of
// values and negative errno values, never allocates and is safe for
// concurrent use.
//
// Values live in runtime memory (mapped outside the Go heap), in
// slabs of 8-byte aligned elements, so atomic instructions work on them and
// the garbage collector never moves them. A value address obtained by a
// program stays valid while the program runs, even if another goroutine
// deletes or replaces the element: freed elements are retired with the
// current epoch and reused only after every run
// that started before the deletion has left. The runtime brackets each run
// with EnterProgram and LeaveProgram.
//
// Programs name maps by a 64-bit handle (Handle, FromHandle), which the
// loader puts where the kernel would put a map file descriptor.
//
// Maps whose values programs address directly (arrays, hash maps, LPM
// tries, ring buffers) also have a method Memory() []abi.Region that
// lists their runtime memory as it is now, for checked runs.
//
// # Map types
//
// Hash, PerCPUHash, LRUHash, LRUCPUHash and HashOfMaps are hash tables
// with a power-of-two number of buckets and lock-free lookups. Replacing a
// value links a new element and retires the old one, so a program reading
// the old address keeps seeing the old, intact value; per-CPU values and
// BPF_F_LOCK updates are written in place, as in Linux. Iteration order
// (NextKey) follows buckets as the kernel's does, but the hash function
// differs, so the order is not the kernel's; BPF_F_ZERO_SEED and
// BPF_F_NO_COMMON_LRU are accepted and have no effect.
//
// LRU maps evict instead of failing when full, with the CLOCK (second
// chance) algorithm: program lookups set an element's reference bit, and
// eviction clears set bits and evicts the first element found clear. Like
// the kernel's LRU this approximates least-recently-used order.
//
// Array and PerCPUArray are preallocated and zeroed; their elements cannot
// be deleted, and updates write in place. Per-CPU maps keep NumCPU copies
// of each value, fixed when the map is created; on the Go side a value is
// NumCPU values each rounded up to 8 bytes, like the kernel's.
//
// LPMTrie is a path-compressed binary trie like the kernel's, with the
// kernel's longest-prefix-match lookup and NextKey order (post-order, 0
// branch first).
//
// Queue and Stack copy values in and out; BPF_EXIST on a full map drops
// the oldest value. RingBuf has the kernel's memory layout (see
// RingBufMap) and a Go reader, RingBufReader. PerfEventArray copies samples
// into per-CPU buffers that a PerfReader attaches. ProgramArray holds the
// runtime's program objects (SetProgram, Program). ArrayOfMaps and
// HashOfMaps hold inner map ids; a program's lookup returns the inner
// map's handle.
//
// Spin locks: Spec.SpinLockOffset places a struct bpf_spin_lock in Hash
// and Array values. Lock and Unlock implement bpf_spin_lock/unlock on it;
// updates never copy over the lock word, lookups return it as zero, and
// UpdateLock (BPF_F_LOCK) copies the value while holding the lock.
package maps
