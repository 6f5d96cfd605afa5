package amd64

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
)

// loopFailed is what the test's loop helper returns when CallFunc fails.
const loopFailed = 1 << 63

// loopHelper is bpf_loop(n, callback, ctx) as the helpers package does it,
// without its error reporting: it calls callback(i, ctx) until it returns
// non-zero and returns the number of calls, or loopFailed.
func loopHelper(env *engine.Env, n, fn, ctx, _, _ uint64) uint64 {
	if env.CallFunc == nil {
		return loopFailed | 1
	}
	for i := range n {
		r0, err := env.CallFunc(int(fn), i, ctx, 0, 0, 0)
		if err != nil {
			return loopFailed
		}
		if r0 != 0 {
			return i + 1
		}
	}
	return n
}

// callbackHelpers are testHelpers plus loopHelper at bpf_loop's id.
var callbackHelpers = []engine.Helper{1: mix, 2: stop, 181: loopHelper}

// runEngines runs src on the interpreter and on the JIT under every option
// with env, and checks that each returns want.
func runEngines(t *testing.T, src string, env *engine.Env, want uint64) {
	t.Helper()
	runEnginesIf(t, src, env, want, func(Options) bool { return true })
}

// runEnginesIf is runEngines on the JIT options that use accepts.
func runEnginesIf(t *testing.T, src string, env *engine.Env, want uint64, use func(Options) bool) {
	t.Helper()
	p := assemble(t, src)
	ip, err := interp.Compile(p, interp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ip.Run(env, 0, 0); err != nil || got != want {
		t.Errorf("interpreter: r0 = %#x, %v; want %#x", got, err, want)
	}
	for _, o := range options {
		if !use(o.opts) {
			continue
		}
		got, err := compileT(t, p, o.opts).Run(env, 0, 0)
		if err != nil || got != want {
			t.Errorf("%s: r0 = %#x, %v; want %#x", o.name, got, err, want)
		}
	}
}

func TestCallbacks(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want uint64
	}{
		// The callback adds i to the word at ctx-8, writes its own
		// frame and counts its calls with an atomic at ctx-16.
		{"sum", `
stdw [%r10-8], 0
stdw [%r10-16], 0
lddw %r2, func cb
mov %r1, 10
mov %r3, %r10
call 181
ldxdw %r0, [%r10-8]
ldxdw %r1, [%r10-16]
lsh %r1, 32
or %r0, %r1
exit
cb:
ldxdw %r0, [%r2-8]
add %r0, %r1
stxdw [%r2-8], %r0
stdw [%r10-8], 99
mov %r3, 1
lock add [%r2-16], %r3
mov %r0, 0
exit`, 10<<32 | 45},
		// The callback leaves to Go for a helper of its own.
		{"helper-in-callback", `
stdw [%r10-8], 0
lddw %r2, func cb
mov %r1, 10
mov %r3, %r10
call 181
ldxdw %r0, [%r10-8]
exit
cb:
mov %r6, %r2
mov %r2, 0
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 1
ldxdw %r1, [%r6-8]
add %r1, %r0
stxdw [%r6-8], %r1
mov %r0, 0
exit`, 45},
		// A callback runs bpf_loop with another callback; the outer
		// callback's r6 survives the inner loop.
		{"nested", `
stdw [%r10-8], 0
lddw %r2, func outer
mov %r1, 3
mov %r3, %r10
call 181
ldxdw %r0, [%r10-8]
exit
outer:
mov %r6, %r2
lddw %r2, func inner
mov %r1, 4
mov %r3, %r6
call 181
ldxdw %r1, [%r6-8]
add %r1, 100
stxdw [%r6-8], %r1
mov %r0, 0
exit
inner:
ldxdw %r1, [%r2-8]
add %r1, 1
stxdw [%r2-8], %r1
mov %r0, 0
exit`, 312},
		// The caller's r6-r9 survive a callback that writes them.
		{"callee-saved", `
mov %r6, 6
mov %r7, 7
mov %r8, 8
mov %r9, 9
lddw %r2, func cb
mov %r1, 2
mov %r3, 0
call 181
mov %r0, %r6
lsh %r0, 8
or %r0, %r7
lsh %r0, 8
or %r0, %r8
lsh %r0, 8
or %r0, %r9
exit
cb:
mov %r6, 0xff
mov %r7, 0xff
mov %r8, 0xff
mov %r9, 0xff
mov %r0, 0
exit`, 0x06070809},
		// A callback runs one frame below its caller, which is here a
		// function one frame below the main program; it makes a local
		// call of its own.
		{"frames", `
mov %r6, %r10
call local f
sub %r6, %r0
mov %r0, %r6
exit
f:
stdw [%r10-8], 0
lddw %r2, func cb
mov %r1, 1
mov %r3, %r10
call 181
ldxdw %r0, [%r10-8]
exit
cb:
mov %r6, %r2
call local g
stxdw [%r6-8], %r0
mov %r0, 0
exit
g:
mov %r0, %r10
exit`, 3 * 512},
		// Returning 1 stops the loop early.
		{"early-stop", `
lddw %r2, func cb
mov %r1, 100
mov %r3, 0
call 181
exit
cb:
mov %r0, 0
jne %r1, 6, out
mov %r0, 1
out:
exit`, 7},
		// A helper that stops the program from inside a callback ends
		// the callback, and the run when the loop returns.
		{"stop", `
lddw %r2, func cb
mov %r1, 5
mov %r3, 0
call 181
mov %r0, 1
exit
cb:
mov %r1, 7
call 2
mov %r0, 0
exit`, 1007},
		// Callbacks loop; their charges count against the run's budget.
		{"loop-in-callback", `
mov %r6, 0
lddw %r2, func cb
mov %r1, 50
mov %r3, 0
call 181
exit
cb:
mov %r0, 0
mov %r2, 0
again:
add %r2, 1
jlt %r2, 1000, again
exit`, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := &engine.Env{Helpers: callbackHelpers}
			runEngines(t, tc.src, env, tc.want)
			if env.CallFunc != nil || env.Stack != (engine.Region{}) {
				t.Error("CallFunc or Stack still set after the run")
			}
		})
	}
}

