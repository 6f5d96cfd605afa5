//go:build !linux

package helpers

// clockOffsets: off Linux there are no CLOCK_MONOTONIC and CLOCK_BOOTTIME
// to match, so both clocks count from the package's start; they are
// monotonic, and only their differences mean anything, as in Linux.
func clockOffsets() (mono, boot int64) { return 0, 0 }
