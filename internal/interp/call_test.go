package interp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

func TestLocalCalls(t *testing.T) {
	tests := []r0Case{
		{"call and return", prog(
			mov64(r1, 20), callLocal(2), add64(r0, 1), exit(),
			mov64x(r0, r1), aluK(a64, isa.Mul, r0, 2), exit(),
		), 41},
		{"r6-r9 are callee-saved", prog(
			mov64(r6, 1), mov64(isa.R7, 2), mov64(isa.R8, 3), mov64(isa.R9, 4),
			callLocal(6),
			mov64x(r0, r6), aluX(a64, isa.Add, r0, isa.R7), aluX(a64, isa.Add, r0, isa.R8), aluX(a64, isa.Add, r0, isa.R9),
			exit(),
			mov64(r6, 100), mov64(isa.R7, 100), mov64(isa.R8, 100), mov64(isa.R9, 100), exit(),
		), 10},
		{"each frame has its own r10", prog(
			st(dw, r10, -8, 7),
			mov64x(r1, r10),
			callLocal(3),
			ldx(dw, r0, r10, -8),
			exit(),
			// The callee writes its own slot and the caller's through r1.
			st(dw, r10, -8, 99),
			ldx(dw, r2, r1, -8), add64(r2, 1), stx(dw, r1, r2, -8),
			exit(),
		), 8},
		{"frames are 512 bytes apart", prog(
			mov64x(r6, r10), callLocal(2), exit(), exit(),
			mov64x(r0, r6), aluX(a64, isa.Sub, r0, r10), exit(),
		), 512},
		{"recursion to the depth limit", prog(
			// f(n) = n == 0 ? 0 : 1 + f(n-1), called with n = 6 from
			// main: 8 frames.
			mov64(r1, 6), callLocal(1), exit(),
			mov64(r0, 0), jmpK(j64, isa.JEq, r1, 0, 4),
			mov64x(r6, r1), add64(r1, -1), callLocal(-5), add64(r0, 1),
			exit(),
		), 6},
	}
	runR0Cases(t, tests, nil, 0, 0)
}

func TestCallDepth(t *testing.T) {
	// The same recursion with n = 7 needs 9 frames.
	p := prog(
		mov64(r1, 7), callLocal(1), exit(),
		mov64(r0, 0), jmpK(j64, isa.JEq, r1, 0, 4),
		mov64x(r6, r1), add64(r1, -1), callLocal(-5), add64(r0, 1),
		exit(),
	)
	_, err := runBoth(t, p, nil, 0, 0)
	wantFault(t, err, engine.ErrCallDepth, 7)

	// Infinite recursion ends the same way.
	_, err = runBoth(t, prog(callLocal(-1), exit()), nil, 0, 0)
	wantFault(t, err, engine.ErrCallDepth, 0)
}

func TestHelpers(t *testing.T) {
	var got [5]uint64
	env := &engine.Env{Helpers: make([]engine.Helper, 8)}
	env.Helpers[1] = func(env *engine.Env, a, b, c, d, e uint64) uint64 {
		got = [5]uint64{a, b, c, d, e}
		return a + b + c + d + e
	}
	env.Helpers[5] = func(env *engine.Env, r1, _, _, _, _ uint64) uint64 {
		if r1 == 0 {
			env.Stop(0)
		}
		return r1
	}
	env.Helpers[7] = func(env *engine.Env, r1, _, _, _, _ uint64) uint64 {
		env.Stop(r1 * 2)
		return 0
	}
	tests := []r0Case{
		{"arguments and result", prog(mov64(r1, 1), mov64(r2, 2), mov64(r3, 3), mov64(isa.R4, 4), mov64(isa.R5, 5), call(1), exit()), 15},
		{"unwind continues", prog(mov64(r1, -1), call(5), mov64(r0, 2), exit()), 2},
		{"unwind stops with 0", prog(mov64(r1, 0), call(5), mov64(r0, 2), exit()), 0},
		{"stop from a local call", prog(callLocal(2), mov64(r0, 1), exit(), mov64(r1, 21), call(7), exit()), 42},
		{"callx", prog(mov64(r1, -1), mov64(r3, 5), callx(r3), exit()), ^uint64(0)},
		{"callx stops", prog(mov64(r1, 0), mov64(r0, 9), mov64(isa.R8, 5), callx(isa.R8), mov64(r0, 2), exit()), 0},
		{"stop flag is reset per run", prog(mov64(r0, 3), exit()), 3},
	}
	runR0Cases(t, tests, env, 0, 0)
	if got != [5]uint64{1, 2, 3, 4, 5} {
		t.Errorf("helper got %v", got)
	}
}

func TestUnknownHelper(t *testing.T) {
	env := &engine.Env{Helpers: make([]engine.Helper, 3)}
	for _, p := range []isa.Program{
		prog(mov64(r0, 0), call(2), exit()),    // nil entry
		prog(mov64(r0, 0), call(3), exit()),    // past the end
		prog(mov64(r0, 0), call(-1), exit()),   // negative
		prog(mov64(r1, 99), callx(r1), exit()), // callx
		prog(mov64(r1, -1), callx(r1), exit()), // callx, negative
	} {
		_, err := runBoth(t, p, env, 0, 0)
		f := wantFault(t, err, engine.ErrUnknownHelper, 1)
		if f.Msg == "" {
			t.Errorf("fault has no details: %v", f)
		}
	}
}

