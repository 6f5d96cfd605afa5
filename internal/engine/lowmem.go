package engine

import (
	"fmt"
	"runtime"
)

// AllocLow maps a zeroed, writable Block whose every address fits in 32
// bits. Context structures such as xdp_md and __sk_buff carry packet
// pointers in u32 fields; keeping packets and contexts below 4 GiB lets
// those fields hold the real addresses, so every engine runs context
// accesses unchanged (see RATIONALE.md).
func AllocLow(size int) (*Block, error) {
	if size <= 0 {
		size = 1
	}
	mem, err := mmapLow(size)
	if err != nil {
		return nil, fmt.Errorf("map %d bytes below 4 GiB: %w", size, err)
	}
	b := &Block{mem: mem[:size:size]}
	if end := b.Addr() + uint64(size); end > 1<<32 {
		_ = b.Free()
		return nil, fmt.Errorf("map %d bytes below 4 GiB: got memory ending at %#x", size, end)
	}
	runtime.SetFinalizer(b, (*Block).Free)
	return b, nil
}
