package bench

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// nativeDir holds the plain-C version of each workload (NAME.c, named
// after the workload) and the driver that runs and times one of them.
const nativeDir = "native"

// cCompilers are the C compilers the native baselines are built with, in
// order of preference: the suite's figures were measured with gcc -O2.
var cCompilers = []string{"cc", "gcc", "clang"}

// cFlags are the flags every native baseline is built with.
var cFlags = []string{"-std=c11", "-O2", "-Wall", "-Wextra", "-Werror"}

// nativeBuild is the native baselines of a set of workloads, built.
type nativeBuild struct {
	CC      string            // the compiler, as found on $PATH
	Version string            // the first line of its --version
	Bins    map[string]string // workload name → executable
}

// cCompiler returns the path of the first C compiler of cCompilers on $PATH.
func cCompiler() (string, error) {
	for _, name := range cCompilers {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("no C compiler (%s) on $PATH", strings.Join(cCompilers, ", "))
}

// buildNative compiles the C version of each workload of ws, with the
// driver, into an executable in dir. Every workload must have one.
func buildNative(cc string, ws []*Workload, dir string) (*nativeBuild, error) {
	nb := &nativeBuild{CC: cc, Bins: make(map[string]string, len(ws))}
	out, err := exec.Command(cc, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w", cc, err)
	}
	nb.Version, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
	driver := filepath.Join(nativeDir, "driver.c")
	for _, w := range ws {
		src := filepath.Join(nativeDir, w.Name+".c")
		if _, err := os.Stat(src); err != nil {
			return nil, fmt.Errorf("native version of %s: %w", w.Name, err)
		}
		bin := filepath.Join(dir, w.Name)
		args := append(append([]string(nil), cFlags...), "-o", bin, driver, src)
		if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building %s: %s %s: %v\n%s", w.Name, cc, strings.Join(args, " "), err, out)
		}
		nb.Bins[w.Name] = bin
	}
	return nb, nil
}

// nativeRun is what one invocation of a native baseline reports.
type nativeRun struct {
	Result  uint64  // the workload's result, the same in every run
	MemSize int     // the buffer size it was built for
	Micros  float64 // the least thread CPU time of one run, in µs
	Runs    int     // the number of runs
}

// run runs the native baseline of the named workload runs times.
func (nb *nativeBuild) run(name string, runs int) (nativeRun, error) {
	bin, ok := nb.Bins[name]
	if !ok {
		return nativeRun{}, fmt.Errorf("no native baseline for %s", name)
	}
	cmd := exec.Command(bin, strconv.Itoa(runs))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nativeRun{}, fmt.Errorf("native %s: %v: %s", name, err, strings.TrimSpace(stderr.String()))
	}
	r, err := parseNativeOutput(string(out))
	if err != nil {
		return nativeRun{}, fmt.Errorf("native %s: %w", name, err)
	}
	if r.Runs != runs {
		return nativeRun{}, fmt.Errorf("native %s: ran %d times, want %d", name, r.Runs, runs)
	}
	return r, nil
}

// parseNativeOutput parses the driver's one line of output:
//
//	result=0x3babf55f4ea33e81 mem-size=0 best-us=81.691 runs=20
func parseNativeOutput(out string) (nativeRun, error) {
	line, rest, _ := strings.Cut(out, "\n")
	if strings.TrimSpace(rest) != "" {
		return nativeRun{}, fmt.Errorf("output has more than one line: %q", out)
	}
	var r nativeRun
	seen := map[string]bool{}
	for field := range strings.FieldsSeq(line) {
		key, val, ok := strings.Cut(field, "=")
		if !ok {
			return nativeRun{}, fmt.Errorf("field %q is not key=value", field)
		}
		if seen[key] {
			return nativeRun{}, fmt.Errorf("field %q repeated", key)
		}
		seen[key] = true
		var err error
		switch key {
		case "result":
			hex, ok := strings.CutPrefix(val, "0x")
			if !ok {
				err = errors.New("not hexadecimal")
				break
			}
			r.Result, err = strconv.ParseUint(hex, 16, 64)
		case "mem-size":
			r.MemSize, err = strconv.Atoi(val)
		case "best-us":
			r.Micros, err = strconv.ParseFloat(val, 64)
			if err == nil && (math.IsNaN(r.Micros) || math.IsInf(r.Micros, 0) || r.Micros < 0) {
				err = errors.New("not a time")
			}
		case "runs":
			r.Runs, err = strconv.Atoi(val)
		default:
			return nativeRun{}, fmt.Errorf("unknown field %q", key)
		}
		if err != nil {
			return nativeRun{}, fmt.Errorf("field %s=%q: %v", key, val, err)
		}
	}
	for _, key := range []string{"result", "mem-size", "best-us", "runs"} {
		if !seen[key] {
			return nativeRun{}, fmt.Errorf("no %s in %q", key, line)
		}
	}
	return r, nil
}

