package cbpf

import (
	"errors"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64"
)

// TestFilterJITFault gives a filter machine code that faults (a wild read,
// as a bug of the translation or the JIT would make) and checks that Run
// panics with the fault instead of returning a wrong answer.
func TestFilterJITFault(t *testing.T) {
	p, err := asm.Assemble("lddw %r1, 0x1000\nldxw %r0, [%r1+0]\nexit\n")
	if err != nil {
		t.Fatal(err)
	}
	jp, err := amd64.Compile(p, amd64.Options{})
	if err != nil {
		t.Fatal(err)
	}
	vm, err := NewVM(benchProg)
	if err != nil {
		t.Fatal(err)
	}
	f := &Filter{vm: vm, jit: jp, run: jp.LeafFunc()}
	defer func() {
		err, _ := recover().(error)
		var fault *engine.Fault
		if !errors.As(err, &fault) || !errors.Is(err, engine.ErrMemory) || fault.PC != 2 {
			t.Fatalf("panic %v, want a memory fault at instruction 2", err)
		}
	}()
	f.Run(make([]byte, 64), nil)
}
