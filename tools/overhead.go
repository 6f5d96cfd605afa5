package tools

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"text/tabwriter"
	"time"
)

// ModeNone is the overhead baseline: no tracing at all.
const ModeNone Mode = "none"

// ModeHook runs the same program as ModeKernel in-process: after each
// event the workload fires a gbpf hook with the record the kernel would
// have given the program, as a Go service that counts its own events
// does. It is measured for the getppid workload only.
const ModeHook Mode = "hook"

// OverheadOptions configures MeasureOverhead.
type OverheadOptions struct {
	// Calls is the number of getppid() calls per measurement; 0 means
	// 1,000,000.
	Calls int
	// IOs is the number of 4 KiB O_DIRECT writes per measurement; 0 means
	// 2,000.
	IOs int
	// Dir holds the direct-I/O file; it must be on a block device. ""
	// means the system's temporary directory.
	Dir string
	// Modes lists what to measure: ModeNone, ModeKernel, ModeCopy,
	// ModeHook. nil means all four.
	Modes []Mode
	// RingPages sizes copy mode's per-CPU perf rings; 0 means 8192 pages
	// (32 MiB with 4 KiB pages), room for a million getppid records so that
	// copy mode is measured copying every event rather than dropping them.
	RingPages int
	// Repeat runs each measurement this many times and keeps the one
	// that used the least CPU per event, the least disturbed by the rest
	// of the machine; 0 means 3.
	Repeat int
	// Progress, if set, is called before each measurement with its
	// workload and mode, and its place (from 1) among all of them.
	Progress func(workload string, mode Mode, step, steps int)
}

// OverheadResult is one measurement: a workload run with tracing in one
// mode.
type OverheadResult struct {
	Workload string // "getppid" or "direct-io"
	Mode     Mode
	// Events is the number of tracepoint events the workload caused
	// (calls or I/O requests issued).
	Events uint64
	// Counted is the number of events the tool counted (0 for ModeNone).
	Counted uint64
	// Lost is the number of records dropped by full perf rings (copy).
	Lost uint64
	// Wall is the elapsed time, including copy mode's draining of the
	// rings after the workload.
	Wall time.Duration
	// CPU is the process's user+system CPU time: the workload's thread
	// (with what the kernel spends in the tracepoint) and copy mode's
	// consumer.
	CPU time.Duration
}

// PerSecond returns events per second of wall time.
func (r OverheadResult) PerSecond() float64 { return float64(r.Events) / r.Wall.Seconds() }

// CPUPerEvent returns CPU nanoseconds per event.
func (r OverheadResult) CPUPerEvent() float64 {
	return float64(r.CPU.Nanoseconds()) / float64(r.Events)
}

// MeasureOverhead runs the getppid and direct-I/O workloads with no
// tracing, with the tools' programs aggregating in the kernel, and with
// every record copied to gbpf's runtime, and the getppid workload with the
// program fired from a hook in-process, and measures each.
func MeasureOverhead(opts OverheadOptions) ([]OverheadResult, error) {
	if opts.Calls == 0 {
		opts.Calls = 1_000_000
	}
	if opts.IOs == 0 {
		opts.IOs = 2000
	}
	if opts.RingPages == 0 {
		opts.RingPages = 8192
	}
	if opts.Repeat <= 0 {
		opts.Repeat = 3
	}
	modes := opts.Modes
	if modes == nil {
		modes = []Mode{ModeNone, ModeKernel, ModeCopy, ModeHook}
	}
	// Two workloads, each in every mode, Repeat times.
	step, steps := 0, 2*len(modes)*opts.Repeat

	var out []OverheadResult
	for _, w := range []struct {
		name string
		run  func(Mode, OverheadOptions) (OverheadResult, error)
	}{{"getppid", measureGetppid}, {"direct-io", measureDirectIO}} {
		for _, m := range modes {
			if m == ModeHook && w.name != "getppid" {
				continue
			}
			var best OverheadResult
			for i := range opts.Repeat {
				if step++; opts.Progress != nil {
					opts.Progress(w.name, m, step, steps)
				}
				r, err := w.run(m, opts)
				if err != nil {
					return out, fmt.Errorf("overhead %s, mode %s: %w", w.name, m, err)
				}
				if i == 0 || r.CPUPerEvent() < best.CPUPerEvent() {
					best = r
				}
			}
			out = append(out, best)
		}
	}
	return out, nil
}

// measure runs work between two clock and rusage readings; finish (which
// may be nil) runs before the second reading.
func measure(work func() error, finish func() error) (wall, cpu time.Duration, err error) {
	runtime.GC()
	c0, t0 := cpuTime(), time.Now()
	if err := work(); err != nil {
		return 0, 0, err
	}
	if finish != nil {
		if err := finish(); err != nil {
			return 0, 0, err
		}
	}
	return time.Since(t0), cpuTime() - c0, nil
}

// commOf returns this process's command name, as block tracepoints record
// it.
func commOf() string {
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		return ""
	}
	return string(b[:len(b)-1])
}

// WriteOverhead prints results as a Markdown table under the machine's
// description.
func WriteOverhead(w io.Writer, m Machine, results []OverheadResult) error {
	fmt.Fprintf(w, "Machine: %s\n\n", m)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "| workload\t mode\t events\t counted\t lost\t events/s\t CPU ns/event\t")
	fmt.Fprintln(tw, "|---\t---\t---:\t---:\t---:\t---:\t---:\t")
	for _, r := range results {
		counted := "-"
		if r.Mode != ModeNone {
			counted = fmt.Sprint(r.Counted)
		}
		fmt.Fprintf(tw, "| %s\t %s\t %d\t %s\t %d\t %.0f\t %.0f\t\n", r.Workload, r.Mode, r.Events, counted, r.Lost, r.PerSecond(), r.CPUPerEvent())
	}
	return tw.Flush()
}
