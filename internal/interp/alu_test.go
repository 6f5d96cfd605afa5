package interp

import (
	"math"
	"testing"

	"github.com/gbpf/gbpf/isa"
)

const (
	a64 = isa.ClassALU64
	a32 = isa.ClassALU
	r0  = isa.R0
	r1  = isa.R1
	r2  = isa.R2
	r3  = isa.R3
	r6  = isa.R6
	r10 = isa.R10
)

const minInt64 = uint64(1) << 63

func TestALU(t *testing.T) {
	tests := []r0Case{
		// 64-bit arithmetic.
		{"add64 imm sign-extends", prog(mov64(r0, 1), add64(r0, -2), exit()), math.MaxUint64},
		{"add64 reg", prog(mov64(r0, 40), mov64(r1, 2), aluX(a64, isa.Add, r0, r1), exit()), 42},
		{"sub64", prog(mov64(r0, 1), aluK(a64, isa.Sub, r0, 2), exit()), math.MaxUint64},
		{"mul64", prog(lddw(r0, 0x100000001), aluK(a64, isa.Mul, r0, 3), exit()), 0x300000003},
		{"div64", prog(mov64(r0, 100), mov64(r1, 7), aluX(a64, isa.Div, r0, r1), exit()), 14},
		{"div64 imm is unsigned", prog(mov64(r0, -1), aluK(a64, isa.Div, r0, -1), exit()), 1},
		{"div64 by zero reg", prog(mov64(r0, 100), mov64(r1, 0), aluX(a64, isa.Div, r0, r1), exit()), 0},
		{"div64 by zero imm", prog(mov64(r0, 100), aluK(a64, isa.Div, r0, 0), exit()), 0},
		{"sdiv64", prog(mov64(r0, -100), signed(aluK(a64, isa.Div, r0, 7)), exit()), uint64(math.MaxUint64 - 13)},
		{"sdiv64 by zero", prog(mov64(r0, -100), mov64(r1, 0), signed(aluX(a64, isa.Div, r0, r1)), exit()), 0},
		{"sdiv64 INT_MIN/-1", prog(lddw(r0, minInt64), mov64(r1, -1), signed(aluX(a64, isa.Div, r0, r1)), exit()), minInt64},
		{"mod64", prog(mov64(r0, 100), aluK(a64, isa.Mod, r0, 7), exit()), 2},
		{"mod64 by zero keeps dst", prog(lddw(r0, 0x123456789), mov64(r1, 0), aluX(a64, isa.Mod, r0, r1), exit()), 0x123456789},
		{"smod64", prog(mov64(r0, -100), signed(aluK(a64, isa.Mod, r0, 7)), exit()), uint64(math.MaxUint64 - 1)},
		{"smod64 negative divisor", prog(mov64(r0, 100), signed(aluK(a64, isa.Mod, r0, -7)), exit()), 2},
		{"smod64 by zero keeps dst", prog(mov64(r0, -5), signed(aluK(a64, isa.Mod, r0, 0)), exit()), uint64(math.MaxUint64 - 4)},
		{"smod64 INT_MIN%-1", prog(lddw(r0, minInt64), signed(aluK(a64, isa.Mod, r0, -1)), exit()), 0},
		{"or64", prog(mov64(r0, 0x0f), aluK(a64, isa.Or, r0, 0x70), exit()), 0x7f},
		{"and64 imm sign-extends", prog(lddw(r0, 0xffffffff00000000|0xff), aluK(a64, isa.And, r0, -256), exit()), 0xffffffff00000000},
		{"xor64", prog(mov64(r0, 0x0f), mov64(r1, 0xff), aluX(a64, isa.Xor, r0, r1), exit()), 0xf0},
		{"lsh64", prog(mov64(r0, 1), aluK(a64, isa.LSh, r0, 63), exit()), minInt64},
		{"lsh64 masks the count", prog(mov64(r0, 1), mov64(r1, 65), aluX(a64, isa.LSh, r0, r1), exit()), 2},
		{"rsh64 is logical", prog(mov64(r0, -1), aluK(a64, isa.RSh, r0, 60), exit()), 0xf},
		{"rsh64 masks the count", prog(mov64(r0, 8), mov64(r1, 64+3), aluX(a64, isa.RSh, r0, r1), exit()), 1},
		{"arsh64", prog(mov64(r0, -16), aluK(a64, isa.ArSh, r0, 2), exit()), uint64(math.MaxUint64 - 3)},
		{"arsh64 masks the count", prog(mov64(r0, -16), mov64(r1, 66), aluX(a64, isa.ArSh, r0, r1), exit()), uint64(math.MaxUint64 - 3)},
		{"neg64", prog(mov64(r0, 5), aluK(a64, isa.Neg, r0, 0), exit()), uint64(math.MaxUint64 - 4)},
		{"mov64 imm sign-extends", prog(mov64(r0, -1), exit()), math.MaxUint64},
		{"mov64 reg", prog(lddw(r1, 0x1122334455667788), mov64x(r0, r1), exit()), 0x1122334455667788},
		{"movsx8 64", prog(mov64(r1, 0x180), isa.Instruction{Op: isa.ALUOpcode(a64, isa.Mov, isa.SourceX), Dst: r0, Src: r1, Off: 8}, exit()), 0xffffffffffffff80},
		{"movsx16 64", prog(mov64(r1, 0x8001), isa.Instruction{Op: isa.ALUOpcode(a64, isa.Mov, isa.SourceX), Dst: r0, Src: r1, Off: 16}, exit()), 0xffffffffffff8001},
		{"movsx32 64", prog(lddw(r1, 0x80000000), isa.Instruction{Op: isa.ALUOpcode(a64, isa.Mov, isa.SourceX), Dst: r0, Src: r1, Off: 32}, exit()), 0xffffffff80000000},
		{"movsx8 positive", prog(mov64(r1, 0x17f), isa.Instruction{Op: isa.ALUOpcode(a64, isa.Mov, isa.SourceX), Dst: r0, Src: r1, Off: 8}, exit()), 0x7f},

		// 32-bit arithmetic: results are zero-extended.
		{"add32 wraps and zero-extends", prog(mov64(r0, -1), aluK(a32, isa.Add, r0, 2), exit()), 1},
		{"add32 reg", prog(lddw(r0, 0xffffffff00000001), lddw(r1, 0x100000001), aluX(a32, isa.Add, r0, r1), exit()), 2},
		{"sub32", prog(mov64(r0, 1), aluK(a32, isa.Sub, r0, 2), exit()), 0xffffffff},
		{"mul32", prog(lddw(r0, 0x100000003), aluK(a32, isa.Mul, r0, 5), exit()), 15},
		{"div32 uses low halves", prog(lddw(r0, 0x1000000064), lddw(r1, 0x100000007), aluX(a32, isa.Div, r0, r1), exit()), 14},
		{"div32 by zero", prog(mov64(r0, 100), lddw(r1, 0x100000000), aluX(a32, isa.Div, r0, r1), exit()), 0},
		{"sdiv32", prog(mov64(r0, -100), signed(aluK(a32, isa.Div, r0, 7)), exit()), 0xfffffff2},
		{"sdiv32 INT_MIN/-1", prog(mov64(r0, math.MinInt32), signed(aluK(a32, isa.Div, r0, -1)), exit()), 0x80000000},
		{"sdiv32 by zero", prog(mov64(r0, -100), signed(aluK(a32, isa.Div, r0, 0)), exit()), 0},
		{"mod32", prog(mov64(r0, 100), aluK(a32, isa.Mod, r0, 7), exit()), 2},
		{"mod32 by zero zero-extends dst", prog(lddw(r0, 0x1234567887654321), mov64(r1, 0), aluX(a32, isa.Mod, r0, r1), exit()), 0x87654321},
		{"smod32", prog(mov64(r0, -100), signed(aluK(a32, isa.Mod, r0, 7)), exit()), 0xfffffffe},
		{"smod32 INT_MIN%-1", prog(mov64(r0, math.MinInt32), signed(aluK(a32, isa.Mod, r0, -1)), exit()), 0},
		{"smod32 by zero zero-extends dst", prog(mov64(r0, -5), mov64(r1, 0), signed(aluX(a32, isa.Mod, r0, r1)), exit()), 0xfffffffb},
		{"or32", prog(lddw(r0, 0xff00000000), aluK(a32, isa.Or, r0, 1), exit()), 1},
		{"and32", prog(mov64(r0, -1), aluK(a32, isa.And, r0, 0xff), exit()), 0xff},
		{"xor32", prog(mov64(r0, -1), aluK(a32, isa.Xor, r0, 1), exit()), 0xfffffffe},
		{"lsh32", prog(mov64(r0, 1), aluK(a32, isa.LSh, r0, 31), exit()), 0x80000000},
		{"lsh32 masks the count", prog(mov64(r0, 1), mov64(r1, 33), aluX(a32, isa.LSh, r0, r1), exit()), 2},
		{"rsh32 uses the low half", prog(mov64(r0, -1), aluK(a32, isa.RSh, r0, 28), exit()), 0xf},
		{"rsh32 masks the count", prog(mov64(r0, 16), mov64(r1, 36), aluX(a32, isa.RSh, r0, r1), exit()), 1},
		{"arsh32", prog(mov64(r0, -16), aluK(a32, isa.ArSh, r0, 2), exit()), 0xfffffffc},
		{"arsh32 reg", prog(mov64(r0, -16), mov64(r1, 34), aluX(a32, isa.ArSh, r0, r1), exit()), 0xfffffffc},
		{"neg32", prog(mov64(r0, 5), aluK(a32, isa.Neg, r0, 0), exit()), 0xfffffffb},
		{"mov32 imm", prog(aluK(a32, isa.Mov, r0, -1), exit()), 0xffffffff},
		{"mov32 reg zero-extends", prog(mov64(r1, -1), aluX(a32, isa.Mov, r0, r1), exit()), 0xffffffff},
		{"movsx8 32", prog(mov64(r1, 0x80), isa.Instruction{Op: isa.ALUOpcode(a32, isa.Mov, isa.SourceX), Dst: r0, Src: r1, Off: 8}, exit()), 0xffffff80},
		{"movsx16 32", prog(mov64(r1, 0x8000), isa.Instruction{Op: isa.ALUOpcode(a32, isa.Mov, isa.SourceX), Dst: r0, Src: r1, Off: 16}, exit()), 0xffff8000},

		// Byte order.
		{"le16", prog(lddw(r0, 0x1122334455667788), isa.Instruction{Op: isa.ALUOpcode(a32, isa.End, isa.ToLE), Dst: r0, Imm: 16}, exit()), 0x7788},
		{"le32", prog(lddw(r0, 0x1122334455667788), isa.Instruction{Op: isa.ALUOpcode(a32, isa.End, isa.ToLE), Dst: r0, Imm: 32}, exit()), 0x55667788},
		{"le64", prog(lddw(r0, 0x1122334455667788), isa.Instruction{Op: isa.ALUOpcode(a32, isa.End, isa.ToLE), Dst: r0, Imm: 64}, exit()), 0x1122334455667788},
		{"be16", prog(lddw(r0, 0x1122334455667788), isa.Instruction{Op: isa.ALUOpcode(a32, isa.End, isa.ToBE), Dst: r0, Imm: 16}, exit()), 0x8877},
		{"be32", prog(lddw(r0, 0x1122334455667788), isa.Instruction{Op: isa.ALUOpcode(a32, isa.End, isa.ToBE), Dst: r0, Imm: 32}, exit()), 0x88776655},
		{"be64", prog(lddw(r0, 0x1122334455667788), isa.Instruction{Op: isa.ALUOpcode(a32, isa.End, isa.ToBE), Dst: r0, Imm: 64}, exit()), 0x8877665544332211},
		{"bswap16", prog(lddw(r0, 0x1122334455667788), isa.Instruction{Op: isa.ALUOpcode(a64, isa.End, isa.ToLE), Dst: r0, Imm: 16}, exit()), 0x8877},
		{"bswap32", prog(lddw(r0, 0x1122334455667788), isa.Instruction{Op: isa.ALUOpcode(a64, isa.End, isa.ToLE), Dst: r0, Imm: 32}, exit()), 0x88776655},
		{"bswap64", prog(lddw(r0, 0x1122334455667788), isa.Instruction{Op: isa.ALUOpcode(a64, isa.End, isa.ToLE), Dst: r0, Imm: 64}, exit()), 0x8877665544332211},

		{"lddw", prog(lddw(r0, 0xdeadbeefcafef00d), exit()), 0xdeadbeefcafef00d},
		{"r1 and r2 are the arguments", prog(mov64x(r0, r1), aluX(a64, isa.Sub, r0, r2), exit()), 0x1000 - 0x10},
	}
	runR0Cases(t, tests, nil, 0x1000, 0x10)
}

// TestOpTables checks the fixed distances between op families that
// lowerALU and lowerJump rely on.
func TestOpTables(t *testing.T) {
	pairs := [][2]op{
		{opArsh64K + xDist, opArsh64X}, {opAdd64K + a32Dist, opAdd32K}, {opArsh64K + a32Dist, opArsh32K},
		{opArsh64K + a32Dist + xDist, opArsh32X}, {opDiv64K + 1, opSDiv64K}, {opMod64K + 1, opSMod64K},
		{opJset64K + jxDist, opJset64X}, {opJset64K + j32Dist, opJset32K}, {opJset64K + j32Dist + jxDist, opJset32X},
	}
	for i, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("pair %d: %d != %d", i, p[0], p[1])
		}
	}
}
