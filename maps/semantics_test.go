package maps

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// step is one Go-side operation and what Linux answers.
type step struct {
	op    string // lookup, update, delete, next, lookupdel
	key   []byte
	value []byte // update: the value; lookup: the wanted value
	flags uint64
	err   error
}

func runSteps(t *testing.T, m Map, steps []step) {
	t.Helper()
	vs := m.(interface{ goValueSize() int }).goValueSize()
	for i, s := range steps {
		var err error
		out := make([]byte, vs)
		switch s.op {
		case "lookup":
			err = m.Lookup(s.key, out)
		case "lookupdel":
			err = m.LookupAndDelete(s.key, out)
		case "update":
			err = m.Update(s.key, s.value, s.flags)
		case "delete":
			err = m.Delete(s.key)
		case "next":
			out = make([]byte, m.Spec().KeySize)
			err = m.NextKey(s.key, out)
		default:
			t.Fatalf("step %d: unknown op %q", i, s.op)
		}
		if !errors.Is(err, s.err) || (err != nil && s.err == nil) {
			t.Fatalf("step %d %s(%x, %x, %d): error %v, want %v", i, s.op, s.key, s.value, s.flags, err, s.err)
		}
		if err == nil && s.op != "update" && s.op != "delete" && s.value != nil && !bytes.Equal(out[:len(s.value)], s.value) {
			t.Fatalf("step %d %s(%x): got %x, want %x", i, s.op, s.key, out, s.value)
		}
	}
}

func (b *base) goValueSize() int { return b.valueSize }

func TestArraySemantics(t *testing.T) {
	m := mustNew(t, &Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 3})
	runSteps(t, m, []step{
		{op: "lookup", key: u32(0), value: u32(0)},
		{op: "lookup", key: u32(3), err: ErrKeyNotExist},
		{op: "update", key: u32(1), value: u32(7)},
		{op: "lookup", key: u32(1), value: u32(7)},
		{op: "update", key: u32(1), value: u32(8), flags: UpdateExist},
		{op: "update", key: u32(1), value: u32(9), flags: UpdateNoExist, err: ErrKeyExist},
		{op: "update", key: u32(3), value: u32(9), err: ErrFull},
		{op: "update", key: u32(3), value: u32(9), flags: 3, err: ErrInvalid},
		{op: "update", key: u32(0), value: u32(9), flags: UpdateLock, err: ErrInvalid},
		{op: "lookup", key: u32(1), value: u32(8)},
		{op: "delete", key: u32(1), err: ErrInvalid},
		{op: "lookupdel", key: u32(1), err: ErrNotSupported},
		{op: "next", key: nil, value: u32(0)},
		{op: "next", key: u32(0), value: u32(1)},
		{op: "next", key: u32(1), value: u32(2)},
		{op: "next", key: u32(2), err: ErrKeyNotExist},
		{op: "next", key: u32(100), value: u32(0)},
	})
}

func TestHashSemantics(t *testing.T) {
	for _, typ := range []Type{Hash, PerCPUHash, LRUHash, LRUCPUHash} {
		t.Run(typ.String(), func(t *testing.T) {
			SetNumCPU(1)
			defer SetNumCPU(defaultCPUs)
			m := mustNew(t, &Spec{Type: typ, KeySize: 4, ValueSize: 4, MaxEntries: 2})
			var full error = ErrFull
			if typ == LRUHash || typ == LRUCPUHash {
				full = nil // evicts instead
			}
			pad := func(v []byte) []byte {
				if typ.hasPerCPUValues() {
					return append(v, 0, 0, 0, 0)
				}
				return v
			}
			runSteps(t, m, []step{
				{op: "lookup", key: u32(1), err: ErrKeyNotExist},
				{op: "next", key: nil, err: ErrKeyNotExist},
				{op: "update", key: u32(1), value: pad(u32(10)), flags: UpdateExist, err: ErrKeyNotExist},
				{op: "update", key: u32(1), value: pad(u32(10)), flags: UpdateNoExist},
				{op: "update", key: u32(1), value: pad(u32(11)), flags: UpdateNoExist, err: ErrKeyExist},
				{op: "update", key: u32(1), value: pad(u32(12)), flags: UpdateExist},
				{op: "lookup", key: u32(1), value: u32(12)},
				{op: "update", key: u32(1), value: pad(u32(12)), flags: 3, err: ErrInvalid},
				{op: "update", key: u32(1), value: pad(u32(12)), flags: UpdateLock, err: ErrInvalid},
				{op: "update", key: u32(2), value: pad(u32(20))},
				{op: "update", key: u32(3), value: pad(u32(30)), err: full},
				{op: "update", key: u32(1), value: pad(u32(13))},
				{op: "delete", key: u32(7), err: ErrKeyNotExist},
				{op: "next", key: u32(7)}, // restarts at the first key
			})
			// Delete everything through NextKey, then the map is empty.
			k := make([]byte, 4)
			n := 0
			for m.NextKey(nil, k) == nil {
				if err := m.Delete(k); err != nil {
					t.Fatal(err)
				}
				n++
			}
			if n != 2 {
				t.Errorf("deleted %d keys, want 2", n)
			}
			runSteps(t, m, []step{
				{op: "update", key: u32(5), value: pad(u32(50))},
				{op: "lookupdel", key: u32(5), value: u32(50)},
				{op: "lookupdel", key: u32(5), err: ErrKeyNotExist},
			})
		})
	}
}

