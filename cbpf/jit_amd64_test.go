//go:build amd64

package cbpf

import (
	"os"
	"testing"
	"time"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"golang.org/x/net/bpf"
)

// jitRunner runs a translated program as x86-64 machine code.
type jitRunner struct {
	prog *amd64.Program
	blk  *engine.Block
	env  *engine.Env
}

func newJITRunner(tb testing.TB, prog []Instruction) *jitRunner {
	tb.Helper()
	p, err := ToEBPF(prog)
	if err != nil {
		tb.Fatal(err)
	}
	jp, err := amd64.Compile(p, amd64.Options{})
	if err != nil {
		tb.Skipf("JIT unavailable: %v", err)
	}
	tb.Cleanup(func() { jp.Close() })
	blk, err := engine.Alloc(1 << 16)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { blk.Free() })
	return &jitRunner{prog: jp, blk: blk, env: &engine.Env{}}
}

func TestToEBPFJIT(t *testing.T) {
	vm, err := NewVM(benchProg)
	if err != nil {
		t.Fatal(err)
	}
	jr := newJITRunner(t, benchProg)
	for _, c := range benchCases() {
		for _, n := range []int{len(c.pkt), 36, 13, 0} {
			copy(jr.blk.Bytes(), c.pkt[:n])
			got, err := jr.prog.Run(jr.env, jr.blk.Addr(), uint64(n))
			if err != nil {
				t.Fatal(err)
			}
			if want := vm.Run(c.pkt[:n], nil); uint32(got) != want {
				t.Errorf("%s[:%d]: JIT %d, VM %d", c.name, n, got, want)
			}
		}
	}
}

// BenchmarkJIT runs the benchmark filter translated to eBPF and compiled
// by gbpf's x86-64 JIT; the packet already lives in engine memory, as it
// does for packets that gbpf captures.
func BenchmarkJIT(b *testing.B) {
	jr := newJITRunner(b, benchProg)
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			copy(jr.blk.Bytes(), c.pkt)
			addr, n := jr.blk.Addr(), uint64(len(c.pkt))
			b.ReportAllocs()
			for b.Loop() {
				jr.prog.Run(jr.env, addr, n)
			}
		})
	}
}

// TestMeasureBursts prints the per-packet cost of the benchmark filter on
// the VM, the JIT and x/net/bpf's VM as the minimum over many short
// bursts, which is stable on a busy machine where go test -bench is not.
// It runs only with GBPF_MEASURE=1.
func TestMeasureBursts(t *testing.T) {
	if os.Getenv("GBPF_MEASURE") != "1" {
		t.Skip("set GBPF_MEASURE=1 to measure")
	}
	vm, err := NewVM(benchProg)
	if err != nil {
		t.Fatal(err)
	}
	xvm, err := bpf.NewVM(ToBPF(benchProg))
	if err != nil {
		t.Fatal(err)
	}
	jr := newJITRunner(t, benchProg)
	const n = 100000
	for _, c := range benchCases() {
		copy(jr.blk.Bytes(), c.pkt)
		addr, plen := jr.blk.Addr(), uint64(len(c.pkt))
		runs := map[string]func(){
			"vm":   func() { vm.Run(c.pkt, nil) },
			"jit":  func() { jr.prog.Run(jr.env, addr, plen) },
			"xnet": func() { xvm.Run(c.pkt) },
		}
		best := map[string]time.Duration{}
		for round := 0; round < 50; round++ {
			for name, f := range runs {
				start := time.Now()
				for i := 0; i < n; i++ {
					f()
				}
				if d := time.Since(start); best[name] == 0 || d < best[name] {
					best[name] = d
				}
			}
		}
		for _, name := range []string{"vm", "jit", "xnet"} {
			t.Logf("%s %-4s %.1f ns/packet", c.name, name, float64(best[name].Nanoseconds())/n)
		}
	}
}
