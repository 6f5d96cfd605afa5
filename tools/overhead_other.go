//go:build !linux

package tools

import (
	"fmt"
	"runtime"

	"github.com/gbpf/gbpf/abi"
)

// measureDirectIO reports that the direct-I/O workload (O_DIRECT,
// fallocate) is Linux's.
func measureDirectIO(mode Mode, opts OverheadOptions) (OverheadResult, error) {
	return OverheadResult{Workload: "direct-io", Mode: mode}, fmt.Errorf("direct-I/O workload on %s: %w", runtime.GOOS, abi.ErrNotSupported)
}

// measureGetppid reports that the getppid workload counts Linux system
// calls.
func measureGetppid(mode Mode, opts OverheadOptions) (OverheadResult, error) {
	return OverheadResult{Workload: "getppid", Mode: mode}, fmt.Errorf("getppid workload on %s: %w", runtime.GOOS, abi.ErrNotSupported)
}
