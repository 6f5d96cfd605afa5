package amd64

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gbpf/gbpf/internal/engine"
)

func TestLocalCalls(t *testing.T) {
	runTable(t, []insnTest{
		{"call-returns", `
mov %r1, 20
call local double
add %r0, 2
exit
double:
mov %r0, %r1
add %r0, %r1
exit`, nil, 42},
		{"callee-saved", `
mov %r6, 1
mov %r7, 2
mov %r8, 3
mov %r9, 4
call local clobber
mov %r0, %r6
lsh %r0, 8
or %r0, %r7
lsh %r0, 8
or %r0, %r8
lsh %r0, 8
or %r0, %r9
exit
clobber:
mov %r6, 0xff
mov %r7, 0xff
mov %r8, 0xff
mov %r9, 0xff
mov %r0, 0
exit`, nil, 0x01020304},
		{"new-frame", `
stdw [%r10-8], 7
mov %r6, %r10
call local f
ldxdw %r0, [%r10-8]
sub %r6, %r10
lsh %r0, 32
or %r0, %r6
exit
f:
stdw [%r10-8], 9
mov %r0, %r10
exit`, nil, 7 << 32},
		{"callee-frame-offset", `
mov %r6, %r10
call local f
sub %r6, %r0
mov %r0, %r6
exit
f:
mov %r0, %r10
exit`, nil, 512},
		{"depth-8", depthProgram(6), nil, 6}, // main and seven nested calls
		{"nested-saves", `
mov %r6, 6
mov %r7, 7
call local f
lsh %r6, 8
or %r6, %r7
mov %r0, %r6
exit
f:
call local g
exit
g:
mov %r6, 0
mov %r7, 0
exit`, nil, 0x0607},
		{"chain-8", chainProgram(7), nil, 7},
	})
}

// depthProgram calls a function that recurses n more times and counts the
// calls in r0.
func depthProgram(n int) string {
	return fmt.Sprintf(`
mov %%r0, 0
mov %%r6, %d
call local f
exit
f:
jeq %%r6, 0, done
sub %%r6, 1
add %%r0, 1
call local f
done:
exit`, n)
}

// chainProgram calls n distinct functions, each calling the next (no
// recursion); r0 counts them.
func chainProgram(n int) string {
	src := "mov %r0, 0\ncall local f1\nexit\n"
	for i := 1; i <= n; i++ {
		src += fmt.Sprintf("f%d:\nadd %%r0, 1\n", i)
		if i < n {
			src += fmt.Sprintf("call local f%d\n", i+1)
		}
		src += "exit\n"
	}
	return src
}

func TestCallDepth(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		pc   int
	}{
		{"recursion", depthProgram(7), 7},
		{"chain", chainProgram(8), 22}, // the call in f7, which would make the ninth frame
	} {
		p := assemble(t, tc.src)
		for _, o := range options {
			_, err := compileT(t, p, o.opts).Run(&engine.Env{}, 0, 0)
			var f *engine.Fault
			if !errors.As(err, &f) || f.Err != engine.ErrCallDepth || f.PC != tc.pc {
				t.Errorf("%s/%s: error %v, want a call depth fault at %d", tc.name, o.name, err, tc.pc)
			}
		}
	}
}

// mix is a test helper that depends on every argument and its order.
func mix(env *engine.Env, r1, r2, r3, r4, r5 uint64) uint64 {
	return r1*1 + r2*10 + r3*100 + r4*1000 + r5*10000
}

func stop(env *engine.Env, r1, r2, r3, r4, r5 uint64) uint64 {
	env.Stop(r1 + 1000)
	return 0
}

var testHelpers = []engine.Helper{1: mix, 2: stop}

