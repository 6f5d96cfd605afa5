package maps

import (
	"fmt"

	"github.com/gbpf/gbpf/abi"
)

// mapMemory reports that ring buffers need the double mapping of one
// memory file (the data area twice, so records wrap without copying),
// which gbpf does only on Unix.
func (r *RingBufMap) mapMemory(uint64) error {
	return fmt.Errorf("ring buffer memory on windows: %w", abi.ErrNotSupported)
}

// unmapMemory has nothing to unmap.
func (r *RingBufMap) unmapMemory() error { return nil }
