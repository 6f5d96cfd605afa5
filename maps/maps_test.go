package maps

import (
	"encoding/binary"
	"errors"
	"testing"
)

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }
func u64(v uint64) []byte { return binary.NativeEndian.AppendUint64(nil, v) }

func mustNew(t testing.TB, s *Spec) Map {
	t.Helper()
	if s.SpinLockOffset == 0 {
		s.SpinLockOffset = -1
	}
	m, err := New(s)
	if err != nil {
		t.Fatalf("New(%v): %v", s, err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func errorsJoin(err error) error { return errors.Join(errors.New("context"), err) }

func TestTypeString(t *testing.T) {
	for typ, want := range map[Type]string{Hash: "Hash", Array: "Array", LRUCPUHash: "LRUCPUHash", RingBuf: "RingBuf", LPMTrie: "LPMTrie", Type(200): "Type(200)"} {
		if got := typ.String(); got != want {
			t.Errorf("%d: %q, want %q", uint32(typ), got, want)
		}
	}
}

func TestHandle(t *testing.T) {
	a := mustNew(t, &Spec{Type: Array, KeySize: 4, ValueSize: 8, MaxEntries: 4})
	b := mustNew(t, &Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 4})
	ha, hb := Handle(a), Handle(b)
	if ha == 0 || ha == hb {
		t.Fatalf("handles %#x %#x", ha, hb)
	}
	if ha < 1<<56 {
		t.Errorf("handle %#x could be a user-space address", ha)
	}
	if FromHandle(ha) != a || FromHandle(hb) != b {
		t.Error("FromHandle does not return the map")
	}
	for _, h := range []uint64{0, 1, ha &^ handleMask, ha + 1<<20, handleTag} {
		if FromHandle(h) != nil {
			t.Errorf("FromHandle(%#x) != nil", h)
		}
	}
	allocs := testing.AllocsPerRun(100, func() { FromHandle(ha) })
	if allocs != 0 {
		t.Errorf("FromHandle allocates %v", allocs)
	}
	a.Close()
	if FromHandle(ha) != nil {
		t.Error("FromHandle of a closed map")
	}
}
