package amd64

import (
	"fmt"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
)

// jumpOps are the conditional jumps with their meaning on 64-bit operands.
var jumpOps = []struct {
	name string
	cond func(a, b uint64) bool
}{
	{"jeq", func(a, b uint64) bool { return a == b }},
	{"jne", func(a, b uint64) bool { return a != b }},
	{"jset", func(a, b uint64) bool { return a&b != 0 }},
	{"jgt", func(a, b uint64) bool { return a > b }},
	{"jge", func(a, b uint64) bool { return a >= b }},
	{"jlt", func(a, b uint64) bool { return a < b }},
	{"jle", func(a, b uint64) bool { return a <= b }},
	{"jsgt", func(a, b uint64) bool { return int64(a) > int64(b) }},
	{"jsge", func(a, b uint64) bool { return int64(a) >= int64(b) }},
	{"jslt", func(a, b uint64) bool { return int64(a) < int64(b) }},
	{"jsle", func(a, b uint64) bool { return int64(a) <= int64(b) }},
}

// TestConditionalJumps checks every condition, 64- and 32-bit, against a
// register and an immediate, on values around the signed and unsigned
// boundaries (where the upper half must be ignored by jmp32, and where
// immediates are sign-extended by jmp).
func TestConditionalJumps(t *testing.T) {
	values := []uint64{0, 1, 5, 0xffffffffffffffff, 0x7fffffff, 0xffffffff80000000, 0x80000000,
		0x100000000, 0x100000005, 0xfffffffffffffffb, 0x8000000000000000}
	imms := []int32{0, 1, 5, -1, -5, 0x7fffffff, -0x80000000}
	var tests []insnTest
	for _, op := range jumpOps {
		for _, a := range values {
			for _, b := range values {
				tests = append(tests, jumpTest(op.name, op.cond, a, b, fmt.Sprintf("%%r2")))
			}
			for _, k := range imms {
				tests = append(tests, jumpTest(op.name, op.cond, a, uint64(int64(k)), fmt.Sprint(k)))
			}
		}
	}
	if !Supported {
		t.Skip("JIT not supported")
	}
	for _, tc := range tests {
		tc.run(t, nil)
	}
}

// jumpTest builds the 64- and 32-bit tests of a condition: r0 is 1 if the
// 64-bit jump is taken, plus 2 if the 32-bit one is.
func jumpTest(name string, cond func(a, b uint64) bool, a, b uint64, operand string) insnTest {
	var want uint64
	if cond(a, b) {
		want |= 1
	}
	a32, b32 := uint64(uint32(a)), uint64(uint32(b))
	if name[1] == 's' { // signed: compare as int32
		a32, b32 = uint64(int64(int32(a))), uint64(int64(int32(b)))
	}
	if cond(a32, b32) {
		want |= 2
	}
	src := fmt.Sprintf(`
lddw %%r1, %#x
lddw %%r2, %#x
mov %%r0, 0
%[3]s %%r1, %[4]s, +1
ja +1
or %%r0, 1
%[3]s32 %%r1, %[4]s, +1
ja +1
or %%r0, 2
exit`, a, b, name, operand)
	return insnTest{name: fmt.Sprintf("%s %#x %s", name, a, operand), src: src, want: want}
}

func TestLoops(t *testing.T) {
	runTable(t, []insnTest{
		{"sum-1-100", `
mov %r0, 0
mov %r1, 1
loop:
add %r0, %r1
add %r1, 1
jle %r1, 100, loop
exit`, nil, 5050},
		{"gotol", `
mov %r0, 1
ja32 +2
mov %r0, 2
exit
ja32 -2`, nil, 1},
		{"ja-self-next", "mov %r0, 3\nja +0\nexit", nil, 3},
		{"countdown-backward-ja", `
mov %r0, 0
mov %r6, 1000
top:
add %r0, 3
sub %r6, 1
jeq %r6, 0, out
ja top
out:
exit`, nil, 3000},
	})
}

// TestLongJumps makes jumps that need rel32 forms and a loop long enough to
// yield to Go several times.
func TestLongJumps(t *testing.T) {
	src := "mov %r0, 0\nmov %r1, 0\nloop:\n"
	for i := 0; i < 100; i++ {
		src += "add %r0, 1\n"
	}
	src += "add %r1, 1\njlt %r1, 100000, loop\nexit"
	runTable(t, []insnTest{{"long-loop", src, nil, 100 * 100000}})
}

func TestBudget(t *testing.T) {
	p := assemble(t, "mov %r0, 0\nloop:\nadd %r0, 1\nja loop\nexit")
	for _, budget := range []uint64{10, 1000, 3 << 20} {
		for _, o := range options {
			if o.opts.Bounded {
				continue // no budget
			}
			prog := compileT(t, p, o.opts)
			_, err := prog.Run(&engine.Env{Budget: budget}, 0, 0)
			f, ok := err.(*engine.Fault)
			if !ok || f.Err != engine.ErrBudget || f.PC != 2 {
				t.Errorf("budget %d, %s: error %v, want a budget fault at 2", budget, o.name, err)
			}
		}
	}
}

// TestBudgetNeverEarly runs programs with a budget of exactly the
// instructions they execute: the JIT's coarse budget must not stop them.
func TestBudgetNeverEarly(t *testing.T) {
	for _, tc := range []struct {
		name  string
		src   string
		insns uint64
	}{
		{"sum", "mov %r0, 0\nmov %r1, 1\nloop:\nadd %r0, %r1\nadd %r1, 1\njle %r1, 100, loop\nexit", 2 + 300 + 1},
		// A loop whose trip leaves through a forward jump and comes back
		// with a backward one, as in the prime workload.
		{"out-and-back", `
mov %r0, 0
mov %r6, 0
top:
add %r6, 1
jset %r6, 1, odd
add %r0, 2
back:
jlt %r6, 100, top
exit
odd:
add %r0, 1
ja back`, 2 + 50*4 + 50*5 + 1},
	} {
		p := assemble(t, tc.src)
		for _, o := range options {
			if _, err := compileT(t, p, o.opts).Run(&engine.Env{Budget: tc.insns}, 0, 0); err != nil {
				t.Errorf("%s/%s: budget %d: %v", tc.name, o.name, tc.insns, err)
			}
		}
	}
}
