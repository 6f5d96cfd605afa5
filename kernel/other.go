//go:build !linux

package kernel

import (
	"errors"
	"time"
)

// Off Linux there is no bpf(), perf_event_open or tracefs: every entry
// point that needs them reports notLinux's error, which wraps
// gbpf.ErrNotSupported, and Supported says so up front.

// errBusy never matches: mount always fails.
var errBusy = errors.New("busy")

func mount(string, string) error { return notLinux() }

// KprobesSupported reports that there are no kprobes here.
func KprobesSupported() error { return notLinux() }

// AttachTracepoint reports that there are no tracepoints here.
func (c *Collection) AttachTracepoint(prog, group, name string) error { return notLinux() }

// AttachKprobe reports that there are no kprobes here.
func (c *Collection) AttachKprobe(prog, symbol string) error { return notLinux() }

// AttachKretprobe reports that there are no kretprobes here.
func (c *Collection) AttachKretprobe(prog, symbol string) error { return notLinux() }

// AttachUprobe reports that there are no uprobes here.
func (c *Collection) AttachUprobe(prog, path, symbol string) error { return notLinux() }

// AttachUprobeOffset reports that there are no uprobes here.
func (c *Collection) AttachUprobeOffset(prog, path string, off uint64) error { return notLinux() }

// AttachUretprobe reports that there are no uretprobes here.
func (c *Collection) AttachUretprobe(prog, path, symbol string) error { return notLinux() }

// TracepointReader copies the records of one tracepoint to user space;
// off Linux none can be opened.
type TracepointReader struct{ format *Format }

// OpenTracepoint reports that there are no tracepoints here.
func OpenTracepoint(group, name string, opts ReaderOptions) (*TracepointReader, error) {
	return nil, notLinux()
}

// Format returns the layout of the tracepoint's records.
func (r *TracepointReader) Format() *Format { return r.format }

// Lost returns the number of records the kernel dropped: none here.
func (r *TracepointReader) Lost() uint64 { return 0 }

// Samples returns the number of records read: none here.
func (r *TracepointReader) Samples() uint64 { return 0 }

// Read reports that there is nothing to read here.
func (r *TracepointReader) Read(timeout time.Duration, fn func(*Sample) error) (int, error) {
	return 0, notLinux()
}

// Close has nothing to release.
func (r *TracepointReader) Close() error { return nil }
