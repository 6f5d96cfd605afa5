package listing_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/internal/jit/amd64/listing"
	"github.com/gbpf/gbpf/isa"
)

func TestWrite(t *testing.T) {
	p, err := asm.Assemble("mov %r0, 1\nlddw %r1, 0x123456789\njeq %r1, 0, +1\ncall 1\nexit")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		syntax listing.Syntax
		want   []string
	}{
		{listing.SyntaxIntel, []string{"; entry", "0:  r0 = 0x1", "mov eax, 0x1", "1:  r1 = 0x123456789 ll",
			"mov rdi, 0x123456789", "test rdi, rdi", "call 0x1", "ret", "; exits", "mov qword ptr [r12], rax"}},
		{listing.SyntaxGNU, []string{"mov $0x1,%eax", "mov $0x123456789,%rdi", "test %rdi,%rdi", "mov %rax,(%r12,%riz)"}},
	} {
		var b strings.Builder
		if err := listing.Write(&b, p, amd64.Options{}, tc.syntax); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("listing lacks %q:\n%s", w, out)
			}
		}
		if strings.Contains(out, "undecodable") {
			t.Errorf("listing has undecodable code:\n%s", out)
		}
	}
	bad := isa.Program{Insns: []isa.Instruction{{Op: isa.OpJa, Off: 5}, {Op: isa.OpExit}}}
	if err := listing.Write(&strings.Builder{}, bad, amd64.Options{}, listing.SyntaxIntel); err == nil {
		t.Error("a jump out of the program was listed")
	}
}

// Print the machine code made for a program.
func ExampleWrite() {
	p, err := asm.Assemble("mov %r0, 1\nexit\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := listing.Write(os.Stdout, p, amd64.Options{}, listing.SyntaxIntel); err != nil {
		fmt.Println(err)
	}
}
