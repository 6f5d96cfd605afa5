//go:build unix

package testutil

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// LockTracing holds an exclusive lock, across processes, for the rest of
// the test: tests that attach to kernel tracepoints take it so that test
// binaries run in parallel (go test runs packages at once) do not see each
// other's events, or lose them: while a BPF program that returns 0 is
// attached to a tracepoint, the kernel hands none of its records to perf
// events.
func LockTracing(t testing.TB) {
	t.Helper()
	path := filepath.Join(os.TempDir(), "gbpf-tracing-tests.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatalf("tracing lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatalf("tracing lock %s: %v", path, err)
	}
	t.Cleanup(func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}
