package amd64

// The machine code is x86-64 code for Linux, whatever GOOS and GOARCH
// compile this package: its system calls use the x86-64 Linux numbers, and
// the signals its fault handler reports are Linux's.
const (
	sysWrite     = 1   // write(2)
	sysExitGroup = 231 // exit_group(2)

	sigBUS  = 7
	sigSEGV = 11
)
