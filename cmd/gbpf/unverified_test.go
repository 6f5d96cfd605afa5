package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/testutil"
)

// TestRunUnverified runs programs that touch memory outside their stack
// (sandbox finding F10) through "gbpf run" on every engine: each must be
// rejected by the verifier, and with --no-verify stopped by the checked
// interpreter, both naming the instruction; never run on the JIT or the
// plain interpreter, where they read the Go stack or crash the process.
func TestRunUnverified(t *testing.T) { testutil.RunUnverified(t, runUnverified) }

var (
	rejectedAt = regexp.MustCompile(`: rejected by the verifier at instruction (\d+): .*; --no-verify runs it unverified on the checked interpreter$`)
	faultAt    = regexp.MustCompile(`: instruction (\d+): invalid memory access: `)
)

func runUnverified(t *testing.T, p testutil.Unverified) {
	path := writeTemp(t, "prog.s", p.Asm)
	stops := p.Stops()
	// The engines' names, and the older ones that are aliases.
	for _, e := range []string{"", "default", "jit", "interpreter", "checked", "jit-always", "interp", "interp-checked"} {
		args := []string{"run", path}
		if e != "" {
			args = append(args, "--engine", e)
		}
		_, err := execGbpf(t, args...)
		if err := stops.Reject(matchInsn(t, rejectedAt, err, args)); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	for _, extra := range [][]string{{"--no-verify"}, {"--no-verify", "--checked"}, {"--no-verify", "--engine", "checked"}, {"--no-verify", "--engine", "interp-checked"}} {
		args := append([]string{"run", path}, extra...)
		_, err := execGbpf(t, args...)
		if err := stops.Stop(matchInsn(t, faultAt, err, args)); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	for _, e := range []string{"default", "jit", "interpreter", "jit-always", "interp"} {
		_, err := execGbpf(t, "run", path, "--no-verify", "--engine", e)
		if err == nil || !strings.Contains(err.Error(), "cannot be combined with --engine "+e) {
			t.Errorf("--no-verify --engine %s: %v", e, err)
		}
	}
}

// matchInsn returns the instruction number re finds in err.
func matchInsn(t *testing.T, re *regexp.Regexp, err error, args []string) int {
	t.Helper()
	if err == nil {
		t.Fatalf("%q: no error", args)
	}
	m := re.FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("%q: error %q does not match %q", args, err, re)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestRunInputLimits checks that --mem is read only up to the largest
// input of a raw program (1 MiB), from a file or standard input, and a
// program file only up to 64 MiB.
func TestRunInputLimits(t *testing.T) {
	prog := writeTemp(t, "r2.s", "mov %r0, %r2\nexit\n")
	exact := writeTemp(t, "exact.bin", strings.Repeat("\x01", 1<<20))
	over := writeTemp(t, "over.bin", strings.Repeat("\x01", 1<<20+1))
	out, err := execGbpf(t, "run", prog, "--mem", "@"+exact)
	if err != nil || !strings.HasPrefix(out, fmt.Sprintf("%#x\n", 1<<20)) {
		t.Errorf("1 MiB: %v\n%s", err, out)
	}
	const tooLarge = "--mem: the input is larger than 1 MiB, the most Raw programs take"
	for _, args := range [][]string{
		{"run", prog, "--mem", "@" + over},
		{"run", prog, "--mem", "@/dev/zero"},
		{"run", prog, "--mem", "@/dev/zero", "--no-verify"},
		{"run", prog, "--mem", strings.Repeat("00", 1<<20+1)},
	} {
		if _, err := execGbpf(t, args...); err == nil || err.Error() != tooLarge {
			t.Errorf("%.60q: %v, want %q", args, err, tooLarge)
		}
	}
	rootCmd.SetIn(zeros{})
	defer rootCmd.SetIn(nil)
	if _, err := execGbpf(t, "run", prog, "--mem", "@-"); err == nil || err.Error() != tooLarge {
		t.Errorf("@- of endless zeros: %v", err)
	}
	// Program files are bounded too.
	const fileTooLarge = "larger than 64 MiB, the most a program file may be"
	for _, args := range [][]string{{"run", "/dev/zero"}, {"verify", "-"}, {"asm", "-"}} {
		rootCmd.SetIn(zeros{})
		if _, err := execGbpf(t, args...); err == nil || !strings.HasSuffix(err.Error(), fileTooLarge) {
			t.Errorf("%q: %v, want an error ending in %q", args, err, fileTooLarge)
		}
	}
	rootCmd.SetIn(strings.NewReader("\x07\x00\x00"))
	if out, err := execGbpf(t, "run", prog, "--mem", "@-"); err != nil || !strings.HasPrefix(out, "0x3\n") {
		t.Errorf("@-: %v\n%s", err, out)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}