func TestBudget(t *testing.T) {
	loop := prog(mov64(r0, 0), add64(r0, 1), ja(-2), exit())
	for _, budget := range []uint64{1, 2, 10, 1001} {
		env := &engine.Env{Budget: budget}
		_, err := runBoth(t, loop, env, 0, 0)
		// mov, then add and ja in turn: the fault is at the next one.
		wantFault(t, err, engine.ErrBudget, int(1+(budget-1)%2))
	}
	// A program that executes exactly its budget finishes.
	straight := prog(mov64(r0, 1), add64(r0, 1), exit())
	if r0, err := runBoth(t, straight, &engine.Env{Budget: 3}, 0, 0); err != nil || r0 != 2 {
		t.Errorf("budget 3: %#x, %v", r0, err)
	}
	_, err := runBoth(t, straight, &engine.Env{Budget: 2}, 0, 0)
	wantFault(t, err, engine.ErrBudget, 2)
}

// TestBudgetContext checks that a run with a context, which counts its
// budget down a quantum at a time, ends exactly where a run without one
// does, across quantum boundaries; and that canceling the context ends it.
func TestBudgetContext(t *testing.T) {
	loop := prog(mov64(r0, 0), add64(r0, 1), ja(-2), exit())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, budget := range []uint64{1, 2, pollQuantum - 1, pollQuantum, pollQuantum + 1, 3*pollQuantum + 2, 100003} {
		_, want := runBoth(t, loop, &engine.Env{Budget: budget}, 0, 0)
		_, err := runBoth(t, loop, &engine.Env{Budget: budget, Context: ctx}, 0, 0)
		wantFault(t, err, engine.ErrBudget, int(1+(budget-1)%2))
		if err.Error() != want.Error() {
			t.Errorf("budget %d: with a context %v, without %v", budget, err, want)
		}
	}
	for _, m := range modes {
		pr, err := Compile(loop, m.opts)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		_, err = pr.Run(&engine.Env{Budget: 1 << 62, Context: ctx}, 0, 0)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: error %v, want %v", m.name, err, context.DeadlineExceeded)
		}
		// Canceled before the run: it does not start.
		ctx, cancel = context.WithCancel(context.Background())
		cancel()
		if _, err := pr.Run(&engine.Env{Context: ctx}, 0, 0); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: canceled before the run: error %v, want %v", m.name, err, context.Canceled)
		}
	}
}

func TestLegacyPacketLoad(t *testing.T) {
	abs := isa.Instruction{Op: isa.MemOpcode(isa.ClassLD, isa.ModeABS, isa.SizeW), Imm: 12}
	_, err := runBoth(t, prog(mov64(r0, 0), abs, exit()), nil, 0, 0)
	f := wantFault(t, err, errLegacyPacket, 1)
	if !errors.Is(f, errLegacyPacket) {
		t.Error(f)
	}
}

// TestCallbacks runs a helper that calls back into the program through
// engine.Env.CallFunc, the way bpf_loop does: the callback's address comes
// from an lddw of the function (isa.PseudoFunc).
func TestCallbacks(t *testing.T) {
	loop := func(env *engine.Env, n, fn, ctx, _, _ uint64) uint64 {
		if env.CallFunc == nil {
			t.Fatal("CallFunc is nil during a run")
		}
		for i := range n {
			r0, err := env.CallFunc(int(fn), i, ctx, 0, 0, 0)
			if err != nil {
				return uint64(1 << 63)
			}
			if r0 != 0 {
				return i + 1
			}
		}
		return n
	}
	env := &engine.Env{Helpers: []engine.Helper{181: loop}}
	// The main program calls loop(10, callback, r10) and returns the word
	// at r10-off; the callback adds i to the word at ctx-8 and counts its
	// calls at ctx-16 atomically (an atomic calls out of the run loop).
	program := func(off int16) isa.Program {
		fn := lddw(r2, 0)
		fn[0].Src, fn[0].Imm = isa.PseudoFunc, 6 // slot 2 + 6 + 1 = 9
		return prog(
			st(dw, r10, -8, 0), st(dw, r10, -16, 0),
			fn,
			mov64(r1, 10), mov64x(r3, r10), call(181),
			ldx(dw, r0, r10, off),
			exit(),
			// callback(i, ctx)
			ldx(dw, r0, r2, -8), aluX(a64, isa.Add, r0, r1), stx(dw, r2, r0, -8),
			st(dw, r10, -8, 99), // the callback's own frame
			mov64(r3, 1), atomicInsn(dw, isa.AtomicAdd, r2, r3, -16),
			mov64(r0, 0), exit(),
		)
	}
	for _, tt := range []struct {
		off  int16
		want uint64
	}{{-8, 45}, {-16, 10}} {
		got, err := runBoth(t, program(tt.off), env, 0, 0)
		if err != nil || got != tt.want {
			t.Errorf("word at r10%d = %d, %v; want %d", tt.off, got, err, tt.want)
		}
	}
	if env.CallFunc != nil {
		t.Error("CallFunc is still set after the run")
	}
}
