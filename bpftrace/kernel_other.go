//go:build !linux

package bpftrace

import (
	"fmt"
	"runtime"
	"time"

	"github.com/gbpf/gbpf"
)

func monotonicNow() uint64 { return uint64(time.Now().UnixNano()) }

func newKernelBackend(*Script, []*ProbeProgram) (backend, error) {
	return nil, fmt.Errorf("kernel mode needs Linux, this is %s: %w", runtime.GOOS, gbpf.ErrNotSupported)
}