// TestCallbackDepth nests callbacks until CallFunc refuses: a callback
// counts itself at ctx-8 and calls bpf_loop on itself, so the main frame
// and seven callback frames run and the eighth call fails.
func TestCallbackDepth(t *testing.T) {
	var errs []error
	record := func(env *engine.Env, fn, ctx, _, _, _ uint64) uint64 {
		_, err := env.CallFunc(int(fn), 0, ctx, 0, 0, 0)
		if err != nil {
			errs = append(errs, err)
		}
		return 0
	}
	env := &engine.Env{Helpers: []engine.Helper{5: record}}
	src := `
stdw [%r10-8], 0
lddw %r1, func cb
mov %r2, %r10
call 5
ldxdw %r0, [%r10-8]
exit
cb:
ldxdw %r3, [%r2-8]
add %r3, 1
stxdw [%r2-8], %r3
lddw %r1, func cb
call 5
mov %r0, 0
exit`
	errs = nil
	runEngines(t, src, env, engine.MaxCallDepth-1)
	if len(errs) != 1+len(options) {
		t.Fatalf("CallFunc failed %d times, want once per engine: %v", len(errs), errs)
	}
	for _, err := range errs {
		var f *engine.Fault
		if !errors.As(err, &f) || f.Err != engine.ErrCallDepth || f.PC != 7 {
			t.Errorf("error %v, want a call depth fault at 7", err)
		}
	}
}

