package interp

import (
	"github.com/gbpf/gbpf/internal/testutil"
	"sync"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// sumProgram sums the bytes of the r2-byte input at r1, keeping the
// running sum in a stack slot and calling a local function per byte, so
// that concurrent runs share code but not stacks or frames.
var sumProgram = prog(
	st(dw, r10, -8, 0),
	mov64(r6, 0),
	// loop:
	jmpX(j64, isa.JGE, r6, r2, 7),
	mov64x(r3, r1), aluX(a64, isa.Add, r3, r6), ldx(b, r3, r3, 0),
	mov64x(isa.R7, r10),
	callLocal(4), // add r3 to *(r7-8)
	add64(r6, 1),
	ja(-8),
	// done:
	ldx(dw, r0, r10, -8),
	exit(),
	// add:
	ldx(dw, r0, isa.R7, -8), aluX(a64, isa.Add, r0, r3), stx(dw, isa.R7, r0, -8),
	st(dw, r10, -8, 12345), // scribble on the callee's own frame
	exit(),
)

func TestConcurrentRuns(t *testing.T) {
	const goroutines, runs = 16, 200
	for _, m := range modes {
		pr, err := Compile(sumProgram, m.opts)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, goroutines)
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				data := make([]byte, 32+g)
				var want uint64
				for i := range data {
					data[i] = byte(g*7 + i)
					want += uint64(data[i])
				}
				mem, err := engine.Alloc(len(data))
				if err != nil {
					errs <- err
					return
				}
				defer mem.Free()
				copy(mem.Bytes(), data)
				env := &engine.Env{Regions: []engine.Region{mem.Region(false)}}
				for range runs {
					got, err := pr.Run(env, mem.Addr(), uint64(len(data)))
					if err != nil {
						errs <- err
						return
					}
					if got != want {
						t.Errorf("%s: goroutine %d: sum = %d, want %d", m.name, g, got, want)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
}

func TestRunAllocatesNothing(t *testing.T) {
	if testutil.RaceEnabled {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items)")
	}
	mem, err := engine.Alloc(64)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Free()
	env := &engine.Env{Regions: []engine.Region{mem.Region(true)}, Helpers: []engine.Helper{1: func(*engine.Env, uint64, uint64, uint64, uint64, uint64) uint64 { return 1 }}}
	// A helper call, then the sum (whose jumps are relative).
	p := prog(mov64x(r6, r1), mov64x(isa.R7, r2), call(1), mov64x(r1, r6), mov64x(r2, isa.R7), sumProgram)
	for _, m := range modes {
		pr, err := Compile(p, m.opts)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := pr.Run(env, mem.Addr(), 64); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per run", m.name, allocs)
		}
	}
}
