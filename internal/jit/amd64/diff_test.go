package amd64

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/isa"
)

var diffPrograms = flag.Int("diff.programs", 3000, "generated programs TestDifferential runs")

// differ runs p on the interpreter and on the JIT and describes the first
// difference in r0, error or input buffer; "" means none. It also returns
// the interpreter's error.
func differ(t testing.TB, p isa.Program, opts Options) (string, error) {
	t.Helper()
	ip, err := interp.Compile(p, interp.Options{})
	if err != nil {
		t.Fatalf("generated an invalid program: %v\n%s", err, dump(p))
	}
	jp, err := Compile(p, opts)
	if err != nil {
		t.Fatalf("jit: %v\n%s", err, dump(p))
	}
	defer jp.Close()
	run := func(prog engine.Program) result {
		b, err := engine.Alloc(genMemSize)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Free()
		for i := range b.Bytes() {
			b.Bytes()[i] = byte(i*31 + 7)
		}
		r0, err := prog.Run(&engine.Env{Helpers: genHelpers}, b.Addr(), genMemSize)
		return result{r0, err, bytes.Clone(b.Bytes())}
	}
	want, got := run(ip), run(jp)
	return compare(want, got), want.err
}

type result struct {
	r0  uint64
	err error
	mem []byte
}

// compare describes the first difference between two results.
func compare(want, got result) string {
	switch {
	case (want.err == nil) != (got.err == nil):
		return fmt.Sprintf("error: interp %v, jit %v", want.err, got.err)
	case want.err != nil:
		var fw, fg *engine.Fault
		if !errors.As(want.err, &fw) || !errors.As(got.err, &fg) || fw.Err != fg.Err || fw.PC != fg.PC {
			return fmt.Sprintf("error: interp %v, jit %v", want.err, got.err)
		}
	case want.r0 != got.r0:
		return fmt.Sprintf("r0: interp %#x, jit %#x", want.r0, got.r0)
	case !bytes.Equal(want.mem, got.mem):
		return fmt.Sprintf("memory: interp % x, jit % x", want.mem, got.mem)
	}
	return ""
}

func dump(p isa.Program) string {
	var b strings.Builder
	for i, ins := range p.Insns {
		fmt.Fprintf(&b, "%4d: %v\n", i, ins)
	}
	return b.String()
}

// TestDifferential runs generated programs on the interpreter and the JIT
// (every other one blinded) and requires identical results.
func TestDifferential(t *testing.T) {
	if !Supported {
		t.Skip("JIT not supported")
	}
	n := *diffPrograms
	if testing.Short() {
		n /= 10
	}
	rng := rand.New(rand.NewPCG(1, 2))
	seed := make([]byte, 4096)
	insns, faults := 0, 0
	kinds := make(map[[3]int32]bool) // opcode, and the offset or atomic operation that changes its meaning
	for i := 0; i < n; i++ {
		for j := range seed {
			seed[j] = byte(rng.Uint32())
		}
		p := generate(&byteSource{b: seed})
		insns += len(p.Insns)
		for pc, ins := range p.Insns {
			k := [3]int32{int32(ins.Op)}
			switch {
			case ins.Op.Class().IsALU():
				k[1] = int32(ins.Off)
			case ins.Op.Mode() == isa.ModeATOMIC && ins.Op.Class() == isa.ClassSTX:
				k[1] = ins.Imm
			case ins.Op.Class().IsJump() && ins.Op.JumpOp() != isa.Call && ins.Op.JumpOp() != isa.Exit:
				if ins.JumpTarget(pc) <= pc {
					k[2] = 1 // backward
				}
			}
			kinds[k] = true
		}
		d, err := differ(t, p, Options{Blind: i%2 == 1, Bounded: i%3 == 2})
		if d != "" {
			t.Fatalf("program %d: %s\n%s", i, d, dump(p))
		}
		if err != nil {
			faults++
		}
	}
	t.Logf("%d programs (%d instruction slots, %d kinds of instruction, %d ending in a fault), no differences",
		n, insns, len(kinds), faults)
	// Every kind the generator can make should have appeared: ALU (with
	// signed division and movsx variants), jumps, memory, atomics, calls.
	if n >= 1000 && len(kinds) < 145 {
		t.Errorf("only %d kinds of instruction generated", len(kinds))
	}
}

// FuzzDifferential is TestDifferential driven by the fuzzer: the input
// bytes are the generator's choices.
func FuzzDifferential(f *testing.F) {
	if !Supported {
		f.Skip("JIT not supported")
	}
	f.Add([]byte{})
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
	f.Add(bytes.Repeat([]byte{17, 3, 200, 91}, 64))
	f.Add(bytes.Repeat([]byte{0xff, 0x80, 0x7f, 1}, 128))
	f.Fuzz(func(t *testing.T, choices []byte) {
		opts := Options{}
		if len(choices) > 0 {
			opts.Blind, opts.Bounded = choices[0]&1 == 1, choices[0]&2 == 2
		}
		p := generate(&byteSource{b: choices})
		if d, _ := differ(t, p, opts); d != "" {
			t.Fatalf("%s\n%s", d, dump(p))
		}
	})
}
