package gbpf

import (
	"runtime"
	"syscall"
	"time"
)

// threadTime returns the CPU time the calling thread has used; the caller
// must be locked to its thread.
func threadTime() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// onThread runs f locked to a thread and returns the CPU time it used,
// which a loaded machine inflates less than wall time.
func onThread(f func()) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := threadTime()
	f()
	return threadTime() - start
}
