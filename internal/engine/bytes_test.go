package engine

import "testing"

func TestBytesCopyConstant(t *testing.T) {
	b, _ := Alloc(64)
	defer b.Free()
	var v [24]byte
	v[3] = 9
	copy(Bytes(b.Addr(), 24), v[:])
	if Load8(b.Addr()+3) != 9 {
		t.Fatal("copy")
	}
}
