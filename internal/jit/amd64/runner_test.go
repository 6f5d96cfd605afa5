package amd64

import (
	"context"
	"errors"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
)

// TestRunner runs programs of every kind on one Runner, one after the
// other, and checks that they give what Run gives, leave no stack data
// behind for the next run, and allocate nothing.
func TestRunner(t *testing.T) {
	progs := []*Program{
		// A leaf.
		compileT(t, assemble(t, "mov %r0, %r1\nadd %r0, %r2\nexit"), Options{}),
		// A helper call, on a stack slot it reads back.
		compileT(t, assemble(t, "stxdw [%r10-8], %r1\nmov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 1\nldxdw %r1, [%r10-8]\nadd %r0, %r1\nexit"), Options{}),
		// A loop, and a read of the stack slot the previous program
		// wrote, which must be zero again.
		compileT(t, assemble(t, "ldxdw %r0, [%r10-8]\nmov %r3, 100\nloop:\nadd %r0, %r1\nsub %r3, 1\njne %r3, 0, loop\nexit"), Options{}),
	}
	r, err := NewRunner()
	if err != nil {
		t.Fatal(err)
	}
	env := &engine.Env{Helpers: testHelpers}
	for round := range 3 {
		for i, p := range progs {
			r1, r2 := uint64(round+7), uint64(i)
			want, err := p.Run(env, r1, r2)
			if err != nil {
				t.Fatal(err)
			}
			//lint:ignore SA1012 a nil ctx is Runner.Run's "env.Context".
			got, err := r.Run(nil, p, env, r1, r2)
			if err != nil || got != want {
				t.Errorf("program %d: Runner.Run = %d, %v; Run = %d", i, got, err, want)
			}
		}
	}
	for i, p := range progs {
		//lint:ignore SA1012 a nil ctx is Runner.Run's "env.Context".
		if n := testing.AllocsPerRun(100, func() { r.Run(nil, p, env, 1, 2) }); n != 0 {
			t.Errorf("program %d: Runner.Run allocates %v times", i, n)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Run(ctx, progs[2], env, 1, 2); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled run: %v, want context.Canceled", err)
	}
}

// TestStackDepthLimitsClearing checks that a verifier's stack depth
// bounds the stack a run clears when r10 escapes into a register.
func TestStackDepthLimitsClearing(t *testing.T) {
	src := "mov %r2, %r10\nadd %r2, -16\nstdw [%r2+0], 7\nmov %r0, 0\nexit"
	if p := compileT(t, assemble(t, src), Options{}); p.stackClear != engine.StackSize {
		t.Errorf("without a depth: clears %d bytes, want %d", p.stackClear, engine.StackSize)
	}
	if p := compileT(t, assemble(t, src), Options{StackDepth: 13, StackDepthKnown: true}); p.stackClear != 16 {
		t.Errorf("depth 13: clears %d bytes, want 16", p.stackClear)
	}
}
