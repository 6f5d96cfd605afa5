// Package testutil has helpers shared by gbpf's tests.
package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// SharedDir returns the project's shared data directory: $GBPF_SHARED if
// set, otherwise the directory "shared" beside the repository root (the
// directory holding go.mod). The test is skipped when it does not exist.
func SharedDir(t testing.TB, sub ...string) string {
	t.Helper()
	dir, err := SharedPath(sub...)
	if err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	return dir
}

// SharedPath is SharedDir for callers that go on without the shared data
// (fuzz seeds, for one): it returns the error instead of skipping.
func SharedPath(sub ...string) (string, error) {
	dir := os.Getenv("GBPF_SHARED")
	if dir == "" {
		root, err := RepoRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, "..", "shared")
	}
	dir = filepath.Join(append([]string{dir}, sub...)...)
	if _, err := os.Stat(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// RepoRoot returns the directory holding go.mod, searching upward from the
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// RequireKernel reports whether tests that need the kernel must run rather
// than skip (GBPF_REQUIRE_KERNEL=1, set by CI where the bpf() syscall works).
func RequireKernel() bool { return os.Getenv("GBPF_REQUIRE_KERNEL") == "1" }

// SkipWithoutKernel skips the test with reason, or fails it when the
// kernel is required.
func SkipWithoutKernel(t testing.TB, reason string) {
	t.Helper()
	if RequireKernel() {
		t.Fatalf("kernel required (GBPF_REQUIRE_KERNEL=1) but unavailable: %s", reason)
	}
	t.Skip(reason)
}

// SuiteAsm returns the "-- asm" sections of the shared conformance suite's
// test files, for fuzzing seeds, or nil without the shared data. It only
// cuts the sections out; the conformance package parses the files fully,
// but the packages it imports cannot use it in their own tests.
func SuiteAsm() []string {
	dir, err := SharedPath("conformance", "bpf_conformance", "tests")
	if err != nil {
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.data"))
	var srcs []string
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var src []string
		in := false
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "-- "); ok {
				in = strings.TrimSpace(name) == "asm"
				continue
			}
			if in {
				src = append(src, line)
			}
		}
		if src != nil {
			srcs = append(srcs, strings.Join(src, "\n"))
		}
	}
	return srcs
}
