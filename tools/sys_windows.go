package tools

import "time"

// The tools trace Linux; on Windows these only let the package build.

var processStart = time.Now()

// monotonic returns nanoseconds since the package's start, a monotonic
// clock (there is no CLOCK_MONOTONIC to match).
func monotonic() uint64 { return uint64(time.Since(processStart)) }

// cpuTime returns 0: the process's CPU time is not read on Windows.
func cpuTime() time.Duration { return 0 }

// kernelRelease returns "": there is no Linux kernel release.
func kernelRelease() string { return "" }
