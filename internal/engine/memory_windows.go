package engine

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// On Windows runtime memory comes from VirtualAlloc: committed, zeroed,
// read-write pages outside the Go heap, like an anonymous mapping on Unix.

// mapAnon commits size bytes of zeroed, read-write memory anywhere.
func mapAnon(size int) ([]byte, error) {
	return virtualAlloc(0, size)
}

// virtualAlloc reserves and commits size bytes at addr (0: anywhere).
func virtualAlloc(addr uintptr, size int) ([]byte, error) {
	p, err := windows.VirtualAlloc(addr, uintptr(size), windows.MEM_RESERVE|windows.MEM_COMMIT, windows.PAGE_READWRITE)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*byte)(ptr(uint64(p))), size), nil
}

// unmap releases memory from mapAnon or mmapLow: the whole reservation,
// which starts at the slice's first byte.
func unmap(mem []byte) error {
	return windows.VirtualFree(uintptr(unsafe.Pointer(unsafe.SliceData(mem))), 0, windows.MEM_RELEASE)
}
