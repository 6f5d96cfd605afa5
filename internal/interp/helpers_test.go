package interp

import (
	"errors"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// Instruction builders for the tests, named after the assembler's
// mnemonics.

func prog(parts ...any) isa.Program {
	var p isa.Program
	for _, x := range parts {
		switch v := x.(type) {
		case isa.Instruction:
			p.Insns = append(p.Insns, v)
		case [2]isa.Instruction:
			p.Insns = append(p.Insns, v[:]...)
		case []isa.Instruction:
			p.Insns = append(p.Insns, v...)
		case isa.Program:
			p.Insns = append(p.Insns, v.Insns...)
		default:
			panic("prog: bad part")
		}
	}
	return p
}

func aluK(c isa.Class, op isa.ALUOp, dst isa.Register, imm int32) isa.Instruction {
	return isa.Instruction{Op: isa.ALUOpcode(c, op, isa.SourceK), Dst: dst, Imm: imm}
}

func aluX(c isa.Class, op isa.ALUOp, dst, src isa.Register) isa.Instruction {
	return isa.Instruction{Op: isa.ALUOpcode(c, op, isa.SourceX), Dst: dst, Src: src}
}

func mov64(dst isa.Register, imm int32) isa.Instruction {
	return aluK(isa.ClassALU64, isa.Mov, dst, imm)
}
func mov64x(dst, src isa.Register) isa.Instruction { return aluX(isa.ClassALU64, isa.Mov, dst, src) }
func add64(dst isa.Register, imm int32) isa.Instruction {
	return aluK(isa.ClassALU64, isa.Add, dst, imm)
}
func lddw(dst isa.Register, v uint64) [2]isa.Instruction { return isa.LdImm64(dst, v) }

func signed(ins isa.Instruction) isa.Instruction { ins.Off = 1; return ins }

func jmpK(c isa.Class, op isa.JumpOp, dst isa.Register, imm int32, off int16) isa.Instruction {
	return isa.Instruction{Op: isa.JumpOpcode(c, op, isa.SourceK), Dst: dst, Imm: imm, Off: off}
}

func jmpX(c isa.Class, op isa.JumpOp, dst, src isa.Register, off int16) isa.Instruction {
	return isa.Instruction{Op: isa.JumpOpcode(c, op, isa.SourceX), Dst: dst, Src: src, Off: off}
}

func ja(off int16) isa.Instruction    { return isa.Instruction{Op: isa.OpJa, Off: off} }
func gotol(imm int32) isa.Instruction { return isa.Instruction{Op: isa.OpJa32, Imm: imm} }
func exit() isa.Instruction           { return isa.Instruction{Op: isa.OpExit} }
func call(id int32) isa.Instruction   { return isa.Instruction{Op: isa.OpCall, Imm: id} }
func callx(dst isa.Register) isa.Instruction {
	return isa.Instruction{Op: isa.OpCallX, Dst: dst}
}
func callLocal(off int32) isa.Instruction {
	return isa.Instruction{Op: isa.OpCall, Src: isa.PseudoCallLocal, Imm: off}
}

func ldx(s isa.Size, dst, src isa.Register, off int16) isa.Instruction {
	return isa.Instruction{Op: isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, s), Dst: dst, Src: src, Off: off}
}

func ldxs(s isa.Size, dst, src isa.Register, off int16) isa.Instruction {
	return isa.Instruction{Op: isa.MemOpcode(isa.ClassLDX, isa.ModeMEMSX, s), Dst: dst, Src: src, Off: off}
}

func st(s isa.Size, dst isa.Register, off int16, imm int32) isa.Instruction {
	return isa.Instruction{Op: isa.MemOpcode(isa.ClassST, isa.ModeMEM, s), Dst: dst, Off: off, Imm: imm}
}

func stx(s isa.Size, dst, src isa.Register, off int16) isa.Instruction {
	return isa.Instruction{Op: isa.MemOpcode(isa.ClassSTX, isa.ModeMEM, s), Dst: dst, Src: src, Off: off}
}

func atomicInsn(s isa.Size, a isa.AtomicOp, dst, src isa.Register, off int16) isa.Instruction {
	return isa.Instruction{Op: isa.MemOpcode(isa.ClassSTX, isa.ModeATOMIC, s), Dst: dst, Src: src, Off: off, Imm: int32(a)}
}

// modes are the ways every program is compiled in the tests.
var modes = []struct {
	name string
	opts Options
}{
	{"verified", Options{}},
	{"checked", Options{Checked: true}},
	{"sanitized", Options{Sanitize: true}},
}

// runBoth compiles p in every mode, runs it with env, r1 and r2, and
// checks that the modes agree (a sanitized run may instead find a leak).
// It returns r0 and the error of the verified mode.
func runBoth(t *testing.T, p isa.Program, env *engine.Env, r1, r2 uint64) (uint64, error) {
	t.Helper()
	var r0s [3]uint64
	var errs [3]error
	for i, m := range modes {
		pr, err := Compile(p, m.opts)
		if err != nil {
			t.Fatalf("%s: Compile: %v", m.name, err)
		}
		r0s[i], errs[i] = pr.Run(env, r1, r2)
		if i > 0 && (r0s[i] != r0s[0] || (errs[i] == nil) != (errs[0] == nil)) && !errors.Is(errs[i], engine.ErrLeak) {
			t.Fatalf("modes disagree: verified %#x, %v; %s %#x, %v", r0s[0], errs[0], m.name, r0s[i], errs[i])
		}
	}
	return r0s[0], errs[0]
}

// r0Case is a program and the r0 it must return.
type r0Case struct {
	name string
	p    isa.Program
	want uint64
}

// runR0Cases runs each case as a subtest with runBoth, passing env, r1
// and r2, and checks that it returns the wanted r0 without an error.
func runR0Cases(t *testing.T, tests []r0Case, env *engine.Env, r1, r2 uint64) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := runBoth(t, tt.p, env, r1, r2)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("r0 = %#x, want %#x", got, tt.want)
			}
		})
	}
}

// newBlock allocates runtime memory for a test, freed at its end.
func newBlock(t testing.TB, data []byte) *engine.Block {
	t.Helper()
	b, err := engine.Alloc(len(data))
	if err != nil {
		t.Fatal(err)
	}
	copy(b.Bytes(), data)
	t.Cleanup(func() { b.Free() })
	return b
}

func wantFault(t *testing.T, err error, sentinel error, pc int) *engine.Fault {
	t.Helper()
	var f *engine.Fault
	if !errors.As(err, &f) || !errors.Is(err, sentinel) {
		t.Fatalf("error = %v, want a fault wrapping %v", err, sentinel)
	}
	if f.PC != pc {
		t.Errorf("fault at instruction %d, want %d: %v", f.PC, pc, err)
	}
	return f
}
