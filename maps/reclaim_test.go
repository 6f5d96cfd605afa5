package maps

import (
	"bytes"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/epoch"
)

// churn inserts and deletes other keys so freed elements would be reused,
// and reports whether any of them got the address addr.
func churn(t *testing.T, m Map, addr uint64) bool {
	t.Helper()
	reused := false
	for i := uint32(100); i < 400; i++ {
		if err := m.Update(u32(i), u64(0xdead), UpdateAny); err != nil {
			t.Fatal(err)
		}
		if m.LookupElem(u32(i), 0) == addr {
			reused = true
		}
		if err := m.Delete(u32(i)); err != nil {
			t.Fatal(err)
		}
	}
	return reused
}

func TestReclaimAfterReadersLeave(t *testing.T) {
	for _, op := range []string{"delete", "replace", "lookupdel"} {
		t.Run(op, func(t *testing.T) {
			m := mustNew(t, &Spec{Type: Hash, KeySize: 4, ValueSize: 8, MaxEntries: 4})
			want := u64(0x1122334455667788)
			if err := m.Update(u32(1), want, UpdateAny); err != nil {
				t.Fatal(err)
			}
			g := EnterProgram()
			addr := m.LookupElem(u32(1), 0)
			if addr == 0 {
				t.Fatal("lookup failed")
			}
			done := make(chan error)
			go func() {
				switch op {
				case "delete":
					done <- m.Delete(u32(1))
				case "replace":
					done <- m.Update(u32(1), u64(42), UpdateExist)
				case "lookupdel":
					done <- m.LookupAndDelete(u32(1), make([]byte, 8))
				}
			}()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if churn(t, m, addr) {
				t.Fatal("element reused while a run that looked it up is inside")
			}
			if got := engine.Bytes(addr, 8); !bytes.Equal(got, want) {
				t.Fatalf("value changed under the reader: %x, want %x", got, want)
			}
			sl := m.(*hashMap).slab
			if !sl.inLimboAt(addr) {
				t.Fatal("deleted element is not waiting in limbo")
			}
			LeaveProgram(g)
			// After the reader left, the memory goes back into use: it is
			// handed out again or waits in a free list, no longer in limbo.
			free := false
			for i := 0; i < 20 && !free; i++ {
				free = churn(t, m, addr) || !sl.inLimboAt(addr)
			}
			if !free {
				t.Fatalf("element still in limbo after the reader left (epoch %d)", epoch.Now())
			}
		})
	}
}

func TestReclaimLPM(t *testing.T) {
	m := mustNew(t, &Spec{Type: LPMTrie, KeySize: 8, ValueSize: 8, MaxEntries: 4, Flags: NoPrealloc})
	key := append(u32(32), 10, 0, 0, 1)
	want := u64(77)
	if err := m.Update(key, want, UpdateAny); err != nil {
		t.Fatal(err)
	}
	g := EnterProgram()
	defer LeaveProgram(g)
	addr := m.LookupElem(key, 0)
	if err := m.Delete(key); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		k := append(u32(32), 10, 0, 1, byte(i))
		if err := m.Update(k, u64(0xdead), UpdateAny); err != nil {
			t.Fatal(err)
		}
		if m.LookupElem(k, 0) == addr {
			t.Fatal("LPM element reused under a reader")
		}
		m.Delete(k)
	}
	if got := engine.Bytes(addr, 8); !bytes.Equal(got, want) {
		t.Fatalf("value changed under the reader: %x", got)
	}
}

// inLimboAt reports whether the element holding addr waits in limbo.
func (s *slab) inLimboAt(addr uint64) bool {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for j := 0; j < sh.limbo.size; j++ {
			r := sh.limbo.buf[(sh.limbo.head+j)%len(sh.limbo.buf)]
			if a := s.addr(r.idx); addr >= a && addr < a+s.elemSize {
				sh.mu.Unlock()
				return true
			}
		}
		sh.mu.Unlock()
	}
	return false
}
