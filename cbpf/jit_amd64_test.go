//go:build amd64

package cbpf

import (
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64"
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
