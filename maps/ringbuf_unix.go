//go:build unix

package maps

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mapMemory maps the position pages and the data area twice, backed by
// one memory file.
func (r *RingBufMap) mapMemory(size uint64) error {
	page := uint64(pageSize)
	fileSize := 2*page + size
	fd, err := memFile()
	if err != nil {
		return fmt.Errorf("ring buffer memory: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Ftruncate(fd, int64(fileSize)); err != nil {
		return fmt.Errorf("ring buffer memory: %w", err)
	}
	total := uintptr(fileSize + size)
	mem, err := unix.MmapPtr(-1, 0, nil, total, unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return fmt.Errorf("ring buffer memory: %w", err)
	}
	rw := unix.PROT_READ | unix.PROT_WRITE
	if _, err := unix.MmapPtr(fd, 0, mem, uintptr(fileSize), rw, unix.MAP_SHARED|unix.MAP_FIXED); err != nil {
		unix.MunmapPtr(mem, total)
		return fmt.Errorf("ring buffer memory: %w", err)
	}
	if _, err := unix.MmapPtr(fd, int64(2*page), unsafe.Add(mem, fileSize), uintptr(size), rw, unix.MAP_SHARED|unix.MAP_FIXED); err != nil {
		unix.MunmapPtr(mem, total)
		return fmt.Errorf("ring buffer memory: %w", err)
	}
	r.mem, r.memLen = mem, total
	r.start = uint64(uintptr(mem))
	r.cons = r.start
	r.prod = r.start + page
	r.data = r.start + 2*page
	r.mask = size - 1
	return nil
}

// unmapMemory unmaps what mapMemory mapped.
func (r *RingBufMap) unmapMemory() error { return unix.MunmapPtr(r.mem, r.memLen) }
