package bench

import (
	"errors"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/testutil"
)

// exactBudget reports whether the engine counts every instruction against
// the budget (the interpreter does; a JIT may count at branches only, and
// so run a few instructions over).
func exactBudget(engine string) bool { return strings.HasPrefix(engine, "interp") }

func loadWorkloads(tb testing.TB) []*Workload {
	tb.Helper()
	ws, err := LoadWorkloads(testutil.SharedDir(tb, "bench"))
	if err != nil {
		tb.Fatal(err)
	}
	return ws
}

// BenchmarkWorkloads runs each workload on each engine, reporting ns/op,
// ns per executed instruction, and the speed-up over the uBPF interpreter
// figure of the suite's README (x-ubpf-interp; more is faster). The README
// figures were measured on a quiet machine: on a busy one, compare engines
// within one run.
func BenchmarkWorkloads(b *testing.B) {
	for _, w := range loadWorkloads(b) {
		for _, e := range Engines {
			b.Run(w.Name+"/"+e.Name, func(b *testing.B) {
				r, err := NewRunner(w, e)
				if err != nil {
					b.Fatal(err)
				}
				defer r.Close()
				b.ReportAllocs()
				for b.Loop() {
					if err := r.Run(); err != nil {
						b.Fatal(err)
					}
				}
				ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				if w.Insns > 0 {
					b.ReportMetric(ns/float64(w.Insns), "ns/insn")
				}
				if w.UBPFMicros > 0 {
					b.ReportMetric(w.UBPFMicros*1000/ns, "x-ubpf-interp")
				}
			})
		}
	}
}

// TestWorkloads runs each workload twice on each engine (the second run
// must give the same result on the same buffer), checks that it
// allocates nothing, and checks the README's executed-instruction count
// against the instruction budget: the count is enough, one less is not.
func TestWorkloads(t *testing.T) {
	for _, w := range loadWorkloads(t) {
		for _, e := range Engines {
			t.Run(w.Name+"/"+e.Name, func(t *testing.T) {
				r, err := NewRunner(w, e)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				for range 2 {
					if err := r.Run(); err != nil {
						t.Fatal(err)
					}
				}
				if testing.Short() {
					return
				}
				if w.Insns == 0 {
					t.Fatalf("the README gives no instruction count for %s", w.Name)
				}
				r1, r2 := r.Args()
				env := r.Env()
				env.Budget = uint64(w.Insns)
				if _, err := r.Program().Run(env, r1, r2); err != nil {
					t.Errorf("budget %d: %v", w.Insns, err)
				}
				env.Budget = uint64(w.Insns - 1)
				if !exactBudget(e.Name) {
					return
				}
				if _, err := r.Program().Run(env, r1, r2); !errors.Is(err, engine.ErrBudget) {
					t.Errorf("budget %d: error = %v, want %v", w.Insns-1, err, engine.ErrBudget)
				}
				env.Budget = 0
			})
		}
	}
}
