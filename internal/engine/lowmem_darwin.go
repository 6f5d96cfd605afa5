package engine

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/abi"
)

// mmapLow passes addresses below 4 GiB as hints (Darwin has neither
// MAP_32BIT nor MAP_FIXED_NOREPLACE, and MAP_FIXED would replace whatever
// is mapped there) and keeps a mapping only if the system honoured the
// hint. On darwin/arm64, and for executables linked with the default
// 4 GiB __PAGEZERO, the low 4 GiB cannot be mapped at all: the error then
// wraps abi.ErrNotSupported.
func mmapLow(size int) ([]byte, error) {
	for hint := uintptr(1 << 28); hint+uintptr(size) < 1<<32; hint += 1 << 28 {
		mem, err := mmap(unsafe.Add(unsafe.Pointer(nil), hint), size, unix.MAP_PRIVATE|unix.MAP_ANON)
		if err != nil {
			continue
		}
		if Addr(mem)+uint64(size) <= 1<<32 {
			return mem, nil
		}
		_ = unmap(mem)
	}
	return nil, fmt.Errorf("no free address range below 4 GiB: %w", abi.ErrNotSupported)
}
