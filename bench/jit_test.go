//go:build linux

package bench

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/kernel"
)

var (
	jitEngine = Engine{Name: "jit", Compile: func(p isa.Program) (engine.Program, error) {
		return amd64.Compile(p, amd64.Options{})
	}}
	boundedEngine = Engine{Name: "jit-bounded", Compile: func(p isa.Program) (engine.Program, error) {
		return amd64.Compile(p, amd64.Options{Bounded: true})
	}}
)

// The JIT joins the benchmarks where it runs: plain, with constant
// blinding, and without the budget countdown (for programs the verifier
// bounded), which shows what the countdown costs.
func init() {
	if !amd64.Supported {
		return
	}
	Engines = append(Engines, jitEngine,
		Engine{Name: "jit-blind", Compile: func(p isa.Program) (engine.Program, error) {
			return amd64.Compile(p, amd64.Options{Blind: true})
		}},
		boundedEngine,
	)
}

// referenceFigures reads the native C and Linux JIT columns (µs per run) of
// the README's table; 0 where the kernel rejected the workload.
func referenceFigures(tb testing.TB, dir string) map[string][2]float64 {
	f, err := os.Open(filepath.Join(dir, "README.md"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	num := func(s string) float64 {
		s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
		if i := strings.IndexAny(s, "–-"); i > 0 { // a range: its low end
			s = s[:i]
		}
		v, _ := strconv.ParseFloat(s, 64)
		return v
	}
	figs := make(map[string][2]float64)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "|")
		// | workload | executed insns | native C | Linux JIT | uBPF JIT | uBPF interpreter |
		if len(cols) != 8 || num(cols[3]) == 0 {
			continue
		}
		figs[strings.TrimSpace(cols[1])] = [2]float64{num(cols[3]), num(cols[4])}
	}
	return figs
}

// threadCPU returns the CPU time of the calling thread.
func threadCPU() time.Duration {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return time.Duration(ts.Nano())
}

// cpuMicros returns the least thread CPU time of one run of r over n runs:
// on a shared machine, the run that was disturbed least.
func cpuMicros(tb testing.TB, r *Runner, n int) float64 {
	best := math.Inf(1)
	for range n {
		start := threadCPU()
		if err := r.Run(); err != nil {
			tb.Fatal(err)
		}
		best = min(best, float64((threadCPU()-start).Nanoseconds())/1000)
	}
	return best
}

