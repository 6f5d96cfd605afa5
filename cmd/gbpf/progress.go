package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// A command that runs longer than progressDelay shows a progress line on
// standard error, redrawn every progressEvery, when standard error is a
// terminal or --progress asks for it: the command, the time it has run,
// how far it has read the files it was given (from /proc/self/fdinfo, so
// no command has to report it) and what it said last with progressNote.
// On a terminal the line is redrawn in place and erased before anything
// else is written through the command's output streams; otherwise each
// update is a line of its own.
var (
	progressDelay = 2 * time.Second
	progressEvery = time.Second
)

// progressFlag is the root's --progress.
var progressFlag bool

func init() {
	rootCmd.PersistentFlags().BoolVar(&progressFlag, "progress", false, "show a progress line on standard error for anything that runs longer than two seconds, even when it is not a terminal")
	rootCmd.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if err := spoolStdinArgs(cmd, args); err != nil {
			return err
		}
		if progressFlag || isTerminal(os.Stderr) {
			progress.start(os.Stderr, isTerminal(os.Stderr), cmd, args)
		}
		return nil
	}
	rootCmd.SetOut(progressWriter{os.Stdout})
	rootCmd.SetErr(progressWriter{os.Stderr})
}

// isTerminal reports whether f is a character device, as terminals are.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressLine is the progress of the running command.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	term  bool
	shown bool // a line is on the terminal, not yet erased
	name  string
	files []string
	note  string
	begin time.Time
	stop  chan struct{}
	done  chan struct{}
}

var progress progressLine

// progressNote sets what the progress line says the command is doing,
// such as "kernel mode, run 2 of 5".
func progressNote(format string, args ...any) {
	progress.mu.Lock()
	progress.note = fmt.Sprintf(format, args...)
	progress.mu.Unlock()
}

// start begins showing progress of cmd to w after progressDelay.
func (p *progressLine) start(w io.Writer, term bool, cmd *cobra.Command, args []string) {
	p.finish()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.w, p.term, p.name, p.note, p.begin = w, term, cmd.CommandPath(), "", time.Now()
	p.files = inputFiles(cmd, args)
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go p.loop(p.stop, p.done)
}

func (p *progressLine) loop(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTimer(progressDelay)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		p.mu.Lock()
		line := p.line()
		if p.term {
			fmt.Fprintf(p.w, "\r\x1b[K%s", line)
			p.shown = true
		} else {
			fmt.Fprintln(p.w, line)
		}
		p.mu.Unlock()
		t.Reset(progressEvery)
	}
}

// line describes the progress.
func (p *progressLine) line() string {
	parts := []string{fmt.Sprintf("%s: %s", p.name, time.Since(p.begin).Round(time.Second))}
	for _, f := range p.files {
		if r := readProgress(f); r != "" {
			parts = append(parts, r)
		}
	}
	if p.note != "" {
		parts = append(parts, p.note)
	}
	return strings.Join(parts, ", ")
}

// erase removes a progress line from the terminal; p.mu is held.
func (p *progressLine) erase() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// finish stops the progress line and erases it.
func (p *progressLine) finish() {
	p.mu.Lock()
	stop, done := p.stop, p.done
	p.stop, p.done = nil, nil
	p.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	<-done
	p.mu.Lock()
	p.erase()
	p.mu.Unlock()
}

// progressWriter erases the progress line before each write.
type progressWriter struct{ w io.Writer }

func (pw progressWriter) Write(b []byte) (int, error) {
	progress.mu.Lock()
	defer progress.mu.Unlock()
	progress.erase()
	return pw.w.Write(b)
}

// inputFiles returns the regular files among the command's arguments and
// the values of its flags (@FILE too), as absolute paths.
func inputFiles(cmd *cobra.Command, args []string) []string {
	cands := append([]string(nil), args...)
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if f.Value.Type() == "string" {
			cands = append(cands, strings.TrimPrefix(f.Value.String(), "@"))
		}
	})
	var files []string
	for _, c := range cands {
		if st, err := os.Stat(c); err != nil || !st.Mode().IsRegular() {
			continue
		}
		if abs, err := filepath.Abs(c); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				files = append(files, real)
			}
		}
	}
	return files
}

// readProgress describes how far this process has read path, from the
// file offset of a descriptor open on it ("" if none is, or where /proc
// does not tell).
func readProgress(path string) string {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return ""
	}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err != nil || target != path {
			continue
		}
		info, err := os.ReadFile(filepath.Join("/proc/self/fdinfo", fd.Name()))
		if err != nil {
			continue
		}
		var pos int64 = -1
		for _, l := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(l, "pos:"); ok {
				pos, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			}
		}
		st, err := os.Stat(path)
		if err != nil || pos < 0 || st.Size() == 0 {
			continue
		}
		return fmt.Sprintf("%s %d%% of %s", filepath.Base(path), pos*100/st.Size(), byteSize(st.Size()))
	}
	return ""
}

// byteSize writes n bytes in the largest binary unit that keeps it at
// least 1.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGT"[i-1])
}
