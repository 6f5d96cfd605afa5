package asm

import (
	"errors"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/isa"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		src, conf, llvm string
	}{
		{"mov32 %r0, 1", "mov32 %r0, 1", "w0 = 0x1"},
		{"mov %r0, -3", "mov %r0, -3", "r0 = -0x3"},
		{"add32 %r1, %r2", "add32 %r1, %r2", "w1 += w2"},
		{"mov %r0, 0x80000000", "mov %r0, 0x80000000", "r0 = -0x80000000"},
		{"xor %r3, 65535", "xor %r3, 65535", "r3 ^= 0xffff"},
		{"and %r3, 65536", "and %r3, 0x10000", "r3 &= 0x10000"},
		{"sdiv32 %r1, 3", "sdiv32 %r1, 3", "w1 s/= 0x3"},
		{"smod %r1, %r2", "smod %r1, %r2", "r1 s%= r2"},
		{"arsh %r1, 3", "arsh %r1, 3", "r1 s>>= 0x3"},
		{"neg %r1", "neg %r1", "r1 = -r1"},
		{"movsx832 %r1, %r2", "movsx832 %r1, %r2", "w1 = (s8)w2"},
		{"movsx3264 %r1, %r2", "movsx3264 %r1, %r2", "r1 = (s32)r2"},
		{"be16 %r1", "be16 %r1", "r1 = be16 r1"},
		{"le64 %r1", "le64 %r1", "r1 = le64 r1"},
		{"swap32 %r1", "bswap32 %r1", "r1 = bswap32 r1"},
		{"lddw %r0, 0x1122334455667788", "lddw %r0, 0x1122334455667788", "r0 = 0x1122334455667788 ll"},
		{"lddw %r0, -1", "lddw %r0, 0xffffffffffffffff", "r0 = -0x1 ll"},
		{"lddw %r0, 7", "lddw %r0, 7", "r0 = 0x7 ll"},
		{"lddw %r1, map_value 3, 16", "lddw %r1, map_value 3, 16", "ld_pseudo\tr1, 0x2, 0x3"},
		{"ldxw %r0, [%r1+4]", "ldxw %r0, [%r1+4]", "w0 = *(u32 *)(r1 + 0x4)"},
		{"ldxdw %r0, [%r10-8]", "ldxdw %r0, [%r10-8]", "r0 = *(u64 *)(r10 - 0x8)"},
		{"ldxsb %r0, [%r1+0]", "ldxsb %r0, [%r1]", "r0 = *(s8 *)(r1 + 0x0)"},
		{"sth [%r1+2], -1", "sth [%r1+2], -1", "*(u16 *)(r1 + 0x2) = -0x1"},
		{"stxdw [%r10-8], %r1", "stxdw [%r10-8], %r1", "*(u64 *)(r10 - 0x8) = r1"},
		{"stxb [%r10-8], %r1", "stxb [%r10-8], %r1", "*(u8 *)(r10 - 0x8) = w1"},
		{"ldabsh 12", "ldabsh 12", "r0 = *(u16 *)skb[0xc]"},
		{"ldindb %r2, 0", "ldindb %r2, 0", "r0 = *(u8 *)skb[r2]"},
		{"lock add [%r10-8], %r1", "lock add [%r10-8], %r1", "lock *(u64 *)(r10 - 0x8) += r1"},
		{"lock or32 [%r10-8], %r1", "lock or32 [%r10-8], %r1", "lock *(u32 *)(r10 - 0x8) |= w1"},
		{"lock fetch add [%r10-8], %r0", "lock fetch add [%r10-8], %r0", "r0 = atomic_fetch_add((u64 *)(r10 - 0x8), r0)"},
		{"lock fetch xor32 [%r1+4], %r2", "lock fetch xor32 [%r1+4], %r2", "w2 = atomic_fetch_xor((u32 *)(r1 + 0x4), w2)"},
		{"lock xchg [%r10-8], %r1", "lock xchg [%r10-8], %r1", "r1 = xchg_64(r10 - 0x8, r1)"},
		{"lock cmpxchg32 [%r10-8], %r1", "lock cmpxchg32 [%r10-8], %r1", "w0 = cmpxchg32_32(r10 - 0x8, w0, w1)"},
		{"jgt %r1, 3, +0", "jgt %r1, 3, +0", "if r1 > 0x3 goto +0x0"},
		{"jsle32 %r1, %r2, +0", "jsle32 %r1, %r2, +0", "if w1 s<= w2 goto +0x0"},
		{"jset %r1, 0x80000000, +0", "jset %r1, 0x80000000, +0", "if r1 & -0x80000000 goto +0x0"},
		{"ja +0", "ja +0", "goto +0x0"},
		{"ja32 +0", "ja32 +0", "gotol +0x0"},
		{"call 5", "call 5", "call 0x5"},
		{"call %r2", "call %r2", "callx r2"},
		{"call local +0", "call local +0", "call 0x0"},
		{"call runtime 9", "call runtime 9", "call 0x9"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := Assemble(tt.src + "\nexit")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				s    Syntax
				want string
			}{{SyntaxConformance, tt.conf}, {SyntaxLLVM, tt.llvm}} {
				got, n, err := FormatInstruction(p, 0, c.s)
				if err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("%v: got %q, want %q", c.s, got, c.want)
				}
				if want := len(p.Insns) - 1; n != want {
					t.Errorf("%v: %d slots, want %d", c.s, n, want)
				}
			}
		})
	}
}