var defaultCPUs = NumCPU()

func TestHashIterationVisitsAll(t *testing.T) {
	m := mustNew(t, &Spec{Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: 1000})
	for i := uint64(0); i < 1000; i++ {
		if err := m.Update(u64(i*7919), u64(i), UpdateNoExist); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	var k []byte
	next := make([]byte, 8)
	for {
		err := m.NextKey(k, next)
		if errors.Is(err, ErrKeyNotExist) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if seen[string(next)] {
			t.Fatalf("key %x visited twice", next)
		}
		seen[string(next)] = true
		k = append(k[:0], next...)
	}
	if len(seen) != 1000 {
		t.Fatalf("visited %d keys, want 1000", len(seen))
	}
	if err := m.Update(u64(1), u64(1), UpdateAny); !errors.Is(err, ErrFull) {
		t.Fatalf("update of full map: %v", err)
	}
}

func TestAccessFlags(t *testing.T) {
	ro := mustNew(t, &Spec{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 2, Flags: ReadOnly})
	if err := ro.Update(u32(1), u32(1), 0); !errors.Is(err, ErrPermission) {
		t.Errorf("update of read-only map: %v", err)
	}
	if r := ro.UpdateElem(u32(1), u32(1), 0, 0); r != 0 {
		t.Errorf("program update of BPF_F_RDONLY map: %d", r)
	}
	wo := mustNew(t, &Spec{Type: Array, KeySize: 4, ValueSize: 4, MaxEntries: 2, Flags: WriteOnly})
	if err := wo.Lookup(u32(1), make([]byte, 4)); !errors.Is(err, ErrPermission) {
		t.Errorf("lookup of write-only map: %v", err)
	}
}

func TestFreeze(t *testing.T) {
	for _, typ := range []Type{Hash, Array, LPMTrie, Queue} {
		spec := &Spec{Type: typ, KeySize: 8, ValueSize: 8, MaxEntries: 4}
		switch typ {
		case Array:
			spec.KeySize = 4
		case LPMTrie:
			spec.Flags = NoPrealloc
		case Queue:
			spec.KeySize = 0
		}
		m := mustNew(t, spec)
		k := make([]byte, spec.KeySize)
		if err := m.Update(k, u64(1), UpdateAny); err != nil {
			t.Fatal(err)
		}
		if err := m.Freeze(); err != nil {
			t.Fatal(err)
		}
		if err := m.Freeze(); !errors.Is(err, ErrPermission) {
			t.Errorf("%s: second freeze: %v", typ, err)
		}
		if err := m.Update(k, u64(2), UpdateAny); !errors.Is(err, ErrPermission) {
			t.Errorf("%s: update of frozen map: %v", typ, err)
		}
		if typ != Queue {
			if err := m.Delete(k); !errors.Is(err, ErrPermission) {
				t.Errorf("%s: delete from frozen map: %v", typ, err)
			}
		}
		if err := m.Lookup(k, make([]byte, 8)); err != nil {
			t.Errorf("%s: lookup of frozen map: %v", typ, err)
		}
		if m.UpdateElem(runtimeBytes(t, k), runtimeBytes(t, u64(3)), UpdateAny, 0) != 0 && typ != Queue {
			t.Errorf("%s: program update of frozen map failed", typ)
		}
	}
}

func TestFreezeProgArray(t *testing.T) {
	pa := mustNew(t, &Spec{Type: ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: 2}).(*ProgArrayMap)
	if err := pa.SetProgram(0, "prog"); err != nil {
		t.Fatal(err)
	}
	if err := pa.Freeze(); err != nil {
		t.Fatal(err)
	}
	if err := pa.SetProgram(1, "other"); !errors.Is(err, ErrPermission) {
		t.Errorf("SetProgram on a frozen program array: %v", err)
	}
	if err := pa.Delete(u32(0)); !errors.Is(err, ErrPermission) {
		t.Errorf("Delete from a frozen program array: %v", err)
	}
	if pa.Program(0) != "prog" || pa.Program(1) != nil {
		t.Errorf("the frozen array changed: %v, %v", pa.Program(0), pa.Program(1))
	}
}

func TestShortArguments(t *testing.T) {
	m := mustNew(t, &Spec{Type: Hash, KeySize: 8, ValueSize: 8, MaxEntries: 2})
	for name, err := range map[string]error{
		"short key":   m.Update(u32(1), u64(1), 0),
		"short value": m.Update(u64(1), u32(1), 0),
		"short out":   m.Lookup(u64(1), make([]byte, 2)),
		"short next":  m.NextKey(nil, make([]byte, 2)),
	} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	m.Close()
	if err := m.Lookup(u64(1), make([]byte, 8)); !errors.Is(err, ErrClosed) {
		t.Errorf("lookup after close: %v", err)
	}
	_ = fmt.Sprint()
}

func TestBadArguments(t *testing.T) {
	if _, err := NewRingBufReader(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("NewRingBufReader(nil): %v", err)
	}
	h := mustNew(t, &Spec{Type: Hash, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if _, err := NewPerfReader(h, 4096); !errors.Is(err, ErrInvalid) {
		t.Errorf("NewPerfReader(hash): %v", err)
	}
	if _, err := New(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("New(nil): %v", err)
	}
	if err := SetNumCPU(0); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetNumCPU(0): %v", err)
	}
	if Handle(nil) != 0 {
		t.Error("Handle(nil) != 0")
	}
}
