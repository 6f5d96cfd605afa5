package verifier

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// benchProgram is a large program for the benchmarks, in assembler text,
// of a type the kernel also has so that the kernel's time can be compared.
type benchProgram struct {
	name string
	typ  progtype.Type
	maps []*maps.Spec
	src  string
}

func benchPrograms() []benchProgram {
	arr := []*maps.Spec{{Name: "arr", Type: maps.Array, KeySize: 4, ValueSize: 64, MaxEntries: 16, SpinLockOffset: -1}}
	var ps []benchProgram

	// Straight-line arithmetic: 4000 instructions.
	var b strings.Builder
	b.WriteString("    mov %r0, 1\n    ldxw %r2, [%r1+0]\n    mov %r3, 3\n    mov %r4, 4\n")
	ops := []string{"add", "xor", "mul", "or", "and", "rsh", "lsh", "sub"}
	for i := 0; i < 4000; i++ {
		fmt.Fprintf(&b, "    %s %%r%d, %d\n", ops[i%len(ops)], 2+i%3, 1+i%13)
	}
	b.WriteString("    exit\n")
	ps = append(ps, benchProgram{"straight4000", progtype.SocketFilter, nil, b.String()})

	// A loop of 500 iterations with a 20-instruction body.
	b.Reset()
	b.WriteString("    mov %r0, 0\n    mov %r6, 0\n    ldxw %r2, [%r1+0]\n    mov %r3, 3\n    mov %r4, 4\nloop:\n")
	for i := 0; i < 18; i++ {
		fmt.Fprintf(&b, "    %s %%r%d, %d\n", ops[i%len(ops)], 2+i%3, 1+i%7)
	}
	b.WriteString("    add %r6, 1\n    jlt %r6, 500, loop\n    exit\n")
	ps = append(ps, benchProgram{"loop500", progtype.SocketFilter, nil, b.String()})

	// 400 diamonds: each branch on an input byte and joins again.
	b.Reset()
	b.WriteString("    mov %r6, %r1\n    mov %r0, 0\n")
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&b, "    ldxb %%r2, [%%r6+%d]\n    jgt %%r2, %d, a%d\n    add %%r0, 1\n    ja j%d\na%d:\n    add %%r0, 2\nj%d:\n",
			i%20, i%200, i, i, i, i)
	}
	b.WriteString("    exit\n")
	ps = append(ps, benchProgram{"branches400", progtype.SocketFilter, nil, b.String()})

	// Map lookups with bounds checks, in a loop of 100.
	b.Reset()
	b.WriteString(`    mov %r6, 0
    mov %r7, 0
loop:
    stxw [%r10-4], %r6
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1
    jeq %r0, 0, next
    ldxdw %r3, [%r0+0]
    and %r3, 56
    add %r0, %r3
    ldxdw %r3, [%r0+0]
    add %r7, %r3
next:
    add %r6, 1
    jlt %r6, 100, loop
    mov %r0, %r7
    exit
`)
	ps = append(ps, benchProgram{"maploop100", progtype.SocketFilter, arr, b.String()})

	// A packet parser with nested bounds checks and a loop over 64 bytes.
	b.Reset()
	b.WriteString(`    ldxw %r2, [%r1+0]
    ldxw %r3, [%r1+4]
    mov %r0, 0
    mov %r6, 0
loop:
    mov %r4, %r2
    add %r4, 8
    jgt %r4, %r3, done
    ldxdw %r5, [%r2+0]
    jset %r5, 1, odd
    add %r0, %r5
    ja next
odd:
    xor %r0, %r5
next:
    mov %r2, %r4
    add %r6, 1
    jlt %r6, 64, loop
done:
    mov %r0, 2
    exit
`)
	ps = append(ps, benchProgram{"pktloop64", progtype.XDP, nil, b.String()})
	return ps
}

func assembleBench(tb testing.TB, bp benchProgram) isa.Program {
	p, err := asm.Assemble(bp.src)
	if err != nil {
		tb.Fatalf("%s: %v", bp.name, err)
	}
	return p
}

func BenchmarkVerify(b *testing.B) {
	for _, bp := range benchPrograms() {
		p := assembleBench(b, bp)
		b.Run(bp.name, func(b *testing.B) {
			b.ReportAllocs()
			var res *Result
			for b.Loop() {
				r, err := Verify(p, Options{Type: bp.typ, Maps: bp.maps})
				if err != nil {
					b.Fatal(err)
				}
				res = r
			}
			b.ReportMetric(float64(len(p.Insns)), "insns")
			b.ReportMetric(float64(res.Processed), "processed")
			b.ReportMetric(float64(res.TotalStates), "states")
		})
	}
}

// TestBenchProgramsAccepted keeps the benchmark programs honest, and
// compares gbpf's time with the kernel's where the bpf() syscall works.
func TestBenchProgramsAccepted(t *testing.T) {
	var k *kernelLoader
	if kernelAvailable() {
		k = &kernelLoader{}
		defer k.close()
	}
	for _, bp := range benchPrograms() {
		p := assembleBench(t, bp)
		start := time.Now()
		res, err := Verify(p, Options{Type: bp.typ, Maps: bp.maps})
		d := time.Since(start)
		if err != nil {
			t.Fatalf("%s: %v", bp.name, err)
		}
		line := fmt.Sprintf("%s: %d insns, processed %d, states %d, gbpf %v", bp.name, len(p.Insns), res.Processed, res.TotalStates, d.Round(time.Microsecond))
		if k != nil {
			kerr, kd, err := k.load(p, bp.typ, bp.maps)
			switch {
			case err != nil:
				line += fmt.Sprintf(", kernel: %v", err)
			case kerr != nil:
				line += fmt.Sprintf(", kernel rejects: %v", kerr)
			default:
				line += fmt.Sprintf(", kernel %v", kd)
			}
		}
		t.Log(line)
	}
}
