package amd64

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gbpf/gbpf/internal/engine"
)

// stressSource loops, calls a helper that allocates on every iteration,
// calls a local function, and keeps values on its stack; its result depends
// on all of it.
const stressSource = `
mov %r6, %r1
mov %r7, 0
loop:
mov %r1, %r6
mov %r2, %r7
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 1
stxdw [%r10-8], %r0
mov %r1, %r0
call local twice
ldxdw %r1, [%r10-8]
add %r0, %r1
add %r7, %r0
sub %r6, 1
jne %r6, 0, loop
mov %r0, %r7
exit
twice:
mov %r0, %r1
stxdw [%r10-16], %r1
ldxdw %r2, [%r10-16]
add %r0, %r2
exit`

// stressHelper allocates (so that the collector has work) and mixes its
// arguments.
func stressHelper(env *engine.Env, r1, r2, _, _, _ uint64) uint64 {
	b := make([]byte, 64+r1%512)
	b[0] = byte(r2)
	return uint64(len(b)) ^ r2&0xff ^ uint64(b[0])
}

// stressWant computes what stressSource returns, in Go.
func stressWant(n uint64) uint64 {
	var acc uint64
	for i := n; i != 0; i-- {
		h := (64 + i%512) ^ acc&0xff ^ uint64(byte(acc))
		acc += 3 * h
	}
	return acc
}

// TestStress runs JIT programs on 8 goroutines while another runs the
// garbage collector without pause and others allocate: machine code must
// survive stack switches, GC stops and preemption requests. It runs for 3
// seconds, or GBPF_STRESS_SECONDS (at least 60 when GBPF_STRESS=1).
func TestStress(t *testing.T) {
	d := 3 * time.Second
	if os.Getenv("GBPF_STRESS") == "1" {
		d = time.Minute
	}
	if s := os.Getenv("GBPF_STRESS_SECONDS"); s != "" {
		if v, err := time.ParseDuration(s + "s"); err == nil {
			d = v
		}
	}
	if testing.Short() {
		d = 300 * time.Millisecond
	}
	p := assemble(t, stressSource)
	progs := []*Program{compileT(t, p, Options{}), compileT(t, p, Options{Blind: true})}
	deadline := time.Now().Add(d)
	var runs, gcs atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			env := &engine.Env{Helpers: []engine.Helper{1: stressHelper}}
			for i := uint64(0); time.Now().Before(deadline); i++ {
				n := 1 + (uint64(g)*7919+i*104729)%300
				got, err := progs[int(i)%2].Run(env, n, 0)
				if want := stressWant(n); err != nil || got != want {
					t.Errorf("goroutine %d, n=%d: got %#x, %v; want %#x", g, n, got, err, want)
					return
				}
				runs.Add(1)
			}
		})
	}
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
				gcs.Add(1)
			}
		}
	})
	var sink atomic.Pointer[[]byte]
	for a := 0; a < 2; a++ {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					b := make([]byte, 1<<12)
					sink.Store(&b)
				}
			}
		})
	}
	time.Sleep(time.Until(deadline))
	close(stop)
	wg.Wait()
	t.Logf("%v: %d runs, %d collections", d, runs.Load(), gcs.Load())
}

// TestGCWhileLooping runs endless loops (one per CPU, so that no idle
// thread can hide the problem) and requires garbage collections, which
// stop the world, to complete meanwhile: the machine code must yield.
func TestGCWhileLooping(t *testing.T) {
	p := assemble(t, "mov %r0, 0\nloop:\nadd %r0, 1\nja loop\nexit")
	prog := compileT(t, p, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			_, err := prog.RunContext(ctx, &engine.Env{Budget: 1 << 62}, 0, 0)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("run ended with %v", err)
			}
		})
	}
	time.Sleep(10 * time.Millisecond)
	start := time.Now()
	for range 5 {
		runtime.GC()
	}
	d := time.Since(start)
	cancel()
	wg.Wait()
	if d > 2*time.Second {
		t.Errorf("5 collections took %v beside looping programs", d)
	}
	t.Logf("5 collections in %v", d)
}
