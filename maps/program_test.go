package maps

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sync"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
)

// runtimeBytes copies b into runtime memory, as a program's stack would
// hold keys and values.
func runtimeBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	blk, err := engine.Alloc(len(b) + 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blk.Free() })
	out := blk.Bytes()[:len(b)]
	copy(out, b)
	return out
}

func TestProgramSideErrnos(t *testing.T) {
	h := mustNew(t, &Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	a := mustNew(t, &Spec{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 2})
	q := mustNew(t, &Spec{Type: Queue, ValueSize: 8, MaxEntries: 1})
	k1, k2, k9 := runtimeBytes(t, u32(1)), runtimeBytes(t, u32(2)), runtimeBytes(t, u32(9))
	v := runtimeBytes(t, u64(5))
	out := runtimeBytes(t, u64(0))
	tests := []struct {
		name string
		got  int64
		want int64
	}{
		{"hash insert", h.UpdateElem(k1, v, UpdateNoExist, 0), 0},
		{"hash exists", h.UpdateElem(k1, v, UpdateNoExist, 0), errnoEEXIST},
		{"hash full", h.UpdateElem(k2, v, UpdateAny, 0), errnoE2BIG},
		{"hash missing exist", h.UpdateElem(k2, v, UpdateExist, 0), errnoENOENT},
		{"hash bad flags", h.UpdateElem(k1, v, 3, 0), errnoEINVAL},
		{"hash delete missing", h.DeleteElem(k2), errnoENOENT},
		{"hash push", h.PushElem(v, 0), errnoEOPNOTSUPP},
		{"hash delete", h.DeleteElem(k1), 0},
		{"array update", a.UpdateElem(k1, v, UpdateAny, 0), 0},
		{"array out of range", a.UpdateElem(k9, v, UpdateAny, 0), errnoE2BIG},
		{"array noexist", a.UpdateElem(k1, v, UpdateNoExist, 0), errnoEEXIST},
		{"array delete", a.DeleteElem(k1), errnoEINVAL},
		{"queue pop empty", q.PopElem(out), errnoENOENT},
		{"queue peek empty", q.PeekElem(out), errnoENOENT},
		{"queue push", q.PushElem(v, 0), 0},
		{"queue full", q.PushElem(v, 0), errnoE2BIG},
		{"queue bad flags", q.PushElem(v, UpdateNoExist), errnoEINVAL},
		{"queue overwrite", q.PushElem(runtimeBytes(t, u64(1)), UpdateExist), 0},
		{"queue update", q.UpdateElem(nil, v, 0, 0), errnoEINVAL},
		{"queue pop", q.PopElem(out), 0},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	if binary.NativeEndian.Uint32(out) != 1 {
		t.Errorf("queue overwrite kept %x, want the newest value", out)
	}
	if a.LookupElem(k9, 0) != 0 || h.LookupElem(k1, 0) != 0 {
		t.Error("lookup of missing element not 0")
	}
	if addr := a.LookupElem(k1, 0); addr%8 != 0 || engine.Load64(addr) != 5 {
		t.Errorf("array value at %#x: not 8-byte aligned or wrong", addr)
	}
}

func TestQueueStackOrder(t *testing.T) {
	for _, typ := range []Type{Queue, Stack} {
		m := mustNew(t, &Spec{Type: typ, ValueSize: 4, MaxEntries: 3})
		for i := uint32(1); i <= 4; i++ {
			err := m.Update(nil, u32(i), UpdateExist) // 4 pushes the oldest (1) out
			if err != nil {
				t.Fatal(err)
			}
		}
		var got []uint32
		v := make([]byte, 4)
		for m.LookupAndDelete(nil, v) == nil {
			got = append(got, binary.NativeEndian.Uint32(v))
		}
		want := []uint32{2, 3, 4}
		if typ == Stack {
			want = []uint32{4, 3, 2}
		}
		if len(got) != 3 || got[0] != want[0] || got[2] != want[2] {
			t.Errorf("%s: popped %v, want %v", typ, got, want)
		}
	}
}

func TestLRUEvictsLeastRecentlyUsed(t *testing.T) {
	m := mustNew(t, &Spec{Type: LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 64})
	for i := uint32(0); i < 64; i++ {
		if err := m.Update(u32(i), u64(uint64(i)), UpdateAny); err != nil {
			t.Fatal(err)
		}
	}
	// One sweep clears the insertion reference bits; then keep the first
	// half in use, and insert 32 new keys.
	m.(*hashMap).evictSweepForTest()
	for i := uint32(0); i < 32; i++ {
		if m.LookupElem(u32(i), 0) == 0 {
			t.Fatalf("key %d missing", i)
		}
	}
	for i := uint32(100); i < 132; i++ {
		if err := m.Update(u32(i), u64(uint64(i)), UpdateAny); err != nil {
			t.Fatalf("LRU update when full: %v", err)
		}
	}
	if n := m.(*hashMap).Len(); n != 64 {
		t.Fatalf("%d elements, want 64", n)
	}
	v := make([]byte, 8)
	for i := uint32(0); i < 32; i++ {
		if err := m.Lookup(u32(i), v); err != nil {
			t.Errorf("recently used key %d evicted", i)
		}
	}
	for i := uint32(100); i < 132; i++ {
		if err := m.Lookup(u32(i), v); err != nil {
			t.Errorf("new key %d missing", i)
		}
	}
}

// evictSweepForTest clears every reference bit, as one full CLOCK sweep.
func (h *hashMap) evictSweepForTest() {
	n := uint32(len(*h.slab.bases.Load())) << h.slab.shift
	for i := uint32(0); i < n; i++ {
		store32(h.slab.addr(i)+hdrRef, 0)
	}
}

func TestSpinLockUpdate(t *testing.T) {
	for _, typ := range []Type{Hash, Array} {
		t.Run(typ.String(), func(t *testing.T) {
			// struct { u64 counter; bpf_spin_lock lock; u32 pad; }
			m := mustNew(t, &Spec{Type: typ, KeySize: 4, ValueSize: 16, MaxEntries: 4, SpinLockOffset: 8})
			if err := m.Update(u32(1), make([]byte, 16), UpdateAny); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 500; i++ {
						g := EnterProgram()
						a := m.LookupElem(u32(1), 0)
						Lock(a + 8)
						engine.Store64(a, engine.Load64(a)+1) // not atomic: the lock protects it
						Unlock(a + 8)
						LeaveProgram(g)
					}
				}()
			}
			// BPF_F_LOCK updates of the other field race with the program.
			for i := 0; i < 100; i++ {
				val := make([]byte, 16)
				binary.NativeEndian.PutUint32(val[12:], uint32(i))
				binary.NativeEndian.PutUint32(val[8:], 0xffffffff) // the lock word is never copied
				// Keep the counter: read it under the lock first.
				g := EnterProgram()
				a := m.LookupElem(u32(1), 0)
				Lock(a + 8)
				binary.NativeEndian.PutUint64(val, engine.Load64(a))
				engine.Store32(a+12, uint64(i))
				Unlock(a + 8)
				LeaveProgram(g)
			}
			wg.Wait()
			out := make([]byte, 16)
			if err := m.Lookup(u32(1), out); err != nil {
				t.Fatal(err)
			}
			if c := binary.NativeEndian.Uint64(out); c != 2000 {
				t.Errorf("counter %d, want 2000", c)
			}
			if l := binary.NativeEndian.Uint32(out[8:]); l != 0 {
				t.Errorf("lookup shows lock word %#x, want 0", l)
			}
			if err := m.LookupWithFlags(u32(1), out, UpdateLock); err != nil || binary.NativeEndian.Uint64(out) != 2000 {
				t.Errorf("BPF_F_LOCK lookup: %x %v", out, err)
			}
			if err := m.LookupWithFlags(u32(1), out, 8); !errors.Is(err, ErrInvalid) {
				t.Errorf("lookup with unknown flags: %v", err)
			}
			// A BPF_F_LOCK update copies everything but the lock word.
			val := bytes.Repeat([]byte{0xab}, 16)
			if err := m.Update(u32(1), val, UpdateLock); err != nil {
				t.Fatal(err)
			}
			g := EnterProgram()
			a := m.LookupElem(u32(1), 0)
			if engine.Load32(a+8) != 0 || engine.Load64(a) != 0xabababababababab {
				t.Errorf("after BPF_F_LOCK update: %x", engine.Bytes(a, 16))
			}
			LeaveProgram(g)
			if typ == Hash {
				if err := m.Update(u32(2), val, UpdateLock|UpdateExist); !errors.Is(err, ErrKeyNotExist) {
					t.Errorf("BPF_F_LOCK|BPF_EXIST on missing key: %v", err)
				}
				if err := m.Update(u32(1), val, UpdateLock|UpdateNoExist); !errors.Is(err, ErrKeyExist) {
					t.Errorf("BPF_F_LOCK|BPF_NOEXIST on existing key: %v", err)
				}
			}
		})
	}
}

