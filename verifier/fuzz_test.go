package verifier

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/progtype"
)

// FuzzVerifyBytes feeds arbitrary bytecode to the verifier: it must give an
// answer, never panic, and every rejection must be an *Error. Programs it
// accepts run in the checked interpreter with the leak sanitizer, where a
// fault or a leak is a verifier bug.
func FuzzVerifyBytes(f *testing.F) {
	r := newRunner(f)
	seeds := []string{
		"mov %r0, 0\nexit",
		"ldxw %r2, [%r1+0]\njgt %r2, 10, +1\nmov %r0, %r2\nexit",
		"stw [%r10-4], 0\nmov %r2, %r10\nadd %r2, -4\nlddw %r1, map_idx 0\ncall 1\njeq %r0, 0, +1\nldxdw %r0, [%r0+0]\nexit",
		"mov %r1, 0\ncall local f\nexit\nf:\nmov %r0, %r1\nexit",
		"mov %r1, 4\nlddw %r2, func cb\nmov %r3, 0\nmov %r4, 0\ncall 181\nexit\ncb:\nmov %r0, 0\nexit",
		"ldxw %r2, [%r1+0]\nldxw %r3, [%r1+4]\nmov %r4, %r2\nadd %r4, 8\njgt %r4, %r3, +1\nldxdw %r0, [%r2+0]\nmov %r0, 2\nexit",
		"mov %r0, 0\nmov %r1, 0\nl: add %r1, 1\njlt %r1, 8, l\nexit",
	}
	for i, s := range seeds {
		f.Add(mustAssemble(f, s).Encode(), uint8(i))
	}
	types := []progtype.Type{progtype.SocketFilter, progtype.XDP, progtype.Kprobe, progtype.Tracepoint, progtype.Raw, progtype.SchedCLS}
	f.Fuzz(func(t *testing.T, code []byte, which uint8) {
		code = code[:len(code)&^7]
		p, err := isa.Decode(code)
		if err != nil {
			t.Fatalf("decode of whole slots: %v", err)
		}
		typ := types[int(which)%len(types)]
		opts := Options{Type: typ, Maps: genMaps(), MaxInsns: 20000}
		if typ == progtype.Raw {
			opts.CtxSize = 64
		}
		_, err = Verify(p, opts)
		var ve *Error
		if err != nil {
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *verifier.Error", err)
			}
			return
		}
		rp, err := r.prepare(p, opts.Maps)
		if err != nil {
			t.Fatal(err)
		}
		prog, err := r.compile(rp, typ, false)
		if err != nil {
			t.Fatalf("accepted program does not compile: %v", err)
		}
		rnd := rand.New(rand.NewPCG(uint64(len(code)), uint64(which)))
		for i := 0; i < 4; i++ {
			if err := r.run(prog, typ, opts.CtxSize, rnd); err != nil && !usesLdAbs(p) {
				t.Fatalf("accepted program fails: %v", err)
			}
		}
	})
}
