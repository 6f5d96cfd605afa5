package amd64

import "testing"

// TestChargeWeights checks the budget charges of the prime workload's
// three backward jumps, worked out by hand: each is the fewest
// instructions that run between the previous charge and the jump.
func TestChargeWeights(t *testing.T) {
	p := assemble(t, `
mov %r0, 0
mov %r6, 2
outer:
mov %r7, 2
trial:
mov %r8, %r7
mul %r8, %r7
jgt %r8, %r6, isprime
mov %r9, %r6
mod %r9, %r7
add %r7, 1
jne %r9, 0, trial
next:
add %r6, 1
jlt %r6, 2500, outer
exit
isprime:
mul %r0, 31
add %r0, %r6
ja next`)
	c := &compiler{insns: p.Insns}
	if err := c.scan(); err != nil {
		t.Fatal(err)
	}
	// 9: trial..9 (7 slots). 11: after 9 falls through, 10 and 11.
	// 15: from trial (after 9 jumps back) through 5 to isprime: 3,4,5,13,14,15.
	want := map[int]int32{9: 7, 11: 2, 15: 6}
	for pc, w := range c.weights {
		if w != want[pc] {
			t.Errorf("charge at %d = %d, want %d", pc, w, want[pc])
		}
	}
}
