package tools

import (
	"fmt"

	"github.com/gbpf/gbpf/kernel"
)

// Mode says where a tool's BPF program runs.
type Mode string

// The modes of a tool.
const (
	// ModeKernel runs the program in the kernel; it aggregates in a kernel
	// map and user space reads only the buckets.
	ModeKernel Mode = "kernel"
	// ModeCopy copies every tracepoint record to user space through perf
	// rings and runs the program on it in gbpf's runtime.
	ModeCopy Mode = "copy"
)

// DefaultMode is ModeKernel where the bpf() syscall works, ModeCopy
// otherwise.
func DefaultMode() Mode {
	if kernel.Supported() == nil {
		return ModeKernel
	}
	return ModeCopy
}

// ParseMode parses "kernel" or "copy"; "" and "auto" give DefaultMode.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "", "auto":
		return DefaultMode(), nil
	case string(ModeKernel), string(ModeCopy):
		return Mode(s), nil
	}
	return "", fmt.Errorf("unknown mode %q: want kernel, copy or auto", s)
}

// Describe says in a line what the mode does, for tools' headers.
func (m Mode) Describe() string {
	switch m {
	case ModeKernel:
		return "mode kernel: the BPF program runs in the kernel and aggregates there; user space reads only the buckets"
	case ModeCopy:
		return "mode copy: every tracepoint record is copied to user space and the BPF program runs on it in gbpf's runtime"
	}
	return "mode " + string(m)
}
