package engine

import (
	"errors"
)

// mmapLow asks VirtualAlloc for memory at addresses below 4 GiB, trying one
// 256 MiB step after another; VirtualAlloc fails where the range is taken.
func mmapLow(size int) ([]byte, error) {
	for hint := uintptr(1 << 28); hint+uintptr(size) < 1<<32; hint += 1 << 28 {
		if mem, err := virtualAlloc(hint, size); err == nil {
			return mem, nil
		}
	}
	return nil, errors.New("no free address range below 4 GiB")
}
