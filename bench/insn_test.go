package bench

import (
	"errors"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/engine"
)

// BenchmarkInsn runs each instruction-class microbenchmark on each engine,
// reporting ns per executed instruction.
func BenchmarkInsn(b *testing.B) {
	for _, c := range InsnClasses {
		p, n, err := c.Program()
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range Engines {
			b.Run(c.Name+"/"+e.Name, func(b *testing.B) {
				prog, err := e.Compile(p)
				if err != nil {
					b.Fatal(err)
				}
				defer prog.Close()
				env := &engine.Env{Helpers: NopHelpers}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := prog.Run(env, 0, 0); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/insn")
			})
		}
	}
}

// TestInsnPrograms checks that every microbenchmark runs on every engine
// and executes the number of instructions it claims.
func TestInsnPrograms(t *testing.T) {
	for _, c := range InsnClasses {
		p, n, err := c.Program()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range Engines {
			prog, err := e.Compile(p)
			if err != nil {
				t.Fatalf("%s on %s: %v", c.Name, e.Name, err)
			}
			env := &engine.Env{Helpers: NopHelpers, Budget: uint64(n)}
			if r0, err := prog.Run(env, 0, 0); err != nil || r0 != 0 {
				t.Errorf("%s on %s: r0 = %d, %v", c.Name, e.Name, r0, err)
			}
			env.Budget = uint64(n - 1)
			if !exactBudget(e.Name) {
				prog.Close()
				continue
			}
			if _, err := prog.Run(env, 0, 0); !errors.Is(err, engine.ErrBudget) {
				t.Errorf("%s on %s with budget %d: error = %v, want %v", c.Name, e.Name, n-1, err, engine.ErrBudget)
			}
			prog.Close()
		}
	}
}

// BenchmarkRunOverhead measures the fixed cost of one run: a program of two
// instructions, with an input region and the helper table set.
func BenchmarkRunOverhead(b *testing.B) {
	p, err := asm.Assemble("mov %r0, 1\nexit\n")
	if err != nil {
		b.Fatal(err)
	}
	mem, err := engine.Alloc(64)
	if err != nil {
		b.Fatal(err)
	}
	defer mem.Free()
	env := &engine.Env{Helpers: NopHelpers, Regions: []engine.Region{mem.Region(true)}}
	for _, e := range Engines {
		b.Run(e.Name, func(b *testing.B) {
			prog, err := e.Compile(p)
			if err != nil {
				b.Fatal(err)
			}
			defer prog.Close()
			b.ReportAllocs()
			for b.Loop() {
				if r0, err := prog.Run(env, mem.Addr(), 64); err != nil || r0 != 1 {
					b.Fatal(r0, err)
				}
			}
		})
	}
}

// BenchmarkCompile measures preparing each workload for each engine.
func BenchmarkCompile(b *testing.B) {
	for _, w := range loadWorkloads(b) {
		for _, e := range Engines {
			b.Run(w.Name+"/"+e.Name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					prog, err := e.Compile(w.Program)
					if err != nil {
						b.Fatal(err)
					}
					prog.Close()
				}
			})
		}
	}
}
