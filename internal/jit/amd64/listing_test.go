//go:build unix

package amd64

import (
	"errors"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"github.com/gbpf/gbpf/isa"
)

// TestLayoutDecodes lays out generated programs and requires every byte
// of their code up to the data to decode, in order, from each slot's
// offset.
func TestLayoutDecodes(t *testing.T) {
	for i := 0; i < 50; i++ {
		p := bigProgram(200 + 37*i)
		code, err := Layout(p, Options{Blind: i%2 == 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(code.Offsets) != len(p.Insns)+1 || code.Data > len(code.Bytes) {
			t.Fatalf("%d offsets for %d slots, data at %d of %d", len(code.Offsets), len(p.Insns), code.Data, len(code.Bytes))
		}
		starts := map[int]bool{}
		for pc := 0; pc < code.Data; {
			in, err := x86asm.Decode(code.Bytes[pc:code.Data], 64)
			if err != nil {
				t.Fatalf("undecodable code at %#x: %v", pc, err)
			}
			starts[pc] = true
			pc += in.Len
		}
		for slot, off := range code.Offsets {
			if int(off) < code.Data && !starts[int(off)] {
				t.Fatalf("slot %d starts at %#x, inside an instruction", slot, off)
			}
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