// TestCallbackFaults checks what CallFunc does with slots that are not
// instructions and with a callback that exceeds the budget.
func TestCallbackFaults(t *testing.T) {
	var got []error
	try := func(env *engine.Env, _, _, _, _, _ uint64) uint64 {
		for _, pc := range []int{-1, 1, 6, 1 << 20} {
			_, err := env.CallFunc(pc, 0, 0, 0, 0, 0)
			got = append(got, err)
		}
		return 0
	}
	p := assemble(t, "lddw %r1, 7\ncall 9\nmov %r0, 0\nexit\nexit")
	prog := compileT(t, p, Options{})
	env := &engine.Env{Helpers: []engine.Helper{9: try}}
	if _, err := prog.Run(env, 0, 0); err != nil {
		t.Fatal(err)
	}
	for i, err := range got {
		var f *engine.Fault
		if !errors.As(err, &f) || !errors.Is(err, errCallback) {
			t.Errorf("call %d: error %v, want a bad callback fault", i, err)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d errors, want 4", len(got))
	}

	// An endless callback ends with the budget fault, given back to the
	// helper, and the helper decides what the run returns; but the budget
	// stays spent, so a caller that goes on (here, for ever) ends with the
	// budget fault too: a helper that ignores the fault cannot buy the
	// program more time. (Bounded code has no budget.)
	src := `
lddw %r2, func cb
mov %r1, 1
mov %r3, 0
call 181
lddw %r1, 0x8000000000000000
jeq %r0, %r1, +1
exit
spin:
ja spin
cb:
ja cb`
	p = assemble(t, src)
	ip, err := interp.Compile(p, interp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type namedProg struct {
		name string
		prog engine.Program
	}
	engines := []namedProg{{"interpreter", ip}}
	for _, o := range options {
		if !o.opts.Bounded {
			engines = append(engines, namedProg{o.name, compileT(t, p, o.opts)})
		}
	}
	for _, e := range engines {
		_, err := e.prog.Run(&engine.Env{Helpers: callbackHelpers, Budget: 10000}, 0, 0)
		var f *engine.Fault
		if !errors.As(err, &f) || f.Err != engine.ErrBudget || f.PC < 5 || f.PC == 8 {
			t.Errorf("%s: error %v, want a budget fault after the helper", e.name, err)
		}
	}
}

// TestCallbackCancel cancels a run whose callback loops for ever.
func TestCallbackCancel(t *testing.T) {
	p := assemble(t, "lddw %r2, func cb\nmov %r1, 1\nmov %r3, 0\ncall 181\nexit\ncb:\nja cb")
	prog := compileT(t, p, Options{})
	var cbErr error
	loop := func(env *engine.Env, _, fn, _, _, _ uint64) uint64 {
		_, cbErr = env.CallFunc(int(fn), 0, 0, 0, 0, 0)
		env.Stop(3)
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r0, err := prog.RunContext(ctx, &engine.Env{Helpers: []engine.Helper{181: loop}, Budget: 1 << 62}, 0, 0)
	if err != nil || r0 != 3 {
		t.Errorf("run: %d, %v; want 3 from the helper", r0, err)
	}
	if !errors.Is(cbErr, context.DeadlineExceeded) {
		t.Errorf("callback error %v, want the context's", cbErr)
	}
}

// TestCallbackStack checks that env.Stack covers the frames during a run
// and that the frames a callback wrote are clear for the next run, even
// when the main program writes no stack itself.
func TestCallbackStack(t *testing.T) {
	var stack engine.Region
	dirty := 0
	check := func(env *engine.Env, _, _, _, _, _ uint64) uint64 {
		stack = env.Stack
		for _, b := range engine.Bytes(stack.Start, stack.End-stack.Start) {
			if b != 0 {
				dirty++
			}
		}
		return 0
	}
	inStack := func(env *engine.Env, r10, _, _, _, _ uint64) uint64 {
		if env.Stack.Contains(r10-engine.StackSize, engine.StackSize, true) {
			return 1
		}
		return 0
	}
	src := `
call 7
lddw %r2, func cb
mov %r1, 1
mov %r3, 0
call 181
mov %r0, 0
exit
cb:
stdw [%r10-8], -1
stdw [%r10-512], -1
mov %r0, 0
exit`
	env := &engine.Env{Helpers: []engine.Helper{7: check, 8: inStack, 181: loopHelper}}
	prog := compileT(t, assemble(t, src), Options{})
	for i := range 3 {
		if r0, err := prog.Run(env, 0, 0); err != nil || r0 != 0 {
			t.Fatalf("run %d: %d, %v", i, r0, err)
		}
	}
	if stack.End-stack.Start != engine.MaxCallDepth*engine.StackSize || !stack.Writable {
		t.Errorf("env.Stack = %+v, want %d writable bytes", stack, engine.MaxCallDepth*engine.StackSize)
	}
	if dirty != 0 {
		t.Errorf("%d stack bytes not cleared between runs", dirty)
	}

	// A callback's frame is inside env.Stack.
	src = `
lddw %r2, func cb
mov %r1, 1
mov %r3, 0
call 181
exit
cb:
mov %r1, %r10
call 8
jeq %r0, 1, out
mov %r0, 0
out:
exit`
	runEngines(t, src, env, 1)
}

func TestCallbackConcurrentRuns(t *testing.T) {
	src := `
mov %r6, %r1
stdw [%r10-8], 0
lddw %r2, func cb
mov %r3, %r10
call 181
ldxdw %r0, [%r10-8]
exit
cb:
ldxdw %r0, [%r2-8]
add %r0, %r1
stxdw [%r2-8], %r0
mov %r0, 0
exit`
	prog := compileT(t, assemble(t, src), Options{})
	var wg sync.WaitGroup
	for g := 1; g <= 4; g++ {
		wg.Go(func() {
			env := &engine.Env{Helpers: callbackHelpers}
			for i := range 50 {
				n := uint64(g*10 + i)
				got, err := prog.Run(env, n, 0)
				if want := n * (n - 1) / 2; err != nil || got != want {
					t.Errorf("n=%d: got %d, %v; want %d", n, got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestCallbackAllocs(t *testing.T) {
	src := `
lddw %r2, func cb
mov %r1, 100
mov %r3, 0
call 181
exit
cb:
mov %r1, 1
call 1
mov %r0, 0
exit`
	prog := compileT(t, assemble(t, src), Options{})
	env := &engine.Env{Helpers: callbackHelpers}
	if r0, err := prog.Run(env, 0, 0); err != nil || r0 != 100 {
		t.Fatalf("run: %d, %v", r0, err)
	}
	if n := testing.AllocsPerRun(100, func() { prog.Run(env, 0, 0) }); n != 0 {
		t.Errorf("a run with 100 callbacks allocates %v times", n)
	}
}

// TestCallbackBudget checks what callbacks charge: on the interpreter
// exactly their instructions and engine.CallbackCost each, on the JIT
// never more, and no less than engine.CallbackCost+1 each, so that nested
// callbacks without a loop of their own end at the budget on both.
func TestCallbackBudget(t *testing.T) {
	for _, n := range []uint64{1, 7, 1000, 100000} {
		p := assemble(t, fmt.Sprintf(`
mov %%r1, %d
lddw %%r2, func cb
mov %%r3, 0
call 181
exit
cb:
mov %%r0, 0
exit`, n))
		// mov, lddw, mov, call, exit; each call: its cost, mov, exit.
		units := 5 + n*(engine.CallbackCost+2)
		run := func(prog engine.Program, budget uint64) error {
			// bpf_loop that ends the run with its callback's error.
			var cbErr error
			loop := func(env *engine.Env, n, fn, _, _, _ uint64) uint64 {
				for i := range n {
					if _, cbErr = env.CallFunc(int(fn), i, 0, 0, 0, 0); cbErr != nil {
						env.Stop(0)
						return 0
					}
				}
				return n
			}
			r0, err := prog.Run(&engine.Env{Helpers: []engine.Helper{181: loop}, Budget: budget}, 0, 0)
			if err == nil && cbErr == nil && r0 != n {
				return fmt.Errorf("r0 = %d, want %d", r0, n)
			}
			return errors.Join(err, cbErr)
		}
		ip, err := interp.Compile(p, interp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := run(ip, units); err != nil {
			t.Errorf("interpreter, %d calls, budget %d: %v", n, units, err)
		}
		if err := run(ip, units-1); !errors.Is(err, engine.ErrBudget) {
			t.Errorf("interpreter, %d calls, budget %d: error %v, want %v", n, units-1, err, engine.ErrBudget)
		}
		least := n * (engine.CallbackCost + 1)
		for _, o := range options {
			jp := compileT(t, p, o.opts)
			if err := run(jp, units); err != nil {
				t.Errorf("%s, %d calls, budget %d: %v (early)", o.name, n, units, err)
			}
			if err := run(jp, least-1); !errors.Is(err, engine.ErrBudget) {
				t.Errorf("%s, %d calls, budget %d: error %v, want %v", o.name, n, least-1, err, engine.ErrBudget)
			}
		}
	}
}
