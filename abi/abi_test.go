package abi

import (
	"errors"
	"testing"
)

func TestFault(t *testing.T) {
	f := &Fault{PC: 3, Err: ErrMemory, Msg: "read 4 bytes at 0x10"}
	if !errors.Is(f, ErrMemory) || f.Error() != "instruction 3: invalid memory access: read 4 bytes at 0x10" {
		t.Errorf("%v", f)
	}
	var target *Fault
	if err := error(&Fault{PC: 1, Err: ErrBudget}); !errors.As(err, &target) || target.PC != 1 || !errors.Is(err, ErrBudget) {
		t.Errorf("errors.As/Is on %v", err)
	}
}

func TestEnvContains(t *testing.T) {
	env := &Env{
		Stack:   Region{Start: 0x1000, End: 0x1200, Writable: true},
		Regions: []Region{{Start: 0x2000, End: 0x2010}},
	}
	for _, c := range []struct {
		addr, n uint64
		write   bool
		want    bool
	}{
		{0x11f8, 8, true, true},
		{0x11f9, 8, false, false},
		{0x2000, 16, false, true},
		{0x2000, 16, true, false},
		{0x2008, 9, false, false},
		{0, 0, true, true},
		{0x3000, 1, false, false},
	} {
		if got := env.Contains(c.addr, c.n, c.write); got != c.want {
			t.Errorf("Contains(%#x, %d, %v) = %v, want %v", c.addr, c.n, c.write, got, c.want)
		}
	}
}

func TestStop(t *testing.T) {
	var env Env
	env.Stop(7)
	if stopped, r0 := env.Stopped(); !stopped || r0 != 7 {
		t.Errorf("Stopped() = %v, %d after Stop(7)", stopped, r0)
	}
	env.Reset()
	if stopped, _ := env.Stopped(); stopped {
		t.Error("Stopped() after Reset")
	}
}
