package verifier

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/progtype"
)

// soundCheck generates the program of seed, verifies it and, if accepted,
// runs it on random inputs in the checked interpreter. It reports whether
// the program was accepted and fails t on a fault. Half the seeds verify
// in the privileged mode (soundPriv), whose rules must keep programs in
// bounds as well.
func soundCheck(t testing.TB, r *runner, seed uint64) (accepted bool) {
	typ := progtype.Raw
	if seed%2 == 1 {
		typ = progtype.XDP
	}
	g := newGen(seed, typ)
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
	prog, err := interp.Compile(rp, interp.Options{Checked: true})
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	rnd := rand.New(rand.NewPCG(seed, 7))
	for i := 0; i < 8; i++ {
		if err := r.run(prog, typ, opts.CtxSize, rnd); err != nil {
			t.Fatalf("seed %d: accepted program faults: %v\n%s", seed, err, src)
		}
	}
	return true
}

// soundPriv tells whether soundCheck verifies seed in the privileged mode.
func soundPriv(seed uint64) bool { return seed%4 >= 2 }

// TestSoundness verifies generated programs and runs the accepted ones in
// the checked interpreter: a fault is a verifier bug. GBPF_SOUND_N sets the
// number of programs (default 1500).
func TestSoundness(t *testing.T) {
	n := 1500
	if s := os.Getenv("GBPF_SOUND_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	r := newRunner(t)
	start := time.Now()
	acc := 0
	var accPriv, nPriv int
	for seed := uint64(0); seed < uint64(n); seed++ {
		ok := soundCheck(t, r, seed)
		if ok {
			acc++
		}
		if soundPriv(seed) {
			nPriv++
			if ok {
				accPriv++
			}
		}
	}
	t.Logf("%d generated programs, %d accepted and run 8 times each without fault, %d rejected, %v",
		n, acc, n-acc, time.Since(start))
	t.Logf("unprivileged mode: %d accepted of %d; privileged: %d of %d", acc-accPriv, n-nPriv, accPriv, nPriv)
	if acc == 0 || acc == n {
		t.Errorf("generator gives %d accepted of %d: the test cannot tell a verifier bug", acc, n)
	}
}

// FuzzSoundness is TestSoundness under the fuzzer.
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
