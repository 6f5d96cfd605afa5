// Package testutil has helpers shared by gbpf's tests.
package testutil

import (
	"os"
	"path/filepath"
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
