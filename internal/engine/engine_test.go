package engine

import (
	"sync/atomic"
	"testing"
)

func TestBlockLoadStore(t *testing.T) {
	b, err := Alloc(64)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Free()
	a := b.Addr()
	Store64(a, 0x1122334455667788)
	if got := Load32(a + 4); got != 0x11223344 {
		t.Errorf("Load32 = %#x", got)
	}
	Store8(a+1, 0xff)
	if got := Load16(a); got != 0xff88 {
		t.Errorf("Load16 = %#x", got)
	}
	if got := b.Bytes()[1]; got != 0xff {
		t.Errorf("byte 1 = %#x", got)
	}
	atomic.AddUint64(Atomic64(a+8), 5)
	if got := Load64(a + 8); got != 5 {
		t.Errorf("atomic add: %d", got)
	}
	r := b.Region(false)
	if !r.Contains(a+60, 4, false) || r.Contains(a+61, 4, false) || r.Contains(a, 1, true) || r.Contains(a-1, 1, false) {
		t.Error("Region.Contains is wrong")
	}
	if !r.Contains(a+64, 0, false) || r.Contains(^uint64(0), 2, false) {
		t.Error("Region.Contains edge cases are wrong")
	}
}

func TestAllocLow(t *testing.T) {
	b, err := AllocLow(4096)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Free()
	if b.Addr()+4096 > 1<<32 {
		t.Fatalf("address %#x is not below 4 GiB", b.Addr())
	}
	Store32(b.Addr(), 7)
	if Load32(b.Addr()) != 7 {
		t.Fatal("store/load")
	}
}