func TestHelpers(t *testing.T) {
	env := &engine.Env{Helpers: testHelpers}
	for _, tc := range []insnTest{
		{"args", "mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 1\nexit", nil, 54321},
		{"callee-saved", `
mov %r6, 6
mov %r7, 7
mov %r8, 8
mov %r9, 9
stdw [%r10-8], 10
mov %r1, 0
mov %r2, 0
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 1
ldxdw %r1, [%r10-8]
add %r0, %r1
add %r0, %r6
add %r0, %r7
add %r0, %r8
add %r0, %r9
exit`, nil, 40},
		{"stop", "mov %r1, 5\ncall 2\nmov %r0, 1\nexit", nil, 1005},
		{"callx", "mov %r6, 1\nmov %r1, 7\nmov %r2, 0\nmov %r3, 0\nmov %r4, 0\nmov %r5, 0\ncallx %r6\nexit", nil, 7},
		{"in-callee", `
mov %r1, 3
call local f
add %r0, 1
exit
f:
mov %r2, 0
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 1
exit`, nil, 4},
		{"in-loop", `
mov %r6, 0
mov %r7, 0
loop:
mov %r1, %r6
mov %r2, 0
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 1
add %r7, %r0
add %r6, 1
jlt %r6, 100, loop
mov %r0, %r7
exit`, nil, 4950},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, env) })
	}
}

func TestUnknownHelper(t *testing.T) {
	for _, src := range []string{"call 3\nexit", "mov %r1, 100\ncallx %r1\nexit", "mov %r1, -1\ncallx %r1\nexit"} {
		p := assemble(t, src)
		_, err := compileT(t, p, Options{}).Run(&engine.Env{Helpers: testHelpers}, 0, 0)
		var f *engine.Fault
		if !errors.As(err, &f) || f.Err != engine.ErrUnknownHelper || f.PC != strings.Count(src, "\n")-1 {
			t.Errorf("%q: error %v, want an unknown helper fault", src, err)
		}
	}
}

func TestRunContext(t *testing.T) {
	p := assemble(t, "loop:\nja loop\nexit")
	prog := compileT(t, p, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := prog.RunContext(ctx, &engine.Env{Budget: 1 << 62}, 0, 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the context's", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancellation took %v", d)
	}
}

func TestClose(t *testing.T) {
	p := assemble(t, "mov %r0, 1\nexit")
	prog := compileT(t, p, Options{})
	if err := prog.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := prog.Run(&engine.Env{}, 0, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close: %v", err)
	}
	if err := prog.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCloseWhileRunning(t *testing.T) {
	p := assemble(t, "call 1\nexit")
	prog := compileT(t, p, Options{})
	inside, release := make(chan struct{}), make(chan struct{})
	env := &engine.Env{Helpers: []engine.Helper{1: func(*engine.Env, uint64, uint64, uint64, uint64, uint64) uint64 {
		close(inside)
		<-release
		return 5
	}}}
	done := make(chan error)
	go func() {
		_, err := prog.Run(env, 0, 0)
		done <- err
	}()
	<-inside
	if err := prog.Close(); err == nil {
		t.Error("Close while running succeeded")
	}
	close(release)
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func TestConcurrentRuns(t *testing.T) {
	p := assemble(t, `
mov %r6, %r1
mov %r0, 0
loop:
stxdw [%r10-8], %r6
ldxdw %r2, [%r10-8]
add %r0, %r2
sub %r6, 1
jne %r6, 0, loop
exit`)
	prog := compileT(t, p, Options{})
	var wg sync.WaitGroup
	for g := 1; g <= 8; g++ {
		wg.Go(func() {
			env := &engine.Env{}
			for i := 0; i < 200; i++ {
				n := uint64(g*100 + i)
				got, err := prog.Run(env, n, 0)
				if want := n * (n + 1) / 2; err != nil || got != want {
					t.Errorf("n=%d: got %d, %v; want %d", n, got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestRunAllocs(t *testing.T) {
	p := assemble(t, "mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 1\nmov %r6, 0\nloop:\nadd %r6, 1\njlt %r6, 1000, loop\nexit")
	prog := compileT(t, p, Options{})
	env := &engine.Env{Helpers: testHelpers}
	prog.Run(env, 0, 0)
	if n := testing.AllocsPerRun(100, func() { prog.Run(env, 0, 0) }); n != 0 {
		t.Errorf("Run allocates %v times", n)
	}
}

// TestCallFallThrough runs an (unverifiable) program whose function falls
// through into the next one, which writes r6: the caller's r6 must survive.
func TestCallFallThrough(t *testing.T) {
	runTable(t, []insnTest{{"fall-through", `
mov %r6, 5
call local f
mov %r0, %r6
exit
f:
mov %r0, 0
g:
mov %r6, 9
exit
h:
call local g
exit`, nil, 5}})
}
