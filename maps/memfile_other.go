//go:build unix && !linux

package maps

import (
	"os"

	"golang.org/x/sys/unix"
)

// memFile returns a new, empty file for the ring buffer's pages: systems
// without memfd_create get a temporary file, removed at once, so that
// only the mapping keeps it.
func memFile() (int, error) {
	f, err := os.CreateTemp("", "gbpf-ringbuf-*")
	if err != nil {
		return -1, err
	}
	defer f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return -1, err
	}
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		return -1, err
	}
	unix.CloseOnExec(fd)
	return fd, nil
}
