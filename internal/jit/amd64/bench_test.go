//go:build unix

package amd64

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// threadCPU returns the CPU time of the calling thread.
func threadCPU() time.Duration {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return time.Duration(ts.Nano())
}

// cpuLoop runs f b.N times on a locked thread and reports its thread CPU
// time per op (steadier than wall time on a busy machine) and per unit.
func cpuLoop(b *testing.B, units int, unit string, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	start := threadCPU()
	for b.Loop() {
		f()
	}
	cpu := float64((threadCPU() - start).Nanoseconds()) / float64(b.N)
	b.ReportMetric(cpu, "cpu-ns/op")
	if units > 1 {
		b.ReportMetric(cpu/float64(units), "cpu-ns/"+unit)
	}
}

// BenchmarkRun measures entering and leaving machine code: a program that
// returns at once.
func BenchmarkRun(b *testing.B) {
	prog := compileT(b, assemble(b, "mov %r0, 1\nexit"), Options{})
	env := &engine.Env{}
	cpuLoop(b, 1, "", func() { prog.Run(env, 0, 0) })
}

// BenchmarkHelperCall measures one helper call: leaving machine code,
// calling the Go function and resuming.
func BenchmarkHelperCall(b *testing.B) {
	src := "mov %r6, 1000\nloop:\ncall 1\nsub %r6, 1\njne %r6, 0, loop\nexit"
	prog := compileT(b, assemble(b, src), Options{})
	env := &engine.Env{Helpers: testHelpers}
	cpuLoop(b, 1000, "call", func() { prog.Run(env, 0, 0) })
}

// BenchmarkLocalCall measures a bpf-to-bpf call and return (of a function
// with a jump, which is not inlined), and a call that is inlined.
func BenchmarkLocalCall(b *testing.B) {
	for name, f := range map[string]string{
		"call":    "mov %r0, 1\njeq %r0, 0, +0\nexit",
		"inlined": "mov %r0, 1\nexit",
	} {
		b.Run(name, func(b *testing.B) {
			src := "mov %r6, 1000\nloop:\ncall local f\nsub %r6, 1\njne %r6, 0, loop\nexit\nf:\n" + f
			prog := compileT(b, assemble(b, src), Options{})
			env := &engine.Env{}
			cpuLoop(b, 1000, "call", func() { prog.Run(env, 0, 0) })
		})
	}
}

// BenchmarkCallback measures one callback from a helper through
// engine.Env.CallFunc (bpf_loop's way): entering machine code at the
// callback and leaving it when the callback returns.
func BenchmarkCallback(b *testing.B) {
	src := "lddw %r2, func cb\nmov %r1, 1000\nmov %r3, 0\ncall 181\nexit\ncb:\nmov %r0, 0\nexit"
	prog := compileT(b, assemble(b, src), Options{})
	env := &engine.Env{Helpers: callbackHelpers}
	cpuLoop(b, 1000, "call", func() { prog.Run(env, 0, 0) })
}

// BenchmarkCompile measures compilation (layout passes, mapping the code)
// of generated programs, per 1,000 instruction slots.
func BenchmarkCompile(b *testing.B) {
	if !Supported {
		b.Skip("JIT not supported")
	}
	for _, size := range []int{1000, 10000} {
		p := bigProgram(size)
		for _, o := range options {
			b.Run(fmt.Sprintf("%d/%s", size, o.name), func(b *testing.B) {
				cpuLoop(b, len(p.Insns), "insn", func() {
					prog, err := Compile(p, o.opts)
					if err != nil {
						b.Fatal(err)
					}
					prog.Close()
				})
			})
		}
	}
}

// bigProgram concatenates generated programs' instruction mixes into one
// valid program of about n slots: ALU, memory, jumps forward and loops.
func bigProgram(n int) isa.Program {
	rng := rand.New(rand.NewPCG(3, 4))
	choices := make([]byte, 1<<16)
	for i := range choices {
		choices[i] = byte(rng.Uint32())
	}
	g := &generator{s: &byteSource{b: choices}}
	var units []unit
	units = append(units, unit{insns: []isa.Instruction{mov64(isa.R9, isa.R1)}})
	slots := 1
	for slots < n {
		block := g.block(32, 0, false)
		for _, u := range block {
			slots += len(u.insns)
		}
		units = appendUnits(units, block)
	}
	units = append(units, unit{insns: []isa.Instruction{{Op: isa.OpExit}}})
	return link([][]unit{units})
}
