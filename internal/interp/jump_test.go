package interp

import (
	"testing"

	"github.com/gbpf/gbpf/isa"
)

const (
	j64 = isa.ClassJMP
	j32 = isa.ClassJMP32
)

// TestJumps runs each conditional jump on r1 (and r2 or an immediate) and
// returns 1 when it is taken, 0 when not.
func TestJumps(t *testing.T) {
	taken := func(j isa.Instruction) isa.Program {
		return prog(mov64(r0, 0), j, exit(), mov64(r0, 1), exit())
	}
	const (
		neg1  = ^uint64(0)
		hi1   = uint64(1) << 32      // low half 0
		lowFF = uint64(0xffffffff)   // -1 as int32, 4294967295 as uint32
		mixed = uint64(0x1_00000005) // low half 5
	)
	tests := []struct {
		name   string
		j      isa.Instruction
		r1, r2 uint64
		want   uint64
	}{
		{"jeq imm", jmpK(j64, isa.JEq, r1, 5, 1), 5, 0, 1},
		{"jeq imm sign-extends", jmpK(j64, isa.JEq, r1, -1, 1), neg1, 0, 1},
		{"jeq imm not low half", jmpK(j64, isa.JEq, r1, -1, 1), lowFF, 0, 0},
		{"jeq reg", jmpX(j64, isa.JEq, r1, r2, 1), 7, 7, 1},
		{"jne", jmpK(j64, isa.JNE, r1, 5, 1), 5, 0, 0},
		{"jne reg", jmpX(j64, isa.JNE, r1, r2, 1), 5, 6, 1},
		{"jgt unsigned", jmpK(j64, isa.JGT, r1, 5, 1), neg1, 0, 1},
		{"jgt reg", jmpX(j64, isa.JGT, r1, r2, 1), 5, 5, 0},
		{"jge", jmpK(j64, isa.JGE, r1, 5, 1), 5, 0, 1},
		{"jge reg", jmpX(j64, isa.JGE, r1, r2, 1), 4, 5, 0},
		{"jlt", jmpK(j64, isa.JLT, r1, 5, 1), 4, 0, 1},
		{"jlt unsigned", jmpX(j64, isa.JLT, r1, r2, 1), neg1, 1, 0},
		{"jle", jmpK(j64, isa.JLE, r1, 5, 1), 5, 0, 1},
		{"jle reg", jmpX(j64, isa.JLE, r1, r2, 1), 6, 5, 0},
		{"jsgt signed", jmpK(j64, isa.JSGT, r1, -2, 1), neg1, 0, 1},
		{"jsgt reg", jmpX(j64, isa.JSGT, r1, r2, 1), neg1, 0, 0},
		{"jsge", jmpK(j64, isa.JSGE, r1, -1, 1), neg1, 0, 1},
		{"jsge reg", jmpX(j64, isa.JSGE, r1, r2, 1), neg1 - 1, neg1, 0},
		{"jslt", jmpK(j64, isa.JSLT, r1, 0, 1), neg1, 0, 1},
		{"jslt reg", jmpX(j64, isa.JSLT, r1, r2, 1), 1, neg1, 0},
		{"jsle", jmpK(j64, isa.JSLE, r1, -1, 1), neg1, 0, 1},
		{"jsle reg", jmpX(j64, isa.JSLE, r1, r2, 1), 0, neg1, 0},
		{"jset", jmpK(j64, isa.JSet, r1, 6, 1), 2, 0, 1},
		{"jset reg", jmpX(j64, isa.JSet, r1, r2, 1), 1, 2, 0},
		{"jset imm sign-extends", jmpK(j64, isa.JSet, r1, -1, 1), hi1, 0, 1},

		{"jeq32 low half", jmpK(j32, isa.JEq, r1, 5, 1), mixed, 0, 1},
		{"jeq32 reg", jmpX(j32, isa.JEq, r1, r2, 1), mixed, 5, 1},
		{"jeq32 imm -1", jmpK(j32, isa.JEq, r1, -1, 1), lowFF, 0, 1},
		{"jne32", jmpK(j32, isa.JNE, r1, 0, 1), hi1, 0, 0},
		{"jne32 reg", jmpX(j32, isa.JNE, r1, r2, 1), hi1, 0, 0},
		{"jgt32", jmpK(j32, isa.JGT, r1, 4, 1), mixed, 0, 1},
		{"jgt32 reg", jmpX(j32, isa.JGT, r1, r2, 1), hi1, 1, 0},
		{"jge32", jmpK(j32, isa.JGE, r1, 5, 1), mixed, 0, 1},
		{"jge32 reg", jmpX(j32, isa.JGE, r1, r2, 1), hi1, 1, 0},
		{"jlt32", jmpK(j32, isa.JLT, r1, 1, 1), hi1, 0, 1},
		{"jlt32 reg", jmpX(j32, isa.JLT, r1, r2, 1), mixed, 5, 0},
		{"jle32", jmpK(j32, isa.JLE, r1, 5, 1), mixed, 0, 1},
		{"jle32 reg", jmpX(j32, isa.JLE, r1, r2, 1), lowFF, 5, 0},
		{"jsgt32", jmpK(j32, isa.JSGT, r1, -2, 1), lowFF, 0, 1},
		{"jsgt32 reg", jmpX(j32, isa.JSGT, r1, r2, 1), lowFF, 0, 0},
		{"jsge32", jmpK(j32, isa.JSGE, r1, -1, 1), lowFF, 0, 1},
		{"jsge32 reg", jmpX(j32, isa.JSGE, r1, r2, 1), lowFF, 0, 0},
		{"jslt32", jmpK(j32, isa.JSLT, r1, 0, 1), lowFF, 0, 1},
		{"jslt32 reg", jmpX(j32, isa.JSLT, r1, r2, 1), 1, lowFF, 0},
		{"jsle32", jmpK(j32, isa.JSLE, r1, -1, 1), lowFF, 0, 1},
		{"jsle32 reg", jmpX(j32, isa.JSLE, r1, r2, 1), 0, lowFF, 0},
		{"jset32", jmpK(j32, isa.JSet, r1, -1, 1), hi1, 0, 0},
		{"jset32 reg", jmpX(j32, isa.JSet, r1, r2, 1), mixed, 4, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := runBoth(t, taken(tt.j), nil, tt.r1, tt.r2)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("taken = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestUnconditionalJumps(t *testing.T) {
	tests := []r0Case{
		{"ja forward", prog(mov64(r0, 1), ja(1), mov64(r0, 2), exit()), 1},
		{"ja over lddw", prog(mov64(r0, 1), ja(2), lddw(r0, 9), exit()), 1},
		{"gotol", prog(mov64(r0, 1), gotol(1), mov64(r0, 2), exit()), 1},
		{"ja backward loop", prog(
			mov64(r0, 0), mov64(r1, 10),
			add64(r0, 3), add64(r1, -1), jmpK(j64, isa.JEq, r1, 0, 1), ja(-4),
			exit()), 30},
		{"gotol backward", prog(
			mov64(r0, 0),
			add64(r0, 1), jmpK(j64, isa.JGE, r0, 5, 1), gotol(-3),
			exit()), 5},
		{"ja is the last instruction", prog(mov64(r0, 3), ja(1), exit(), ja(-2)), 3},
	}
	runR0Cases(t, tests, nil, 0, 0)
}
