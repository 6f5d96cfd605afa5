package amd64

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// signalName names a signal the fault handler caught ("SIGSEGV").
func signalName(sig uint64) string { return unix.SignalName(syscall.Signal(sig)) }
