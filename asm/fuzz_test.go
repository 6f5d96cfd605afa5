package asm

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/isa"
)

var fuzzSeeds = []string{
	"mov %r0, 1\nexit",
	"lddw %r0, 0x1122334455667788\nexit",
	"ldxdw %r0, [%r1+8]\nstxw [%r10-4], %r0\nstb [%r10-1], 7\nexit",
	"mov32 %r0, 0\njeq32 %r1, 0x80000000, +1\nmov %r0, 1\nexit",
	"loop:\nadd %r1, -1\njsgt %r1, 0, loop\nexit",
	"call local f\nexit\nf:\nmov %r0, 2\nexit",
	"call %r2\ncall 5\ncall runtime 3\nexit",
	"lock fetch add32 [%r10-8], %r1\nlock cmpxchg [%r10-8], %r2\nlock xchg32 [%r1], %r3\nexit",
	"movsx1632 %r1, %r2\nsdiv %r1, 3\nsmod32 %r1, %r2\nbswap64 %r1\nbe16 %r1\nle32 %r2\nneg32 %r3\nexit",
	"ja32 +1\nexit\nldxsh %r0, [%r1-2]\nexit",
	"lddw %r1, map_value 3, 8\nlddw %r2, func -3\nldabsw 4\nldindh %r3, 2\nexit",
	"mov32 %r0, 2147483648\nexit",
	"ldxb %r0, [%r1+0x10000]\nexit",
	"lock or [%r10-8]\nexit",
	"or %r0, %r50 # comment\nexit",
}

// FuzzAssemble checks that the assembler never panics, that what it
// accepts validates, and that its output survives a trip through Format.
func FuzzAssemble(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Assemble(src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 || e.Col < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		if err := isa.Validate(p); err != nil {
			t.Fatalf("assembled an invalid program: %v", err)
		}
		roundTrip(t, p)
	})
}

// FuzzDisassemble checks that every program that isa.Validate accepts can
// be printed in the conformance syntax and assembled back to the same
// bytes, and printed in the llvm syntax.
func FuzzDisassemble(f *testing.F) {
	for _, s := range fuzzSeeds {
		if p, err := Assemble(s); err == nil {
			f.Add(p.Encode())
		}
	}
	f.Add([]byte{0x95, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := isa.Decode(b)
		if err != nil {
			return
		}
		// A closing exit keeps every valid program valid and makes many
		// more random ones so.
		p.Insns = append(p.Insns, isa.Instruction{Op: isa.OpExit})
		if err := isa.Validate(p); err != nil {
			return
		}
		roundTrip(t, p)
	})
}

func roundTrip(t *testing.T, p isa.Program) {
	t.Helper()
	text, err := Format(p, SyntaxConformance)
	if err != nil {
		t.Fatalf("Format of a valid program: %v", err)
	}
	again, err := Assemble(text)
	if err != nil {
		t.Fatalf("reassembling\n%s: %v", text, err)
	}
	if !bytes.Equal(again.Encode(), p.Encode()) {
		t.Fatalf("round trip changed\n%x\nto\n%x\nvia\n%s", p.Encode(), again.Encode(), text)
	}
	var labeled strings.Builder
	if err := FprintLabels(&labeled, p); err != nil {
		t.Fatalf("FprintLabels of a valid program: %v", err)
	}
	again, err = Assemble(labeled.String())
	if err != nil {
		t.Fatalf("reassembling\n%s: %v", labeled.String(), err)
	}
	if !bytes.Equal(again.Encode(), p.Encode()) {
		t.Fatalf("round trip with labels changed\n%x\nto\n%x\nvia\n%s", p.Encode(), again.Encode(), labeled.String())
	}
	if _, err := Format(p, SyntaxLLVM); err != nil {
		t.Fatalf("llvm syntax of a valid program: %v", err)
	}
}
