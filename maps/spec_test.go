package maps

import (
	"errors"
	"strings"
	"testing"
)

func TestSpecValidate(t *testing.T) {
	inner := &Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, SpinLockOffset: -1}
	tests := []struct {
		name  string
		spec  Spec
		err   error  // nil: valid
		field string // must appear in the message
	}{
		{"hash ok", Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 10}, nil, ""},
		{"hash no prealloc", Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 10, Flags: NoPrealloc}, nil, ""},
		{"hash key 0", Spec{Type: Hash, KeySize: 0, ValueSize: 8, MaxEntries: 10}, ErrInvalid, "KeySize"},
		{"hash value 0", Spec{Type: Hash, KeySize: 4, ValueSize: 0, MaxEntries: 10}, ErrInvalid, "ValueSize"},
		{"hash max 0", Spec{Type: Hash, KeySize: 4, ValueSize: 8}, ErrInvalid, "MaxEntries"},
		{"hash value too big", Spec{Type: Hash, KeySize: 4, ValueSize: 1 << 22, MaxEntries: 1}, ErrFull, "ValueSize"},
		{"hash mmapable", Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: Mmapable}, ErrInvalid, "Flags"},
		{"hash no common lru", Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: NoCommonLRU}, ErrInvalid, "NO_COMMON_LRU"},
		{"lru no prealloc", Spec{Type: LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc}, ErrNotSupported, "NO_PREALLOC"},
		{"lru ok", Spec{Type: LRUCPUHash, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: NoCommonLRU}, nil, ""},
		{"rdonly+wronly", Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: ReadOnly | WriteOnly}, ErrInvalid, "RDONLY"},
		{"array ok", Spec{Type: Array, KeySize: 4, ValueSize: 3, MaxEntries: 1, Flags: Mmapable | ReadOnlyProg}, nil, ""},
		{"array key 8", Spec{Type: Array, KeySize: 8, ValueSize: 8, MaxEntries: 1}, ErrInvalid, "KeySize"},
		{"array max 0", Spec{Type: Array, KeySize: 4, ValueSize: 8}, ErrInvalid, "MaxEntries"},
		{"array no prealloc", Spec{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc}, ErrInvalid, "Flags"},
		{"percpu array mmapable", Spec{Type: PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: Mmapable}, ErrInvalid, "MMAPABLE"},
		{"percpu value too big", Spec{Type: PerCPUArray, KeySize: 4, ValueSize: 40000, MaxEntries: 1}, ErrFull, "ValueSize"},
		{"array preserve elems", Spec{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: PreserveElems}, ErrInvalid, "PRESERVE"},
		{"perf ok", Spec{Type: PerfEventArray, KeySize: 4, ValueSize: 4, Flags: PreserveElems}, nil, ""},
		{"prog array value 8", Spec{Type: ProgramArray, KeySize: 4, ValueSize: 8, MaxEntries: 1}, ErrInvalid, "ValueSize"},
		{"queue ok", Spec{Type: Queue, ValueSize: 8, MaxEntries: 1}, nil, ""},
		{"queue key", Spec{Type: Queue, KeySize: 4, ValueSize: 8, MaxEntries: 1}, ErrInvalid, "KeySize"},
		{"stack value 0", Spec{Type: Stack, MaxEntries: 1}, ErrInvalid, "ValueSize"},
		{"stack prealloc flag", Spec{Type: Stack, ValueSize: 4, MaxEntries: 1, Flags: NoPrealloc}, ErrInvalid, "Flags"},
		{"ringbuf ok", Spec{Type: RingBuf, MaxEntries: 1 << 16}, nil, ""},
		{"ringbuf not pow2", Spec{Type: RingBuf, MaxEntries: 3 * 4096}, ErrInvalid, "MaxEntries"},
		{"ringbuf too small", Spec{Type: RingBuf, MaxEntries: 1024}, ErrInvalid, "MaxEntries"},
		{"ringbuf key", Spec{Type: RingBuf, KeySize: 4, MaxEntries: 4096}, ErrInvalid, "KeySize"},
		{"lpm ok", Spec{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc}, nil, ""},
		{"lpm prealloc", Spec{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 1}, ErrInvalid, "NO_PREALLOC"},
		{"lpm key 4", Spec{Type: LPMTrie, KeySize: 4, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc}, ErrInvalid, "KeySize"},
		{"lpm key 261", Spec{Type: LPMTrie, KeySize: 261, ValueSize: 8, MaxEntries: 1, Flags: NoPrealloc}, ErrInvalid, "KeySize"},
		{"array of maps ok", Spec{Type: ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1, InnerMap: inner}, nil, ""},
		{"array of maps no inner", Spec{Type: ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1}, ErrInvalid, "InnerMap"},
		{"hash inner", Spec{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1, InnerMap: inner}, ErrInvalid, "InnerMap"},
		{"spin lock in hash", Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1, SpinLockOffset: 4}, nil, ""},
		{"spin lock misaligned", Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1, SpinLockOffset: 2}, ErrInvalid, "SpinLockOffset"},
		{"spin lock outside", Spec{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 1, SpinLockOffset: 8}, ErrInvalid, "SpinLockOffset"},
		{"spin lock in percpu", Spec{Type: PerCPUHash, KeySize: 4, ValueSize: 8, MaxEntries: 1, SpinLockOffset: 0}, ErrInvalid, "SpinLockOffset"},
		{"unsupported type", Spec{Type: SockMap, KeySize: 4, ValueSize: 4, MaxEntries: 1}, ErrNotSupported, "SockMap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.spec
			if s.SpinLockOffset == 0 && !strings.Contains(tt.name, "spin lock") {
				s.SpinLockOffset = -1
			}
			m, err := New(&s)
			if tt.err == nil {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				m.Close()
				return
			}
			if err == nil {
				m.Close()
				t.Fatalf("New succeeded, want %v", tt.err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("error %q is not %v", err, tt.err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name %q", err, tt.field)
			}
		})
	}
}

func TestSpecContents(t *testing.T) {
	m := mustNew(t, &Spec{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 2,
		Contents: []KV{{u32(1), u32(10)}, {u32(2), u32(20)}}})
	v := make([]byte, 4)
	if err := m.Lookup(u32(2), v); err != nil || string(v) != string(u32(20)) {
		t.Fatalf("Lookup = %v %v", v, err)
	}
	_, err := New(&Spec{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1, SpinLockOffset: -1,
		Contents: []KV{{u32(1), u32(10)}, {u32(2), u32(20)}}})
	if !errors.Is(err, ErrFull) || !strings.Contains(err.Error(), "Contents[1]") {
		t.Fatalf("overfull contents: %v", err)
	}
}

func TestAbsurdSizes(t *testing.T) {
	for _, s := range []Spec{
		{Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: 1 << 31},
		{Type: LRUHash, KeySize: 64, ValueSize: 1024, MaxEntries: 1 << 30},
		{Type: ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: 1 << 30},
		{Type: PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 1 << 30},
	} {
		s.SpinLockOffset = -1
		m, err := New(&s)
		if err == nil {
			m.Close()
			t.Errorf("%v: created", &s)
			continue
		}
		if !errors.Is(err, eNOMEM) || Errno(err) != -int64(eNOMEM) {
			t.Errorf("%v: %v, want ENOMEM", &s, err)
		}
	}
}
