package main

import (
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
)

func TestJITListing(t *testing.T) {
	p, err := asm.Assemble("mov %r0, 7\nexit\n")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := jitListing(&b, p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"r0 = 0x7", "mov eax, 0x7", "ret"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("listing lacks %q:\n%s", want, b.String())
		}
	}
}
