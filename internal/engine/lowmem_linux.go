//go:build linux && !amd64

package engine

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmapLow asks for memory at hint addresses below 4 GiB, since only amd64
// has MAP_32BIT.
func mmapLow(size int) ([]byte, error) {
	for hint := uintptr(1 << 28); hint+uintptr(size) < 1<<32; hint += 1 << 28 {
		mem, err := mmap(unsafe.Add(unsafe.Pointer(nil), hint), size, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_FIXED_NOREPLACE)
		if err == nil {
			return mem, nil
		}
	}
	return nil, errors.New("no free address range below 4 GiB")
}