// BenchmarkJITSpeedup compares the JIT with the interpreter, the Linux
// kernel's JIT and native C on each workload, by thread CPU time (the best
// of a series of runs, which a busy machine disturbs least). It reports
// µs per run of both engines (and of the JIT without its budget countdown,
// Options.Bounded) and the ratios: x-interp (interpreter time
// over JIT time, more is better), vs-kernel and vs-native (JIT time over the
// README's figure, less is better), and their geometric means.
//
// It also measures the baselines on this machine in the same run:
// native-µs, the workload's C version built with the C compiler found
// (native_test.go), and kernel-µs, the kernel's JIT through
// BPF_PROG_TEST_RUN (kernel_test.go), each the least of 20 runs (for the
// kernel, of the best of kernelLoads loads, whose code the kernel places
// at random; the time depends on the place); and the
// ratios vs-native-here and vs-kernel-here (JIT time over the baseline,
// less is better), with their geometric means. A baseline that is
// unavailable (no C compiler, no bpf() syscall, a workload the verifier
// rejects) is left out, with a log line saying why.
func BenchmarkJITSpeedup(b *testing.B) {
	if !amd64.Supported {
		b.Skip("JIT not supported")
	}
	dir := testutil.SharedDir(b, "bench")
	figs := referenceFigures(b, dir)
	ws := loadWorkloads(b)
	interpEngine := Engine{Name: "interp", Compile: func(p isa.Program) (engine.Program, error) {
		return interp.Compile(p, interp.Options{})
	}}
	var notes []string // what the baselines were, logged with the geomean
	var nb *nativeBuild
	if cc, err := cCompiler(); err != nil {
		notes = append(notes, fmt.Sprintf("no native baseline: %v", err))
	} else if nb, err = buildNative(cc, ws, b.TempDir()); err != nil {
		b.Fatal(err)
	} else {
		notes = append(notes, fmt.Sprintf("native baseline: %s -O2 (%s)", nb.CC, nb.Version))
	}
	kernelErr := kernel.Supported()
	if kernelErr != nil {
		notes = append(notes, fmt.Sprintf("no kernel baseline: %v", kernelErr))
	} else {
		notes = append(notes, fmt.Sprintf("kernel baseline: best of %d loads; %s", kernelLoads, kernelJITNotes()))
	}
	var logInterp, logKernel, logNative, logKernelHere, logNativeHere float64
	var nInterp, nKernel, nNative, nKernelHere, nNativeHere int
	for _, w := range ws {
		b.Run(w.Name, func(b *testing.B) {
			var kb kernelBaseline
			if kernelErr == nil {
				var err error
				kb, err = loadKernelBaseline(w, kernelLoads)
				switch {
				case errors.Is(err, errKernelRejected):
					b.Logf("no kernel baseline: %v", err)
				case err != nil:
					b.Fatal(err)
				default:
					defer kb.Close()
				}
			}
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			jr, err := NewRunner(w, jitEngine)
			if err != nil {
				b.Fatal(err)
			}
			defer jr.Close()
			ir, err := NewRunner(w, interpEngine)
			if err != nil {
				b.Fatal(err)
			}
			defer ir.Close()
			br, err := NewRunner(w, boundedEngine)
			if err != nil {
				b.Fatal(err)
			}
			defer br.Close()
			var jit, bounded, in, native, kern float64
			for b.Loop() {
				jit = cpuMicros(b, jr, 20)
				bounded = cpuMicros(b, br, 20)
				in = cpuMicros(b, ir, 3)
				if nb != nil {
					native = nativeMicros(b, nb, w, 20)
				}
				if kb != nil {
					kern, _ = kb.micros(b, 20)
				}
			}
			b.ReportMetric(jit, "jit-µs")
			b.ReportMetric(bounded, "bounded-µs")
			b.ReportMetric(in, "interp-µs")
			b.ReportMetric(in/jit, "x-interp")
			logInterp += math.Log(in / jit)
			nInterp++
			if f := figs[w.Name]; f[1] > 0 {
				b.ReportMetric(jit/f[1], "vs-kernel")
				logKernel += math.Log(jit / f[1])
				nKernel++
			}
			if f := figs[w.Name]; f[0] > 0 {
				b.ReportMetric(jit/f[0], "vs-native")
				logNative += math.Log(jit / f[0])
				nNative++
			}
			if native > 0 {
				b.ReportMetric(native, "native-µs")
				b.ReportMetric(jit/native, "vs-native-here")
				logNativeHere += math.Log(jit / native)
				nNativeHere++
			}
			if kern > 0 {
				b.ReportMetric(kern, "kernel-µs")
				b.ReportMetric(jit/kern, "vs-kernel-here")
				logKernelHere += math.Log(jit / kern)
				nKernelHere++
			}
		})
	}
	b.Run("geomean", func(b *testing.B) {
		for b.Loop() {
		}
		for _, n := range notes {
			b.Log(n)
		}
		if nInterp > 0 {
			b.ReportMetric(math.Exp(logInterp/float64(nInterp)), "x-interp")
		}
		if nKernel > 0 {
			b.ReportMetric(math.Exp(logKernel/float64(nKernel)), "vs-kernel")
		}
		if nNative > 0 {
			b.ReportMetric(math.Exp(logNative/float64(nNative)), "vs-native")
		}
		if nKernelHere > 0 {
			b.ReportMetric(math.Exp(logKernelHere/float64(nKernelHere)), "vs-kernel-here")
		}
		if nNativeHere > 0 {
			b.ReportMetric(math.Exp(logNativeHere/float64(nNativeHere)), "vs-native-here")
		}
	})
}
