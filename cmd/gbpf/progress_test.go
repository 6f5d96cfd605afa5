package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// syncBuffer is a bytes.Buffer safe for the progress goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProgress shows the progress line of a command that has read half
// of its input file, then erases it before the command writes.
func TestProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.pcap")
	if err := os.WriteFile(path, make([]byte, 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(3<<19, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	defer func(d, e time.Duration) { progressDelay, progressEvery = d, e }(progressDelay, progressEvery)
	progressDelay, progressEvery = 0, 10*time.Millisecond

	var stderr syncBuffer
	cmd := &cobra.Command{Use: "fake"}
	progress.start(&stderr, true, cmd, []string{path, "not-a-file"})
	want := "\r\x1b[Kfake: 0s"
	if runtime.GOOS == "linux" {
		want += ", big.pcap 50% of 3.0 MiB"
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no progress line %q in %q", want, stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	progressNote("pass %d of %d", 2, 5)
	for !strings.Contains(stderr.String(), "pass 2 of 5") {
		if time.Now().After(deadline) {
			t.Fatalf("no note in %q", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Output erases the line first, if it is shown.
	var stdout syncBuffer
	progress.mu.Lock()
	progress.w = &stdout // stand-in: erasing goes to the progress writer
	progress.mu.Unlock()
	progressWriter{&stdout}.Write([]byte("result\n"))
	progress.finish()
	if got := stdout.String(); !strings.HasSuffix(got, "result\n") || (strings.Contains(got, "fake:") && !strings.Contains(got, "\x1b[K"+"result")) {
		t.Errorf("output after a progress line: %q", got)
	}

	// Not a terminal: whole lines.
	var lines syncBuffer
	progress.start(&lines, false, cmd, nil)
	for !strings.Contains(lines.String(), "fake: 0s\n") {
		if time.Now().After(deadline) {
			t.Fatalf("no progress line in %q", lines.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	progress.finish()
	if strings.Contains(lines.String(), "\r") {
		t.Errorf("carriage return where standard error is no terminal: %q", lines.String())
	}

	progressDelay = time.Minute
	if out, err := execGbpf(t, "version", "--progress"); err != nil || !strings.HasPrefix(out, "gbpf version ") {
		t.Errorf("gbpf version --progress: %v, %q", err, out)
	}
	progress.finish()
	if s := byteSize(1536); s != "1.5 KiB" {
		t.Errorf("byteSize(1536) = %q", s)
	}
}
