package isa

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func prog(insns ...Instruction) Program { return Program{Insns: insns} }

var exit = Instruction{Op: OpExit}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	ld := LdImm64(R3, 0x1122334455667788)
	p := prog(
		Instruction{Op: ALUOpcode(ClassALU64, Mov, SourceK), Dst: R0, Imm: -1},
		ld[0], ld[1],
		Instruction{Op: MemOpcode(ClassSTX, ModeATOMIC, SizeDW), Dst: R10, Src: R3, Off: -8, Imm: int32(AtomicCmpXchg)},
		exit,
	)
	b := p.Encode()
	if len(b) != 5*InstructionSize {
		t.Fatalf("encoded %d bytes", len(b))
	}
	want := []byte{0xb7, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff}
	if !bytes.Equal(b[:8], want) {
		t.Fatalf("first slot % x, want % x", b[:8], want)
	}
	if b[3*8+1] != 0x3a {
		t.Fatalf("dst/src byte %#x, want 0x3a", b[3*8+1])
	}
	q, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Insns {
		if p.Insns[i] != q.Insns[i] {
			t.Errorf("slot %d: %v != %v", i, q.Insns[i], p.Insns[i])
		}
	}
	if got := q.Imm64(1); got != 0x1122334455667788 {
		t.Errorf("Imm64 = %#x", got)
	}
	if err := Validate(q); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeShort(t *testing.T) {
	if _, err := Decode(make([]byte, 12)); err == nil {
		t.Fatal("12-byte program decoded")
	}
}

