package asm

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/isa"
)

// ins is shorthand for building expected instructions.
func ins(op isa.Opcode, dst, src isa.Register, off int16, imm int32) isa.Instruction {
	return isa.Instruction{Op: op, Dst: dst, Src: src, Off: off, Imm: imm}
}

var exit = ins(isa.OpExit, 0, 0, 0, 0)

func TestAssemble(t *testing.T) {
	alu64 := func(op isa.ALUOp, s isa.Source) isa.Opcode { return isa.ALUOpcode(isa.ClassALU64, op, s) }
	alu32 := func(op isa.ALUOp, s isa.Source) isa.Opcode { return isa.ALUOpcode(isa.ClassALU, op, s) }
	jmp := func(op isa.JumpOp, s isa.Source) isa.Opcode { return isa.JumpOpcode(isa.ClassJMP, op, s) }
	jmp32 := func(op isa.JumpOp, s isa.Source) isa.Opcode { return isa.JumpOpcode(isa.ClassJMP32, op, s) }
	ldx := func(m isa.Mode, s isa.Size) isa.Opcode { return isa.MemOpcode(isa.ClassLDX, m, s) }
	const K, X = isa.SourceK, isa.SourceX
	atomicDW := isa.MemOpcode(isa.ClassSTX, isa.ModeATOMIC, isa.SizeDW)
	atomicW := isa.MemOpcode(isa.ClassSTX, isa.ModeATOMIC, isa.SizeW)
	lo, hi := isa.LdImm64(1, 0x1122334455667788)[0], isa.LdImm64(1, 0x1122334455667788)[1]
	ones := isa.LdImm64(1, ^uint64(0))
	allOnes := ones[:]

	tests := []struct {
		src  string
		want []isa.Instruction // exit is appended unless the source ends in a jump
	}{
		{"add %r1, 5", []isa.Instruction{ins(alu64(isa.Add, K), 1, 0, 0, 5)}},
		{"add64 %r1, %r2", []isa.Instruction{ins(alu64(isa.Add, X), 1, 2, 0, 0)}},
		{"add32 r1, r2", []isa.Instruction{ins(alu32(isa.Add, X), 1, 2, 0, 0)}},
		{"mov32 %r0, -1", []isa.Instruction{ins(alu32(isa.Mov, K), 0, 0, 0, -1)}},
		{"mov32 %r0, 0xffffffff", []isa.Instruction{ins(alu32(isa.Mov, K), 0, 0, 0, -1)}},
		{"mov %r0, -2147483648", []isa.Instruction{ins(alu64(isa.Mov, K), 0, 0, 0, -2147483648)}},
		{"mov %r0, -0x80000000", []isa.Instruction{ins(alu64(isa.Mov, K), 0, 0, 0, -2147483648)}},
		{"sdiv %r1, %r2", []isa.Instruction{ins(alu64(isa.Div, X), 1, 2, 1, 0)}},
		{"smod32 %r1, 3", []isa.Instruction{ins(alu32(isa.Mod, K), 1, 0, 1, 3)}},
		{"arsh32 %r1, 3", []isa.Instruction{ins(alu32(isa.ArSh, K), 1, 0, 0, 3)}},
		{"neg %r3", []isa.Instruction{ins(alu64(isa.Neg, K), 3, 0, 0, 0)}},
		{"neg32 %r3", []isa.Instruction{ins(alu32(isa.Neg, K), 3, 0, 0, 0)}},
		{"movsx864 %r1, %r2", []isa.Instruction{ins(alu64(isa.Mov, X), 1, 2, 8, 0)}},
		{"movsx1632 %r1, %r2", []isa.Instruction{ins(alu32(isa.Mov, X), 1, 2, 16, 0)}},
		{"movsx3264 %r1, %r2", []isa.Instruction{ins(alu64(isa.Mov, X), 1, 2, 32, 0)}},
		{"le16 %r1", []isa.Instruction{ins(alu32(isa.End, isa.ToLE), 1, 0, 0, 16)}},
		{"be64 %r1", []isa.Instruction{ins(alu32(isa.End, isa.ToBE), 1, 0, 0, 64)}},
		{"swap32 %r1", []isa.Instruction{ins(alu64(isa.End, isa.ToLE), 1, 0, 0, 32)}},
		{"bswap16 %r1", []isa.Instruction{ins(alu64(isa.End, isa.ToLE), 1, 0, 0, 16)}},
		{"ldxb %r0, [%r1]", []isa.Instruction{ins(ldx(isa.ModeMEM, isa.SizeB), 0, 1, 0, 0)}},
		{"ldxdw %r0, [%r10-8]", []isa.Instruction{ins(ldx(isa.ModeMEM, isa.SizeDW), 0, 10, -8, 0)}},
		{"ldxh %r0, [ %r1 + 0x10 ]", []isa.Instruction{ins(ldx(isa.ModeMEM, isa.SizeH), 0, 1, 16, 0)}},
		{"ldxw %r0, [%r1+0xffff]", []isa.Instruction{ins(ldx(isa.ModeMEM, isa.SizeW), 0, 1, -1, 0)}},
		{"ldxsw %r0, [%r1-32768]", []isa.Instruction{ins(ldx(isa.ModeMEMSX, isa.SizeW), 0, 1, -32768, 0)}},
		{"ldxsb %r0, [%r1+2]", []isa.Instruction{ins(ldx(isa.ModeMEMSX, isa.SizeB), 0, 1, 2, 0)}},
		{"stb [%r10-1], 0x7f", []isa.Instruction{ins(isa.MemOpcode(isa.ClassST, isa.ModeMEM, isa.SizeB), 10, 0, -1, 0x7f)}},
		{"stdw [%r1], -1", []isa.Instruction{ins(isa.MemOpcode(isa.ClassST, isa.ModeMEM, isa.SizeDW), 1, 0, 0, -1)}},
		{"stxh [%r1+4], %r2", []isa.Instruction{ins(isa.MemOpcode(isa.ClassSTX, isa.ModeMEM, isa.SizeH), 1, 2, 4, 0)}},
		{"lddw %r1, 0x1122334455667788", []isa.Instruction{lo, hi}},
		{"lddw %r1, -1", allOnes},
		{"lddw %r1, 18446744073709551615", allOnes},
		{"lddw %r1, map_fd 3", []isa.Instruction{ins(isa.OpLdImm64, 1, isa.PseudoMapFD, 0, 3), {}}},
		{"lddw %r1, map_value 3, 16", []isa.Instruction{ins(isa.OpLdImm64, 1, isa.PseudoMapValue, 0, 3), {Imm: 16}}},
		{"lddw %r1, func +2\nexit\nexit", []isa.Instruction{ins(isa.OpLdImm64, 1, isa.PseudoFunc, 0, 2), {}, exit, exit}},
		{"ldabsh 12", []isa.Instruction{ins(isa.MemOpcode(isa.ClassLD, isa.ModeABS, isa.SizeH), 0, 0, 0, 12)}},
		{"ldindb %r7, 14", []isa.Instruction{ins(isa.MemOpcode(isa.ClassLD, isa.ModeIND, isa.SizeB), 0, 7, 0, 14)}},
		{"jeq %r1, 5, +1\nexit\nexit", []isa.Instruction{ins(jmp(isa.JEq, K), 1, 0, 1, 5), exit, exit}},
		{"jsle32 %r1, %r2, l\nl: exit", []isa.Instruction{ins(jmp32(isa.JSLE, X), 1, 2, 0, 0), exit}},
		{"top:\nmov %r0, 0\njne %r0, 0, top\nexit", []isa.Instruction{ins(alu64(isa.Mov, K), 0, 0, 0, 0), ins(jmp(isa.JNE, K), 0, 0, -2, 0), exit}},
		{"jset %r1, 0x80000000, exit\nexit", []isa.Instruction{ins(jmp(isa.JSet, K), 1, 0, 0, -0x80000000), exit}},
		{"ja +0\nexit", []isa.Instruction{ins(isa.OpJa, 0, 0, 0, 0), exit}},
		{"ja32 end\nmov %r0, 1\nend: exit", []isa.Instruction{ins(isa.OpJa32, 0, 0, 0, 1), ins(alu64(isa.Mov, K), 0, 0, 0, 1), exit}},
		{"gotol -1", []isa.Instruction{ins(isa.OpJa32, 0, 0, 0, -1)}},
		{"call 5", []isa.Instruction{ins(isa.OpCall, 0, 0, 0, 5)}},
		{"call helper 0x10", []isa.Instruction{ins(isa.OpCall, 0, 0, 0, 16)}},
		{"call %r2", []isa.Instruction{ins(isa.OpCallX, 2, 0, 0, 0)}},
		{"callx %r3", []isa.Instruction{ins(isa.OpCallX, 3, 0, 0, 0)}},
		{"call helper %r2", []isa.Instruction{ins(isa.OpCallX, 2, 0, 0, 0)}},
		{"call runtime 7", []isa.Instruction{ins(isa.OpCall, 0, isa.PseudoCallKfunc, 0, 7)}},
		{"call local f\nexit\nf:\nexit", []isa.Instruction{ins(isa.OpCall, 0, isa.PseudoCallLocal, 0, 1), exit, exit}},
		{"call local +0\nexit", []isa.Instruction{ins(isa.OpCall, 0, isa.PseudoCallLocal, 0, 0), exit}},
		{"lock add [%r10-8], %r1", []isa.Instruction{ins(atomicDW, 10, 1, -8, int32(isa.AtomicAdd))}},
		{"lock fetch or32 [%r10-4], %r1", []isa.Instruction{ins(atomicW, 10, 1, -4, int32(isa.AtomicOr|isa.AtomicFetch))}},
		{"lock xchg [%r10-8], %r1", []isa.Instruction{ins(atomicDW, 10, 1, -8, int32(isa.AtomicXchg))}},
		{"lock fetch xchg [%r10-8], %r1", []isa.Instruction{ins(atomicDW, 10, 1, -8, int32(isa.AtomicXchg))}},
		{"lock cmpxchg32 [%r10-8], %r1", []isa.Instruction{ins(atomicW, 10, 1, -8, int32(isa.AtomicCmpXchg))}},
		{"lock fetch xor [%r1], %r3", []isa.Instruction{ins(atomicDW, 1, 3, 0, int32(isa.AtomicXor|isa.AtomicFetch))}},
		{"# comment only\n\n   mov %r0, 1 # trailing\n", []isa.Instruction{ins(alu64(isa.Mov, K), 0, 0, 0, 1)}},
		{"l1: l2:\n", nil}, // labels at the end name the appended exit
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			src := tt.src
			want := tt.want
			if n := len(want); n == 0 || !endsProgram(want) {
				src += "\nexit"
				want = append(append([]isa.Instruction(nil), want...), exit)
			}
			p, err := Assemble(src)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Insns, want) {
				t.Errorf("got  %v\nwant %v", p.Insns, want)
			}
		})
	}
}

