package testutil

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Unverified is a program, in assembler text, that touches memory outside
// its stack and input: the verifier must reject it, and the checked
// interpreter must stop it, both naming instruction Insn (-1 when not
// known in advance: see Stops). It runs without input memory.
type Unverified struct {
	Name string
	Asm  string
	Insn int
}

// UnverifiedPrograms are our own programs of the shapes of the sandbox
// findings' unverified programs (F10): a read or a write above the frame,
// where the Go stack holds return addresses; far below the stack; at a
// wild address; after a loop or inside a function, where the JIT's frame
// is not a leaf's.
var UnverifiedPrograms = []Unverified{
	{"read above the frame", "mov %r0, 0\nldxdw %r0, [%r10+16]\nexit\n", 1},
	{"write far above the frame", "mov %r0, 0\nmov %r1, %r10\nstdw [%r1+1536], 0\nexit\n", 2},
	{"write below the stack", "stw [%r10-2048], 1\nmov %r0, 0\nexit\n", 0},
	{"write above the frame after a loop", "mov %r0, 0\nmov %r1, 2\nloop:\nsub %r1, 1\njne %r1, 0, loop\nstdw [%r10+8], 0\nexit\n", 4},
	{"wild read after a loop", "mov %r0, 0\nmov %r2, 3\nloop:\nsub %r2, 1\njne %r2, 0, loop\nlddw %r3, 0x2000\nldxb %r0, [%r3]\nexit\n", 6},
	{"wild write in a function", "mov %r0, 0\ncall local f\nexit\nf:\nlddw %r1, 0x3000\nstxw [%r1+8], %r1\nmov %r0, 0\nexit\n", 5},
}

// SharedUnverified returns the programs of the shared sandbox/unverified
// directory (the findings' F10), named by file, with Insn -1. The test is
// skipped when the directory is absent.
func SharedUnverified(t testing.TB) []Unverified {
	t.Helper()
	dir := SharedDir(t, "sandbox", "unverified")
	paths, err := filepath.Glob(filepath.Join(dir, "*.s"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("%s: no programs: %v", dir, err)
	}
	sort.Strings(paths)
	var ps []Unverified
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, Unverified{Name: strings.TrimSuffix(filepath.Base(path), ".s"), Asm: string(b), Insn: -1})
	}
	return ps
}

// RunUnverified runs f on each of UnverifiedPrograms, then on each of
// SharedUnverified (skipped when the shared data is absent), in subtests
// named "own/NAME" and "shared/NAME".
func RunUnverified(t *testing.T, f func(t *testing.T, u Unverified)) {
	sets := []struct {
		name  string
		progs func(testing.TB) []Unverified
	}{
		{"own", func(testing.TB) []Unverified { return UnverifiedPrograms }},
		{"shared", SharedUnverified},
	}
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			for _, u := range set.progs(t) {
				t.Run(u.Name, func(t *testing.T) { f(t, u) })
			}
		})
	}
}

// Stops holds where the verifier rejects an Unverified program and where
// the checked interpreter stops it, learnt from the first path a test runs
// it through when Insn is -1, so that every other path must agree. The
// checked interpreter stops at the first access outside memory the program
// may touch, which may come after the address arithmetic the verifier
// rejects, never before it.
type Stops struct{ Rejected, Stopped int }

// Stops returns the expected stops of u.
func (u Unverified) Stops() *Stops { return &Stops{u.Insn, u.Insn} }

// Reject checks a rejection at instruction insn.
func (s *Stops) Reject(insn int) error {
	if s.Rejected < 0 {
		s.Rejected = insn
	}
	if insn != s.Rejected {
		return fmt.Errorf("rejected at instruction %d, want %d", insn, s.Rejected)
	}
	return nil
}

// Stop checks a stop of the checked interpreter at instruction insn.
func (s *Stops) Stop(insn int) error {
	if s.Stopped < 0 {
		s.Stopped = insn
	}
	switch {
	case insn != s.Stopped:
		return fmt.Errorf("stopped at instruction %d, want %d", insn, s.Stopped)
	case s.Rejected >= 0 && insn < s.Rejected:
		return fmt.Errorf("stopped at instruction %d, before the verifier's rejection at %d", insn, s.Rejected)
	}
	return nil
}