func TestMapInMap(t *testing.T) {
	innerSpec := &Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 8, SpinLockOffset: -1}
	for _, typ := range []Type{ArrayOfMaps, HashOfMaps} {
		t.Run(typ.String(), func(t *testing.T) {
			outer := mustNew(t, &Spec{Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 4, InnerMap: innerSpec})
			inner := mustNew(t, innerSpec.Copy())
			wrong := mustNew(t, &Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 9})
			if err := inner.Update(u32(7), u64(70), UpdateAny); err != nil {
				t.Fatal(err)
			}
			if err := outer.Update(u32(1), u32(wrong.ID()), UpdateAny); !errors.Is(err, ErrInvalid) {
				t.Errorf("incompatible inner map: %v", err)
			}
			if err := outer.Update(u32(1), u32(0xfffff), UpdateAny); !errors.Is(err, ErrInvalid) {
				t.Errorf("missing inner map: %v", err)
			}
			if err := outer.Update(u32(1), u32(inner.ID()), UpdateAny); err != nil {
				t.Fatal(err)
			}
			v := make([]byte, 4)
			if err := outer.Lookup(u32(1), v); err != nil || binary.NativeEndian.Uint32(v) != inner.ID() {
				t.Fatalf("Lookup = %x, %v; want id %d", v, err, inner.ID())
			}
			h := outer.LookupElem(u32(1), 0)
			if h != Handle(inner) {
				t.Fatalf("program lookup = %#x, want handle %#x", h, Handle(inner))
			}
			addr := FromHandle(h).LookupElem(u32(7), 0)
			if addr == 0 || engine.Load64(addr) != 70 {
				t.Fatal("lookup through the inner handle failed")
			}
			if outer.LookupElem(u32(2), 0) != 0 {
				t.Error("empty slot gives a handle")
			}
			if err := outer.Lookup(u32(2), v); !errors.Is(err, ErrKeyNotExist) {
				t.Errorf("empty slot lookup: %v", err)
			}
			if outer.UpdateElem(u32(1), u32(inner.ID()), 0, 0) != errnoEOPNOTSUPP {
				t.Error("program update of map-in-map allowed")
			}
			if err := outer.Delete(u32(1)); err != nil {
				t.Fatal(err)
			}
			if outer.LookupElem(u32(1), 0) != 0 {
				t.Error("deleted slot still gives a handle")
			}
		})
	}
}

