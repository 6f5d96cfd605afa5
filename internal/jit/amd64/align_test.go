package amd64

import "testing"

// TestLoopAlign checks that the first instruction of every loop (the
// target of a backward jump) starts on a loopAlign boundary, under every
// option, and that other instructions are not padded.
func TestLoopAlign(t *testing.T) {
	src := `
mov %r0, 0
mov %r7, 0
pass:
mov %r5, %r1
mov %r3, 8
jgt %r3, %r2, pass_end
word:
add %r0, %r3
add %r3, 8
jle %r3, 64, word
pass_end:
add %r7, 1
jlt %r7, 16, pass
call local f
exit
f:
mov %r0, 1
loop:
add %r0, 1
jlt %r0, 9, loop
exit`
	p := assemble(t, src)
	heads := map[int]bool{2: true, 5: true, 13: true}
	for _, o := range options {
		out, err := compile(p, o.opts)
		if err != nil {
			t.Fatal(err)
		}
		for pc := range p.Insns {
			if aligned := out.offsets[pc]%loopAlign == 0; heads[pc] && !aligned {
				t.Errorf("%s: loop at slot %d starts at %#x", o.name, pc, out.offsets[pc])
			}
		}
		if n := out.offsets[12] - out.offsets[11]; n != 1 {
			t.Errorf("%s: exit at slot 11 takes %d bytes, want 1 (ret, no padding before f)", o.name, n)
		}
		prog := compileT(t, p, o.opts)
		if r0, err := prog.Run(nil, 0, 0); err != nil || r0 != 9 {
			t.Errorf("%s: r0 = %d, %v; want 9", o.name, r0, err)
		}
	}
}