func TestFormatProgram(t *testing.T) {
	p, err := Assemble("lddw %r0, 1\nja +1\nmov %r0, 2\nexit")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Format(p, SyntaxConformance)
	if err != nil {
		t.Fatal(err)
	}
	if want := "lddw %r0, 1\nja +1\nmov %r0, 2\nexit\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got, err = Format(p, SyntaxLLVM)
	if err != nil {
		t.Fatal(err)
	}
	if want := "r0 = 0x1 ll\ngoto +0x1\nr0 = 0x2\nexit\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFprintLabels(t *testing.T) {
	src := `mov %r0, 0
lddw %r1, func +3
loop:
add %r0, 1
jlt %r0, 10, loop
call local f
ja32 +0
exit
f:
exit
`
	p, err := Assemble(src)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := FprintLabels(&b, p); err != nil {
		t.Fatal(err)
	}
	want := `mov %r0, 0
lddw %r1, func L5
L3:
add %r0, 1
jlt %r0, 10, L3
L5:
call local L8
ja32 L7
L7:
exit
L8:
exit
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	// A jump into an lddw (invalid, but printable) keeps its offset.
	bad := isa.Program{Insns: []isa.Instruction{
		{Op: isa.OpJa, Off: 1}, isa.LdImm64(0, 1)[0], isa.LdImm64(0, 1)[1], exit,
	}}
	b.Reset()
	if err := FprintLabels(&b, bad); err != nil {
		t.Fatal(err)
	}
	if want := "ja +1\nlddw %r0, 1\nexit\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	if err := FprintLabels(&b, isa.Program{Insns: []isa.Instruction{{Op: 0xff}}}); err == nil {
		t.Errorf("FprintLabels of an unknown opcode: no error")
	}
}

func TestFormatErrors(t *testing.T) {
	tests := []struct {
		name  string
		insns []isa.Instruction
		slot  int
		want  string
	}{
		{"unknown opcode", []isa.Instruction{{Op: 0xff}}, 0, "cannot be written"},
		{"unused field", []isa.Instruction{exit, {Op: isa.OpExit, Imm: 1}}, 1, "cannot be written"},
		{"bad register", []isa.Instruction{{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceK), Dst: 11}}, 0, "cannot be written"},
		{"movsx32 into 32 bits", []isa.Instruction{{Op: isa.ALUOpcode(isa.ClassALU, isa.Mov, isa.SourceX), Off: 32}}, 0, "cannot be written"},
		{"bad atomic", []isa.Instruction{{Op: isa.MemOpcode(isa.ClassSTX, isa.ModeATOMIC, isa.SizeDW), Imm: 2}}, 0, "cannot be written"},
		{"truncated lddw", []isa.Instruction{{Op: isa.OpLdImm64}}, 0, "missing its second slot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range []Syntax{SyntaxConformance, SyntaxLLVM} {
				_, err := Format(isa.Program{Insns: tt.insns}, s)
				var ie *isa.Error
				if !errors.As(err, &ie) || ie.Index != tt.slot || !strings.Contains(ie.Reason, tt.want) {
					t.Errorf("%v: got %v, want slot %d: %s", s, err, tt.slot, tt.want)
				}
			}
		})
	}
	if _, _, err := FormatInstruction(isa.Program{}, 0, SyntaxLLVM); err == nil {
		t.Errorf("FormatInstruction out of range: no error")
	}
	if _, err := Format(isa.Program{Insns: []isa.Instruction{exit}}, Syntax(9)); err == nil {
		t.Errorf("unknown syntax: no error")
	}
}

func TestParseSyntax(t *testing.T) {
	for _, s := range []Syntax{SyntaxConformance, SyntaxLLVM, SyntaxVerifier} {
		got, err := ParseSyntax(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSyntax(%q) = %v, %v", s.String(), got, err)
		}
	}
	if _, err := ParseSyntax("intel"); err == nil {
		t.Errorf("ParseSyntax(intel): no error")
	}
}

// validSingles returns every one-instruction program (the instruction,
// its second slot for lddw, and exit) built from every opcode and a spread
// of field values that isa.Validate accepts.
func validSingles() []isa.Program {
	regs := []isa.Register{0, 1, 10, 11}
	offs := []int16{0, 1, -1, 8, 16, 32}
	imms := []int32{0, 1, -1, 16, 32, 64, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1, 0x80000000 - 1<<32}
	var progs []isa.Program
	for op := range 256 {
		for _, dst := range regs {
			for _, src := range regs {
				for _, off := range offs {
					for _, imm := range imms {
						ins := isa.Instruction{Op: isa.Opcode(op), Dst: dst, Src: src, Off: off, Imm: imm}
						insns := []isa.Instruction{ins}
						if ins.IsLdImm64() {
							insns = append(insns, isa.Instruction{Imm: imm})
						}
						p := isa.Program{Insns: append(insns, exit)}
						if isa.Validate(p) == nil {
							progs = append(progs, p)
						}
					}
				}
			}
		}
	}
	return progs
}

// TestAllOpcodes checks that every valid single instruction prints in both
// syntaxes and assembles back to the same bytes.
func TestAllOpcodes(t *testing.T) {
	progs := validSingles()
	for _, p := range progs {
		roundTrip(t, p)
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d valid instructions round-trip", len(progs))
	if len(progs) < 1000 {
		t.Errorf("only %d valid instructions: the generator is broken", len(progs))
	}
}

func TestAppendInstructionAllocs(t *testing.T) {
	p, err := Assemble("lddw %r0, 0x1122334455667788\nlock fetch add [%r10-8], %r1\njsgt %r1, -5, +0\nexit")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	for _, s := range []Syntax{SyntaxConformance, SyntaxLLVM} {
		allocs := testing.AllocsPerRun(100, func() {
			for i := 0; i < len(p.Insns); {
				var n int
				buf, n, err = AppendInstruction(buf[:0], p, i, s)
				if err != nil {
					t.Fatal(err)
				}
				i += n
			}
		})
		if allocs != 0 {
			t.Errorf("%v: %v allocations per program", s, allocs)
		}
	}
}

func BenchmarkAssemble(b *testing.B) {
	src := strings.Repeat("ldxdw %r0, [%r1+8]\nadd %r0, 0x10\njne %r0, 5, +1\nlock fetch add [%r10-8], %r1\n", 64) + "exit\n"
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Assemble(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendInstruction(b *testing.B) {
	p, err := Assemble(strings.Repeat("ldxdw %r0, [%r1+8]\nadd %r0, 0x10\njne %r0, 5, +1\nlock fetch add [%r10-8], %r1\n", 64) + "exit\n")
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []Syntax{SyntaxConformance, SyntaxLLVM} {
		b.Run(s.String(), func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 256)
			for b.Loop() {
				for i := range p.Insns {
					buf, _, _ = AppendInstruction(buf[:0], p, i, s)
				}
			}
		})
	}
}

// TestFormatVerifier checks the verifier log's syntax on one instruction
// of each kind.
func TestFormatVerifier(t *testing.T) {
	src := `lddw %r1, 0x1122334455667788
ldxw %r0, [%r1+4]
stxdw [%r10-8], %r0
stb [%r10-1], 7
add32 %r0, 3
neg %r2
be16 %r3
jgt %r1, 3, +2
jslt32 %r1, %r2, +1
ja +0
call 1
mov %r6, %r1
ldabsh 12
ldindb %r2, 3
exit`
	p, err := Assemble(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"r1 = 0x1122334455667788", "r0 = *(u32 *)(r1 +4)", "*(u64 *)(r10 -8) = r0", "*(u8 *)(r10 -1) = 7",
		"w0 += 3", "r2 = -r2", "r3 = be16 r3", "if r1 > 3 goto pc+2", "if w1 s< w2 goto pc+1", "goto pc+0",
		"call map_lookup_elem#1", "r6 = r1", "r0 = *(u16 *)skb[12]", "r0 = *(u8 *)skb[r2 + 3]", "exit",
	}
	var got []string
	for i := 0; i < len(p.Insns); {
		text, n, err := FormatInstruction(p, i, SyntaxVerifier)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, text)
		i += n
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