func TestProgramArray(t *testing.T) {
	m := mustNew(t, &Spec{Type: ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: 4})
	pa := m.(*ProgArrayMap)
	type prog struct{ name string }
	p := &prog{"tail"}
	if err := pa.SetProgram(2, p); err != nil {
		t.Fatal(err)
	}
	if err := pa.SetProgram(4, p); !errors.Is(err, ErrFull) {
		t.Errorf("SetProgram out of range: %v", err)
	}
	if pa.Program(2) != p || pa.Program(1) != nil || pa.Program(100) != nil {
		t.Error("Program returns the wrong value")
	}
	if n := testing.AllocsPerRun(100, func() { pa.Program(2) }); n != 0 {
		t.Errorf("Program allocates %v", n)
	}
	if err := m.Delete(u32(2)); err != nil {
		t.Fatal(err)
	}
	if pa.Program(2) != nil {
		t.Error("deleted program still there")
	}
	if err := m.Delete(u32(2)); !errors.Is(err, ErrKeyNotExist) {
		t.Errorf("second delete: %v", err)
	}
	if err := m.Lookup(u32(0), make([]byte, 4)); !errors.Is(err, ErrNotSupported) {
		t.Errorf("lookup: %v", err)
	}
}

func TestProgramSideAllocs(t *testing.T) {
	SetNumCPU(2)
	defer SetNumCPU(defaultCPUs)
	hash := mustNew(t, &Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 16})
	lru := mustNew(t, &Spec{Type: LRUHash, KeySize: 4, ValueSize: 8, MaxEntries: 4})
	pcpu := mustNew(t, &Spec{Type: PerCPUHash, KeySize: 4, ValueSize: 8, MaxEntries: 16})
	arr := mustNew(t, &Spec{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 16})
	lpm := mustNew(t, &Spec{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 16, Flags: NoPrealloc})
	q := mustNew(t, &Spec{Type: Stack, ValueSize: 8, MaxEntries: 16})
	rb := mustNew(t, &Spec{Type: RingBuf, MaxEntries: 1 << 16}).(*RingBufMap)
	k, v, out := runtimeBytes(t, u32(3)), runtimeBytes(t, u64(9)), runtimeBytes(t, u64(0))
	lk := runtimeBytes(t, append(u32(24), 10, 1, 2, 3))
	for _, m := range []Map{hash, lru, pcpu, arr, lpm} {
		key := k
		if m == lpm {
			key = lk
		}
		if r := m.UpdateElem(key, v, UpdateAny, 0); r != 0 {
			t.Fatal(r)
		}
	}
	n := 0
	tests := map[string]func(){
		"hash lookup":         func() { hash.LookupElem(k, 0) },
		"hash replace":        func() { hash.UpdateElem(k, v, UpdateAny, 0) },
		"hash delete+insert":  func() { hash.DeleteElem(k); hash.UpdateElem(k, v, UpdateNoExist, 0) },
		"lru insert evicting": func() { n++; lru.UpdateElem(runtimeKey(k, n), v, UpdateAny, 0) },
		"percpu update":       func() { pcpu.UpdateElem(k, v, UpdateAny, 1) },
		"array lookup":        func() { arr.LookupElem(k, 0) },
		"array update":        func() { arr.UpdateElem(k, v, UpdateAny, 0) },
		"lpm lookup":          func() { lpm.LookupElem(lk, 0) },
		"lpm replace":         func() { lpm.UpdateElem(lk, v, UpdateAny, 0) },
		"stack push+pop":      func() { q.PushElem(v, 0); q.PopElem(out) },
		"ringbuf output":      func() { rb.Output(v, 0); rb.consumeAllForTest() },
		"ringbuf reserve":     func() { rb.Submit(rb.Reserve(16), 0); rb.consumeAllForTest() },
		"enter+leave":         func() { LeaveProgram(EnterProgram()) },
		"from handle":         func() { FromHandle(Handle(hash)) },
	}
	for name, f := range tests {
		f() // warm up: slabs grow once
		for i := 0; i < 100; i++ {
			f()
		}
		if allocs := testing.AllocsPerRun(200, f); allocs != 0 {
			t.Errorf("%s: %v allocs per run", name, allocs)
		}
	}
}

