//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// TestRunInterrupt checks that Ctrl-C (SIGINT) ends a run that would not
// end for years, with the context's error.
func TestRunInterrupt(t *testing.T) {
	// While the test listens for SIGINT too, the signal cannot end the
	// process, whenever it comes.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	spin := writeTemp(t, "spin.asm", "ja -1\nexit\n")
	done := make(chan error, 1)
	go func() {
		_, err := execGbpf(t, "run", spin, "--no-verify", "--budget", "4611686018427387904")
		done <- err
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want %v", err, context.Canceled)
			}
			return
		case <-tick.C:
			if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatal("SIGINT did not end the run")
		}
	}
}