func TestValidateRejects(t *testing.T) {
	alu := func(c Class, op ALUOp, src Source) Opcode { return ALUOpcode(c, op, src) }
	ld := LdImm64(R1, 1)
	tests := []struct {
		name  string
		p     Program
		index int
		msg   string
	}{
		{"empty", prog(), -1, "no instructions"},
		{"unknown alu", prog(Instruction{Op: alu(ClassALU64, 0xe0, SourceK)}, exit), 0, "unknown opcode"},
		{"add imm with src", prog(Instruction{Op: alu(ClassALU64, Add, SourceK), Src: 1}, exit), 0, "non-zero src"},
		{"add reg with imm", prog(Instruction{Op: alu(ClassALU64, Add, SourceX), Imm: 1}, exit), 0, "non-zero immediate"},
		{"add with offset", prog(Instruction{Op: alu(ClassALU64, Add, SourceK), Off: 1}, exit), 0, "invalid offset"},
		{"movsx32 by 32", prog(Instruction{Op: alu(ClassALU, Mov, SourceX), Off: 32}, exit), 0, "invalid offset"},
		{"write r10", prog(Instruction{Op: alu(ClassALU64, Mov, SourceK), Dst: R10}, exit), 0, "read only"},
		{"dst r11", prog(Instruction{Op: alu(ClassALU64, Mov, SourceK), Dst: 11}, exit), 0, "invalid dst"},
		{"src r12", prog(Instruction{Op: alu(ClassALU64, Mov, SourceX), Src: 12}, exit), 0, "invalid src"},
		{"swap 8", prog(Instruction{Op: alu(ClassALU, End, ToBE), Imm: 8}, exit), 0, "invalid width"},
		{"bswap with be", prog(Instruction{Op: alu(ClassALU64, End, ToBE), Imm: 16}, exit), 0, "source bit"},
		{"neg with imm", prog(Instruction{Op: alu(ClassALU64, Neg, SourceK), Imm: 1}, exit), 0, "reserved"},
		{"jump out", prog(Instruction{Op: JumpOpcode(ClassJMP, JEq, SourceK), Off: 5}, exit), 0, "out of range"},
		{"jump back out", prog(Instruction{Op: OpJa, Off: -2}, exit), 0, "out of range"},
		{"jump into lddw", prog(Instruction{Op: OpJa, Off: 1}, ld[0], ld[1], exit), 0, "middle of lddw"},
		{"lddw cut", prog(exit, ld[0]), 1, "second slot"},
		{"lddw bad second", prog(ld[0], Instruction{Op: 0x07, Imm: 1}, exit), 1, "reserved"},
		{"exit with imm", prog(Instruction{Op: OpExit, Imm: 1}), 0, "reserved"},
		{"exit32", prog(Instruction{Op: Opcode(ClassJMP32) | Opcode(Exit)}, exit), 0, "unknown opcode"},
		{"falls off", prog(Instruction{Op: alu(ClassALU64, Mov, SourceK)}), 0, "last instruction"},
		{"ldx dw sx", prog(Instruction{Op: MemOpcode(ClassLDX, ModeMEMSX, SizeDW)}, exit), 0, "unknown opcode"},
		{"st atomic", prog(Instruction{Op: MemOpcode(ClassST, ModeATOMIC, SizeDW)}, exit), 0, "unknown opcode"},
		{"atomic h", prog(Instruction{Op: MemOpcode(ClassSTX, ModeATOMIC, SizeH)}, exit), 0, "invalid size"},
		{"atomic bad op", prog(Instruction{Op: MemOpcode(ClassSTX, ModeATOMIC, SizeW), Imm: 0x20}, exit), 0, "invalid atomic"},
		{"call src 3", prog(Instruction{Op: OpCall, Src: 3}, exit), 0, "invalid src"},
		{"local call out", prog(Instruction{Op: OpCall, Src: PseudoCallLocal, Imm: 9}, exit), 0, "out of range"},
		{"gotol with off", prog(Instruction{Op: OpJa32, Off: 1}, exit), 0, "reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.p)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
			var ie *Error
			if tt.index >= 0 && (!errors.As(err, &ie) || ie.Index != tt.index) {
				t.Errorf("error %v does not name instruction %d", err, tt.index)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	ld := LdImm64(R1, 1)
	ok := []Program{
		prog(Instruction{Op: ALUOpcode(ClassALU64, Div, SourceX), Off: 1}, exit),
		prog(Instruction{Op: ALUOpcode(ClassALU64, Mov, SourceX), Off: 32}, exit),
		prog(Instruction{Op: ALUOpcode(ClassALU, End, ToBE), Imm: 64}, exit),
		prog(Instruction{Op: OpJa32, Imm: 2}, ld[0], ld[1], exit),
		prog(Instruction{Op: OpCall, Src: PseudoCallLocal, Imm: 1}, exit, exit),
		prog(Instruction{Op: OpCallX, Dst: R2}, exit),
		prog(Instruction{Op: MemOpcode(ClassSTX, ModeATOMIC, SizeW), Dst: R10, Off: -4, Imm: int32(AtomicXor | AtomicFetch)}, exit),
		prog(Instruction{Op: MemOpcode(ClassLD, ModeABS, SizeH), Imm: 12}, exit),
		prog(exit, Instruction{Op: OpJa, Off: -2}),
	}
	for i, p := range ok {
		if err := Validate(p); err != nil {
			t.Errorf("program %d: %v", i, err)
		}
	}
}

func FuzzDecodeValidate(f *testing.F) {
	f.Add([]byte{0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x18, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x05, 0, 0xfe, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(b)
		if err != nil {
			return
		}
		if !bytes.Equal(p.Encode(), b) {
			t.Fatalf("re-encoding differs")
		}
		if Validate(p) == nil {
			// A valid program never jumps outside itself.
			for i, ins := range p.Insns {
				c := ins.Op.Class()
				if c.IsJump() && ins.Op.JumpOp() != Exit && ins.Op != OpCallX && !(ins.Op == OpCall && ins.Src != PseudoCallLocal) {
					if tgt := ins.JumpTarget(i); tgt < 0 || tgt >= len(p.Insns) {
						t.Fatalf("insn %d jumps to %d", i, tgt)
					}
				}
			}
		}
	})
}