// endsProgram reports whether the last slot can end a program.
func endsProgram(insns []isa.Instruction) bool {
	last := insns[len(insns)-1]
	if len(insns) >= 2 && insns[len(insns)-2].IsLdImm64() {
		return false
	}
	return last.Op == isa.OpExit || last.Op == isa.OpJa || last.Op == isa.OpJa32
}

func TestAssembleErrors(t *testing.T) {
	tests := []struct {
		src       string
		line, col int
		msg       string
	}{
		{"mov32 %r0, 2147483648\nexit", 1, 12, "Immediate out of 32-bit range: 2147483648"},
		{"mov32 %r0, 0x100000000\nexit", 1, 12, "Immediate out of 32-bit range: 0x100000000"},
		{"mov32 %r0, -2147483649\nexit", 1, 12, "Immediate out of 32-bit range"},
		{"mov32 %r0, -0x80000001\nexit", 1, 12, "Immediate out of 32-bit range"},
		{"mov %r0, 12abc\nexit", 1, 10, "Invalid immediate: 12abc"},
		{"mov %r0, --1\nexit", 1, 10, "Invalid immediate: --1"},
		{"ja NOT_A_LABEL\nexit", 1, 4, "Invalid label: NOT_A_LABEL"},
		{"ja 3\nexit", 1, 4, "Invalid jump target: 3"},
		{"lock or [%r10-8]\nexit", 1, 1, "Invalid number of operands for lock"},
		{"lock\nexit", 1, 1, "Invalid number of operands for lock"},
		{"lock fetch\nexit", 1, 1, "Invalid number of operands for lock"},
		{"lock sub [%r10-8], %r1\nexit", 1, 6, "Invalid atomic operation: sub"},
		{"# x\nldxq %r0, %r1\nexit", 2, 1, "Invalid mnemonic: ldxq"},
		{"ldxb %r0, %r1\nexit", 1, 11, "Invalid memory operand %r1"},
		{"ldxb %r0, [%r1+0x10000]\nexit", 1, 15, "Offset out of 16-bit range: +0x10000"},
		{"ldxb %r0, [%r1+32768]\nexit", 1, 15, "Offset out of 16-bit range"},
		{"ldxb %r0, [%r1*2]\nexit", 1, 12, "Invalid register: %r1*2"},
		{"ldxb %r0, [%r1 8]\nexit", 1, 16, "Invalid memory operand"},
		{"ldxb %r0, []\nexit", 1, 12, "Invalid memory operand []"},
		{"ldxb %r0, [ +8]\nexit", 1, 13, "Invalid memory operand [ +8]"},
		{"ldxb %r0, [%r1 + -8]\nexit", 1, 16, "Invalid offset: +-8"},
		{"ldxb %r0, [%r1+8\nexit", 1, 11, "Unterminated memory operand"},
		{"lddw %r0\nexit", 1, 1, "Invalid number of operands for lddw"},
		{"lddw %r0, 0x10000000000000000\nexit", 1, 11, "Invalid immediate"},
		{"lddw %r0, -9223372036854775809\nexit", 1, 11, "Immediate out of 64-bit range"},
		{"lddw %r0, map 3\nexit", 1, 11, "Invalid lddw source: map"},
		{"or %r0, %r50\nexit", 1, 9, "Invalid register: %r50"},
		{"or %r11, %r0\nexit", 1, 4, "Invalid register: %r11"},
		{"or %r0, r01\nexit", 1, 9, "Invalid immediate: r01"},
		{"add %r0\nexit", 1, 1, "Invalid number of operands for add: want 2, got 1"},
		{"exit %r0", 1, 1, "Invalid number of operands for exit: want 0, got 1"},
		{"neg %r0, 1\nexit", 1, 1, "Invalid number of operands for neg"},
		{"jeq %r0, 1\nexit", 1, 1, "Invalid number of operands for jeq"},
		{"call local\nexit", 1, 6, "Invalid immediate: local"},
		{"call far 3\nexit", 1, 6, "Invalid call mode: far"},
		{"call 1, 2, 3\nexit", 1, 1, "Invalid number of operands for call"},
		{"movsx864 %r0, 5\nexit", 1, 15, "takes a source register"},
		{"mov %r0,, 1\nexit", 1, 9, "Unexpected comma"},
		{"mov %r0, 1,\nexit", 1, 11, "Unexpected comma at the end of the line"},
		{", exit", 1, 1, "Unexpected comma"},
		{"mov %r0, 1]\nexit", 1, 11, "Unexpected ']'"},
		{"a:\na:\nexit", 2, 1, "Duplicate label a (first defined at line 1)"},
		{"1x:\nexit", 1, 1, "Invalid label name \"1x\""},
		{"jeq %r0, 0, +32768\nexit", 1, 13, "Offset out of 16-bit range"},
		{"", 1, 1, "No instructions"},
		{"# nothing\n\n", 2, 1, "No instructions"},
		{"mov %r0, 0", 1, 1, "Invalid instruction: last instruction is not an exit or jump"},
		{"mov %r10, 0\nexit", 1, 1, "Invalid instruction: frame pointer r10 is read only"},
		{"exit\n  ja +5", 2, 3, "Invalid instruction: jump out of range"},
		{"lddw %r0, 1", 1, 1, "Invalid instruction: last instruction is not an exit or jump"},
		{"mov32 %r0, 1\n  ldxdw %r0, [%r1]\nmovsx832 %r0, %r10\nlsh %r10, 1\nexit", 4, 1, "frame pointer r10 is read only"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, err := Assemble(tt.src)
			if err == nil {
				t.Fatalf("assembled to %v, want error %q", p.Insns, tt.msg)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if e.Line != tt.line || e.Col != tt.col || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("got %q, want line %d, column %d: %s...", err, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestJumpOutOfRange(t *testing.T) {
	var b strings.Builder
	b.WriteString("ja far\n")
	for range 40000 {
		b.WriteString("mov %r0, 0\n")
	}
	b.WriteString("far: exit\n")
	_, err := Assemble(b.String())
	var e *Error
	if !errors.As(err, &e) || e.Line != 1 || e.Col != 4 || !strings.Contains(e.Msg, "out of the 16-bit offset range") {
		t.Fatalf("got %v", err)
	}
	// ja32 reaches it.
	p, err := Assemble("ja32 far\n" + strings.TrimPrefix(b.String(), "ja far\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Insns[0].Imm != 40000 {
		t.Errorf("ja32 imm %d, want 40000", p.Insns[0].Imm)
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Line: 3, Col: 7, Msg: "Invalid register: %r50"}
	if got, want := e.Error(), "line 3, column 7: Invalid register: %r50"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