// runtimeKey writes n into the key buffer k (runtime memory) and returns it.
func runtimeKey(k []byte, n int) []byte {
	binary.NativeEndian.PutUint32(k, uint32(n))
	return k
}

// consumeAllForTest moves the consumer position to the producer's.
func (r *RingBufMap) consumeAllForTest() { store64(r.cons, load64(r.prod)) }

func TestValuesAligned(t *testing.T) {
	SetNumCPU(3)
	defer SetNumCPU(defaultCPUs)
	for _, s := range []Spec{
		{Type: Hash, KeySize: 3, ValueSize: 5, MaxEntries: 8},
		{Type: Hash, KeySize: 13, ValueSize: 12, MaxEntries: 8, Flags: NoPrealloc},
		{Type: PerCPUHash, KeySize: 1, ValueSize: 3, MaxEntries: 8},
		{Type: LRUCPUHash, KeySize: 7, ValueSize: 9, MaxEntries: 8},
		{Type: Array, KeySize: 4, ValueSize: 3, MaxEntries: 8},
		{Type: PerCPUArray, KeySize: 4, ValueSize: 5, MaxEntries: 8},
		{Type: LPMTrie, KeySize: 5, ValueSize: 3, MaxEntries: 8, Flags: NoPrealloc},
	} {
		m := mustNew(t, &s)
		for i := 0; i < 8; i++ {
			key := make([]byte, s.KeySize)
			key[0] = byte(i)
			if s.Type == LPMTrie {
				key[0] = 8
				key[4] = byte(i)
			}
			k, v := runtimeBytes(t, key), runtimeBytes(t, make([]byte, s.ValueSize))
			if r := m.UpdateElem(k, v, UpdateAny, 0); r != 0 {
				t.Fatalf("%s: update: %d", s.Type, r)
			}
			for cpu := 0; cpu < 3; cpu++ {
				if a := m.LookupElem(k, cpu); a == 0 || a%8 != 0 {
					t.Errorf("%s key %d cpu %d: value at %#x", s.Type, i, cpu, a)
				}
			}
		}
	}
}

