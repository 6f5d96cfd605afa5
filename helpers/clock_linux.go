package helpers

import "golang.org/x/sys/unix"

// clockOffsets reads CLOCK_MONOTONIC and CLOCK_BOOTTIME once.
func clockOffsets() (mono, boot int64) {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) == nil {
		mono = ts.Nano()
	}
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) == nil {
		boot = ts.Nano()
	} else {
		boot = mono
	}
	return mono, boot
}
