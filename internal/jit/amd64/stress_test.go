package amd64

import (
	"context"
	"encoding/binary"
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

// stressDuration is how long the stress tests run: 3 seconds, or
// GBPF_STRESS_SECONDS (60 when GBPF_STRESS=1); 300ms with -short.
func stressDuration() time.Duration {
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
	return d
}

// underGCPressure calls work on 8 goroutines (with their number and the
// deadline, d from now) while another runs the garbage collector without
// pause and two others allocate, and returns once all are done with the
// number of collections.
func underGCPressure(d time.Duration, work func(g int, deadline time.Time)) int64 {
	deadline := time.Now().Add(d)
	var gcs atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 8; g++ {
		wg.Go(func() { work(g, deadline) })
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
	return gcs.Load()
}

// TestStress runs JIT programs on 8 goroutines under GC pressure
// (underGCPressure): machine code must survive stack switches, GC stops
// and preemption requests.
func TestStress(t *testing.T) {
	d := stressDuration()
	p := assemble(t, stressSource)
	progs := []*Program{compileT(t, p, Options{}), compileT(t, p, Options{Blind: true})}
	var runs atomic.Int64
	gcs := underGCPressure(d, func(g int, deadline time.Time) {
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
	t.Logf("%v: %d runs, %d collections", d, runs.Load(), gcs)
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

// leafSource is a leaf program (no loops, no calls) that uses r8 (r14,
// the goroutine register of Go's ABI) and the stack (rbp), which its
// direct entry must save and restore: r0 = the packet's first
// little-endian word + 0x1234 + its length, or the length if shorter.
const leafSource = `
mov %r8, 0x1234
stxdw [%r10-8], %r8
jlt %r2, 4, short
ldxw %r0, [%r1]
ldxdw %r3, [%r10-8]
add %r0, %r3
mov %r8, %r2
add %r0, %r8
exit
short:
mov %r0, %r2
exit
`

func leafWant(b []byte) uint64 {
	if len(b) < 4 {
		return uint64(len(b))
	}
	return uint64(binary.LittleEndian.Uint32(b)) + 0x1234 + uint64(len(b))
}

// growStack calls f at the bottom of depth frames of about 1 KiB each, so
// that the goroutine's stack grows (and moves) between runs.
//
//go:noinline
func growStack(depth int, f func()) byte {
	var pad [1024]byte
	pad[depth%len(pad)] = byte(depth)
	if depth == 0 {
		f()
		return pad[0]
	}
	return growStack(depth-1, f) + pad[depth%len(pad)]
}

// TestStressLeaf runs a leaf program straight on goroutine stacks (Run
// with engine memory, RunBytes with Go memory: heap slices and arrays on
// a stack that keeps growing) on 8 goroutines under GC pressure.
func TestStressLeaf(t *testing.T) {
	d := stressDuration()
	p := assemble(t, leafSource)
	prog := compileT(t, p, Options{})
	if !prog.Leaf() {
		t.Fatal("not a leaf")
	}
	var runs atomic.Int64
	gcs := underGCPressure(d, func(g int, deadline time.Time) {
		blk, err := engine.Alloc(64)
		if err != nil {
			t.Error(err)
			return
		}
		defer blk.Free()
		check := func(what string, got uint64, err error, want uint64) bool {
			if err != nil || got != want {
				t.Errorf("goroutine %d, %s: got %#x, %v; want %#x", g, what, got, err, want)
				return false
			}
			runs.Add(1)
			return true
		}
		for i := 0; time.Now().Before(deadline); i++ {
			n := i % 9
			heap := make([]byte, n)
			for j := range heap {
				heap[j] = byte(i + j*g)
			}
			got, err := prog.RunBytes(heap)
			if !check("heap", got, err, leafWant(heap)) {
				return
			}
			copy(blk.Bytes(), heap)
			got, err = prog.Run(nil, blk.Addr(), uint64(n))
			if !check("engine memory", got, err, leafWant(heap)) {
				return
			}
			ok := true
			growStack(i%16, func() {
				var local [8]byte
				copy(local[:], heap)
				got, err := prog.RunBytes(local[:n])
				ok = check("stack", got, err, leafWant(local[:n]))
			})
			if !ok {
				return
			}
		}
	})
	t.Logf("%v: %d runs, %d collections", d, runs.Load(), gcs)
}
