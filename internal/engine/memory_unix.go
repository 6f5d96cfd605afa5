//go:build unix

package engine

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// mapAnon maps size bytes of zeroed, read-write memory anywhere.
func mapAnon(size int) ([]byte, error) {
	return mmap(nil, size, unix.MAP_PRIVATE|unix.MAP_ANON)
}

// unmap gives back memory from mapAnon or mmapLow.
func unmap(mem []byte) error {
	return unix.MunmapPtr(unsafe.Pointer(unsafe.SliceData(mem)), uintptr(len(mem)))
}

// mmap maps size bytes of read-write memory. It bypasses x/sys/unix's
// Mmap bookkeeping so that Free can unmap memory however it was mapped.
func mmap(addr unsafe.Pointer, size, flags int) ([]byte, error) {
	p, err := unix.MmapPtr(-1, 0, addr, uintptr(size), unix.PROT_READ|unix.PROT_WRITE, flags)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*byte)(p), size), nil
}
