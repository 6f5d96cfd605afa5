package maps

import "syscall"

// The Linux errno values that map operations return, with Linux's numbers
// on every system: a program sees -ENOENT as Linux defines it whether gbpf
// runs on Linux, macOS or Windows. On Linux they equal unix.ENOENT and so on.
const (
	ePERM      syscall.Errno = 1
	eNOENT     syscall.Errno = 2
	e2BIG      syscall.Errno = 7
	eBADF      syscall.Errno = 9
	eAGAIN     syscall.Errno = 11
	eNOMEM     syscall.Errno = 12
	eBUSY      syscall.Errno = 16
	eEXIST     syscall.Errno = 17
	eINVAL     syscall.Errno = 22
	eNOSPC     syscall.Errno = 28
	eOPNOTSUPP syscall.Errno = 95
)
