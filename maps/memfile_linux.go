package maps

import "golang.org/x/sys/unix"

// memFile returns a new, empty memory file for the ring buffer's pages.
func memFile() (int, error) { return unix.MemfdCreate("gbpf-ringbuf", unix.MFD_CLOEXEC) }