// buildNativeOrSkip builds the native baselines of ws into a temporary
// directory, skipping tb when there is no C compiler.
func buildNativeOrSkip(tb testing.TB, ws []*Workload) *nativeBuild {
	tb.Helper()
	cc, err := cCompiler()
	if err != nil {
		tb.Skip(err)
	}
	nb, err := buildNative(cc, ws, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return nb
}

// nativeMicros returns the least thread CPU time, in µs, of one run of w's
// native baseline over runs runs, after checking its result.
func nativeMicros(tb testing.TB, nb *nativeBuild, w *Workload, runs int) float64 {
	tb.Helper()
	r, err := nb.run(w.Name, runs)
	if err != nil {
		tb.Fatal(err)
	}
	if r.Result != w.Result {
		tb.Fatalf("native %s: result %#x, want %#x", w.Name, r.Result, w.Result)
	}
	return r.Micros
}

// TestNative builds the native baseline of every workload and checks that
// it returns the workload's result, twice in a row, on a buffer of the
// workload's size.
func TestNative(t *testing.T) {
	ws := loadWorkloads(t)
	nb := buildNativeOrSkip(t, ws)
	t.Logf("built with %s (%s)", nb.CC, nb.Version)
	for _, w := range ws {
		t.Run(w.Name, func(t *testing.T) {
			r, err := nb.run(w.Name, 2)
			if err != nil {
				t.Fatal(err)
			}
			if r.Result != w.Result {
				t.Errorf("result %#x, want %#x", r.Result, w.Result)
			}
			if r.MemSize != len(w.Input) {
				t.Errorf("mem-size %d, want %d", r.MemSize, len(w.Input))
			}
		})
	}
}

// TestNativeDriverArgs checks that the driver refuses a bad run count.
func TestNativeDriverArgs(t *testing.T) {
	ws := loadWorkloads(t)
	nb := buildNativeOrSkip(t, ws[:1])
	for _, arg := range []string{"0", "-3", "x", "12x", ""} {
		out, err := exec.Command(nb.Bins[ws[0].Name], arg).CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("run count %q: %v, want exit status 2; output %q", arg, err, out)
		}
	}
}

// BenchmarkNative times the native baseline of each workload: the least
// thread CPU time of one run over 20 runs, as the driver measures it.
func BenchmarkNative(b *testing.B) {
	ws := loadWorkloads(b)
	nb := buildNativeOrSkip(b, ws)
	for _, w := range ws {
		b.Run(w.Name, func(b *testing.B) {
			var us float64
			for b.Loop() {
				us = nativeMicros(b, nb, w, 20)
			}
			b.ReportMetric(us, "native-µs")
		})
	}
}

func TestParseNativeOutput(t *testing.T) {
	tests := []struct {
		out  string
		want nativeRun
		err  string // a part of the error; "" for none
	}{
		{"result=0x3babf55f4ea33e81 mem-size=0 best-us=81.691 runs=20\n",
			nativeRun{Result: 0x3babf55f4ea33e81, Micros: 81.691, Runs: 20}, ""},
		{"runs=1 best-us=0.5 mem-size=65536 result=0xffffffffffffffff",
			nativeRun{Result: 1<<64 - 1, MemSize: 65536, Micros: 0.5, Runs: 1}, ""},
		{"", nativeRun{}, "no result"},
		{"result=0x1 mem-size=0 best-us=1\n", nativeRun{}, "no runs"},
		{"result=1 mem-size=0 best-us=1 runs=1", nativeRun{}, "not hexadecimal"},
		{"result=0x10000000000000000 mem-size=0 best-us=1 runs=1", nativeRun{}, "out of range"},
		{"result=0x1 mem-size=0 best-us=NaN runs=1", nativeRun{}, "not a time"},
		{"result=0x1 mem-size=0 best-us=-1 runs=1", nativeRun{}, "not a time"},
		{"result=0x1 mem-size=0 best-us=+Inf runs=1", nativeRun{}, "not a time"},
		{"result=0x1 mem-size=x best-us=1 runs=1", nativeRun{}, "mem-size"},
		{"result=0x1 result=0x2 mem-size=0 best-us=1 runs=1", nativeRun{}, "repeated"},
		{"result=0x1 mem-size=0 best-us=1 runs=1 cycles=5", nativeRun{}, "unknown field"},
		{"result=0x1 mem-size=0 best-us=1 runs", nativeRun{}, "not key=value"},
		{"result=0x1 mem-size=0 best-us=1 runs=1\nmore\n", nativeRun{}, "more than one line"},
	}
	for _, tt := range tests {
		got, err := parseNativeOutput(tt.out)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("parseNativeOutput(%q): %v", tt.out, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("parseNativeOutput(%q) error = %v, want one containing %q", tt.out, err, tt.err)
		case tt.err == "" && got != tt.want:
			t.Errorf("parseNativeOutput(%q) = %+v, want %+v", tt.out, got, tt.want)
		}
	}
}
