//go:build unix

package amd64

import (
	"errors"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/isa"
)

func TestWriteListing(t *testing.T) {
	p := assemble(t, "mov %r0, 1\nlddw %r1, 0x123456789\njeq %r1, 0, +1\ncall 1\nexit")
	for _, tc := range []struct {
		syntax Syntax
		want   []string
	}{
		{SyntaxIntel, []string{"; entry", "0:  r0 = 0x1", "mov eax, 0x1", "1:  r1 = 0x123456789 ll",
			"mov rdi, 0x123456789", "test rdi, rdi", "call 0x1", "ret", "; exits", "mov qword ptr [r12], rax"}},
		{SyntaxGNU, []string{"mov $0x1,%eax", "mov $0x123456789,%rdi", "test %rdi,%rdi", "mov %rax,(%r12,%riz)"}},
	} {
		var b strings.Builder
		if err := WriteListing(&b, p, Options{}, tc.syntax); err != nil {
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
}

// TestListingDecodes lists generated programs and requires every byte of
// the code to decode.
func TestListingDecodes(t *testing.T) {
	for i := 0; i < 50; i++ {
		p := bigProgram(200 + 37*i)
		var b strings.Builder
		if err := WriteListing(&b, p, Options{Blind: i%2 == 1}, SyntaxIntel); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "undecodable") {
			t.Fatalf("undecodable code:\n%s", b.String())
		}
	}
}

func TestCompileErrors(t *testing.T) {
	if !Supported {
		t.Skip("JIT not supported")
	}
	for _, tc := range []struct {
		name        string
		insns       []isa.Instruction
		index       int
		unsupported bool
	}{
		{"empty", nil, 0, false},
		{"no-exit", []isa.Instruction{{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceK)}}, 0, false},
		{"bad-opcode", []isa.Instruction{{Op: 0xff}, {Op: isa.OpExit}}, 0, false},
		{"map-fd", func() []isa.Instruction {
			ld := isa.LdImm64(isa.R1, 3)
			ld[0].Src = isa.PseudoMapFD
			return []isa.Instruction{{Op: isa.OpExit}, ld[0], ld[1], {Op: isa.OpExit}}
		}(), 1, true},
		{"kfunc", []isa.Instruction{{Op: isa.OpCall, Src: isa.PseudoCallKfunc, Imm: 7}, {Op: isa.OpExit}}, 0, true},
	} {
		_, err := Compile(isa.Program{Insns: tc.insns}, Options{})
		var ie *isa.Error
		switch {
		case err == nil:
			t.Errorf("%s: compiled", tc.name)
		case tc.name != "empty" && (!errors.As(err, &ie) || ie.Index != tc.index):
			t.Errorf("%s: error %v, want an *isa.Error at %d", tc.name, err, tc.index)
		case errors.Is(err, ErrNotSupported) != tc.unsupported:
			t.Errorf("%s: error %v: unsupported is %v, want %v", tc.name, err, !tc.unsupported, tc.unsupported)
		}
	}
}
