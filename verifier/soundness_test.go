package verifier

import (
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/progtype"
)

// soundCheck generates the program of seed, verifies it and, if accepted,
// runs it on random inputs in the checked interpreter. It reports whether
// the program was accepted, and fails t on a fault. Half the seeds verify
// in the privileged mode (soundPriv), whose rules must keep programs in
// bounds as well; the others with default Options (the unprivileged
// rules), and run with the leak sanitizer, where a leak fails t too.
func soundCheck(t testing.TB, r *runner, seed uint64) (accepted bool) {
	g, typ := genSeed(seed)
	src := g.program()
	p, err := asm.Assemble(src)
	if err != nil {
		t.Fatalf("seed %d: generated program does not assemble: %v\n%s", seed, err, src)
	}
	opts := Options{Type: typ, Maps: genMaps(), Privileged: soundPriv(seed)}
	if typ == progtype.Raw {
		opts.CtxSize = g.ctx
	}
	if _, err := Verify(p, opts); err != nil {
		if _, ok := err.(*Error); !ok {
			t.Fatalf("seed %d: error is not a *verifier.Error: %v", seed, err)
		}
		return false
	}
	rp, err := r.prepare(p, opts.Maps)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := r.compile(rp, typ, opts.Privileged)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	rnd := rand.New(rand.NewPCG(seed, 7))
	for i := 0; i < 8; i++ {
		if err := r.run(prog, typ, opts.CtxSize, rnd); err != nil {
			t.Fatalf("seed %d: accepted program fails: %v\n%s", seed, err, src)
		}
	}
	return true
}

// genSeed returns the generator of seed: odd seeds make XDP programs,
// even ones Raw programs.
func genSeed(seed uint64) (*gen, progtype.Type) {
	typ := progtype.Raw
	if seed%2 == 1 {
		typ = progtype.XDP
	}
	return newGen(seed, typ), typ
}

// soundPriv tells whether soundCheck verifies seed in the privileged mode.
func soundPriv(seed uint64) bool { return seed%4 >= 2 }

// TestSoundness verifies generated programs and runs the accepted ones in
// the checked interpreter with the leak sanitizer: a fault or a leak is a
// verifier bug. GBPF_SOUND_N sets the number of programs (default 1500),
// GBPF_SOUND_SEED the first seed.
func TestSoundness(t *testing.T) {
	n := envInt("GBPF_SOUND_N", 1500)
	first := uint64(envInt("GBPF_SOUND_SEED", 0))
	r := newRunner(t)
	start := time.Now()
	acc := 0
	var accPriv, nPriv int
	accShape := map[string]int{}
	for seed := first; seed < first+uint64(n); seed++ {
		ok := soundCheck(t, r, seed)
		if ok {
			acc++
		}
		if soundPriv(seed) {
			nPriv++
			if ok {
				accPriv++
			}
		} else if ok {
			for _, sh := range programShapes(seed) {
				accShape[sh]++
			}
		}
	}
	t.Logf("%d generated programs, %d accepted and run 8 times each without fault, %d rejected, %v",
		n, acc, n-acc, time.Since(start))
	t.Logf("unprivileged mode (run sanitized): %d accepted of %d; privileged: %d of %d", acc-accPriv, n-nPriv, accPriv, nPriv)
	for _, sh := range slices.Sorted(maps.Keys(accShape)) {
		t.Logf("  %d accepted unprivileged programs have the %s shape", accShape[sh], sh)
	}
	if acc == 0 || acc == n {
		t.Errorf("generator gives %d accepted of %d: the test cannot tell a verifier bug", acc, n)
	}
}

// programShapes returns the sandbox shapes the program of seed has, each
// once.
func programShapes(seed uint64) []string {
	g, _ := genSeed(seed)
	g.program()
	slices.Sort(g.shapes)
	return slices.Compact(g.shapes)
}

// FuzzSoundness is TestSoundness under the fuzzer. Its corpus in
// testdata/fuzz/FuzzSoundness holds seeds whose programs have the shapes
// of the sandbox findings (pointer spills and partial overwrites, pointer
// comparisons, helper arguments from the stack, pointer differences,
// atomics on spilled slots, variable-offset stack reads, tail calls,
// callbacks).
func FuzzSoundness(f *testing.F) {
	for _, s := range []uint64{0, 1, 2, 3, 42, 1000, 123456789} {
		f.Add(s)
	}
	r := newRunner(f)
	f.Fuzz(func(t *testing.T, seed uint64) {
		soundCheck(t, r, seed)
	})
}

func envInt(name string, def int) int {
	if s := os.Getenv(name); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	}
	return def
}
