package engines

import (
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
)

func TestEveryEngineRuns(t *testing.T) {
	p, err := asm.Assemble("mov %r0, 6\nmul %r0, 7\nexit\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(Names(), "") {
		e, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		code, err := e.Compile(p)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		if r0, err := code.Run(nil, 0, 0); err != nil || r0 != 42 {
			t.Errorf("%s: r0 %d, %v", e.Name, r0, err)
		}
		code.Close()
	}
}

func TestLookupUnknown(t *testing.T) {
	if _, err := Lookup("sideways"); err == nil || !strings.Contains(err.Error(), "interp-checked") {
		t.Errorf("unknown engine: %v", err)
	}
}