func TestProgramSideShortArguments(t *testing.T) {
	specs := []Spec{
		{Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: 2},
		{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 2},
		{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 2, Flags: NoPrealloc},
		{Type: Queue, ValueSize: 8, MaxEntries: 2},
		{Type: ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: 2},
		{Type: ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 2, InnerMap: &Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, SpinLockOffset: -1}},
	}
	short := runtimeBytes(t, []byte{1, 2})
	for _, s := range specs {
		m := mustNew(t, &s)
		if m.LookupElem(short, 0) != 0 {
			t.Errorf("%s: lookup with a short key found something", s.Type)
		}
		for name, r := range map[string]int64{
			"update short key":   m.UpdateElem(short, runtimeBytes(t, make([]byte, 8)), 0, 0),
			"update short value": m.UpdateElem(runtimeBytes(t, make([]byte, 8)), short, 0, 0),
			"delete short key":   m.DeleteElem(short),
			"push short value":   m.PushElem(short, 0),
			"pop short buffer":   m.PopElem(short),
		} {
			if r >= 0 {
				t.Errorf("%s: %s: %d, want an error", s.Type, name, r)
			}
		}
	}
}

func TestLookupWithFlagsNoLock(t *testing.T) {
	for _, typ := range []Type{Hash, Array, Queue} {
		spec := &Spec{Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 2}
		if typ == Queue {
			spec.KeySize = 0
		}
		m := mustNew(t, spec)
		if err := m.LookupWithFlags(make([]byte, spec.KeySize), make([]byte, 4), UpdateLock); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: BPF_F_LOCK lookup without a lock: %v", typ, err)
		}
	}
}

func TestReadOnlyProg(t *testing.T) {
	for _, s := range []Spec{
		{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 2, Flags: ReadOnlyProg},
		{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 2, Flags: ReadOnlyProg},
		{Type: LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 2, Flags: ReadOnlyProg | NoPrealloc},
		{Type: Queue, ValueSize: 4, MaxEntries: 2, Flags: ReadOnlyProg},
	} {
		m := mustNew(t, &s)
		key := make([]byte, s.KeySize)
		if s.Type == LPMTrie {
			key[0] = 8
		}
		if err := m.Update(key, u32(1), UpdateAny); err != nil {
			t.Fatalf("%s: Go-side update: %v", s.Type, err)
		}
		k, v := runtimeBytes(t, append(key, 0)), runtimeBytes(t, u32(2))
		if s.Type == Queue {
			if m.PushElem(v, 0) != errnoEPERM || m.PopElem(v) != errnoEPERM {
				t.Errorf("%s: program push/pop allowed", s.Type)
			}
			continue
		}
		if r := m.UpdateElem(k[:s.KeySize], v, UpdateAny, 0); r != errnoEPERM {
			t.Errorf("%s: program update: %d", s.Type, r)
		}
		if s.Type != Array {
			if r := m.DeleteElem(k[:s.KeySize]); r != errnoEPERM {
				t.Errorf("%s: program delete: %d", s.Type, r)
			}
			if err := m.Delete(key); err != nil {
				t.Errorf("%s: Go-side delete: %v", s.Type, err)
			}
		}
	}
}

func TestMemoryRegions(t *testing.T) {
	type memory interface{ Memory() []engine.Region }
	for _, s := range []Spec{
		{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 4, Flags: NoPrealloc},
		{Type: PerCPUArray, KeySize: 4, ValueSize: 8, MaxEntries: 4},
		{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 4, Flags: NoPrealloc | ReadOnlyProg},
		{Type: RingBuf, MaxEntries: 4096},
	} {
		m := mustNew(t, &s)
		key := make([]byte, s.KeySize)
		if s.Type != RingBuf {
			if err := m.Update(key, make([]byte, m.(interface{ goValueSize() int }).goValueSize()), UpdateAny); err != nil {
				t.Fatal(err)
			}
		}
		var addr uint64
		if s.Type == RingBuf {
			addr = m.(*RingBufMap).Reserve(8)
		} else {
			addr = m.LookupElem(runtimeBytes(t, key), 1)
		}
		inside := false
		for _, r := range m.(memory).Memory() {
			if r.Contains(addr, 8, false) {
				inside = true
				if r.Writable == (s.Flags&ReadOnlyProg != 0) {
					t.Errorf("%s: region writable %v", s.Type, r.Writable)
				}
			}
		}
		if !inside {
			t.Errorf("%s: value at %#x outside Memory()", s.Type, addr)
		}
	}
}
