//go:build linux

package amd64

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// All machine code lives in one range of addresses reserved once (the code
// region), so that the fault handler (see fault.go) can tell with one
// subtraction and one comparison whether a fault happened in machine code,
// and find the program's fault stub in a table with one entry per page.
//
// The region is reserved inaccessible (PROT_NONE, no memory committed);
// a program's code gets a run of pages in it, mapped fresh, written, then
// made read-only and executable (W^X), and given back inaccessible when
// the program is released.

// regionSizes are the sizes tried for the code region, largest first: a
// process whose address space is limited (ulimit -v) gets a smaller one.
var regionSizes = []uintptr{4 << 30, 1 << 30, 256 << 20, 64 << 20}

// pageSize is the granularity of the code region; the fault handler's
// table has one entry per page.
const (
	pageShift = 12
	pageSize  = 1 << pageShift
)

// errRegionFull is returned by Compile when the code region has no room
// left for a program's code.
var errRegionFull = errors.New("jit: code region full")

// codeRegion hands out runs of pages of the reserved range.
type codeRegion struct {
	base  uintptr
	pages int
	// stubs has one entry per page of the region: the address of the fault
	// stub of the program whose code covers the page, or 0. It lives
	// outside the Go heap; the fault handler reads it.
	stubs []uint64

	mu   sync.Mutex
	free []pageRun // sorted by first, no two adjacent
}

// pageRun is a run of n pages of the region starting at page first.
type pageRun struct{ first, n int }

var (
	regionOnce sync.Once
	region     *codeRegion
	regionErr  error
)

// theRegion returns the code region, reserving it and installing the fault
// handler on first use; later calls check that the handler is still
// installed (see ensureFaultHandler).
func theRegion() (*codeRegion, error) {
	regionOnce.Do(func() { region, regionErr = newCodeRegion() })
	if regionErr != nil {
		return nil, regionErr
	}
	if err := ensureFaultHandler(); err != nil {
		return nil, err
	}
	return region, nil
}

func newCodeRegion() (*codeRegion, error) {
	var base unsafe.Pointer
	var size uintptr
	var err error
	for _, size = range regionSizes {
		base, err = unix.MmapPtr(-1, 0, nil, size, unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
		if err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("jit: reserve the code region: %w", err)
	}
	pages := int(size >> pageShift)
	table, err := unix.MmapPtr(-1, 0, nil, uintptr(8*pages), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
	if err != nil {
		unix.MunmapPtr(base, size)
		return nil, fmt.Errorf("jit: map the fault table: %w", err)
	}
	r := &codeRegion{
		base:  uintptr(base),
		pages: pages,
		stubs: unsafe.Slice((*uint64)(table), pages),
		free:  []pageRun{{0, pages}},
	}
	if err := installFaultHandler(r); err != nil {
		return nil, err
	}
	return r, nil
}

// alloc takes a run of n pages, first fit.
func (r *codeRegion) alloc(n int) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, f := range r.free {
		if f.n >= n {
			if f.n == n {
				r.free = append(r.free[:i], r.free[i+1:]...)
			} else {
				r.free[i] = pageRun{f.first + n, f.n - n}
			}
			return f.first, true
		}
	}
	return 0, false
}

// release gives back the n pages at first, merging them with their free
// neighbours.
func (r *codeRegion) release(first, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := 0
	for i < len(r.free) && r.free[i].first < first {
		i++
	}
	r.free = append(r.free, pageRun{})
	copy(r.free[i+1:], r.free[i:])
	r.free[i] = pageRun{first, n}
	if i+1 < len(r.free) && first+n == r.free[i+1].first {
		r.free[i].n += r.free[i+1].n
		r.free = append(r.free[:i+1], r.free[i+2:]...)
	}
	if i > 0 && r.free[i-1].first+r.free[i-1].n == first {
		r.free[i-1].n += r.free[i].n
		r.free = append(r.free[:i], r.free[i+1:]...)
	}
}

func (r *codeRegion) addr(page int) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(nil), r.base+uintptr(page)<<pageShift)
}

// execMem is a program's machine code in the code region, executable and
// never writable at the same time (W^X).
type execMem struct {
	mem    []byte
	region *codeRegion
	first  int // page
}

// newExecMem puts code into fresh pages of the code region, makes them
// read-only and executable, and records stub (an offset in code, or -1 for
// none) as the fault stub of those pages.
func newExecMem(code []byte, stub int) (*execMem, error) {
	r, err := theRegion()
	if err != nil {
		return nil, err
	}
	n := (len(code) + pageSize - 1) >> pageShift
	first, ok := r.alloc(n)
	if !ok {
		return nil, fmt.Errorf("%w (%d bytes of code)", errRegionFull, len(code))
	}
	p, err := unix.MmapPtr(-1, 0, r.addr(first), uintptr(n<<pageShift), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_FIXED)
	if err != nil {
		r.release(first, n)
		return nil, fmt.Errorf("jit: map %d bytes of code: %w", n<<pageShift, err)
	}
	mem := unsafe.Slice((*byte)(p), n<<pageShift)
	m := &execMem{mem: mem, region: r, first: first}
	k := copy(mem, code)
	for i := k; i < len(mem); i++ {
		mem[i] = 0xcc // int3
	}
	if err := unix.Mprotect(mem, unix.PROT_READ|unix.PROT_EXEC); err != nil {
		m.free()
		return nil, fmt.Errorf("jit: make code executable: %w", err)
	}
	if stub >= 0 {
		for i := range n {
			atomic.StoreUint64(&r.stubs[first+i], uint64(uintptr(p))+uint64(stub))
		}
	}
	return m, nil
}

// addr returns the address of the code.
func (m *execMem) addr() uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(m.mem))) }

// free gives the code's pages back to the region, inaccessible.
func (m *execMem) free() error {
	if m.mem == nil {
		return nil
	}
	r, n := m.region, len(m.mem)>>pageShift
	for i := range n {
		atomic.StoreUint64(&r.stubs[m.first+i], 0)
	}
	m.mem = nil
	_, err := unix.MmapPtr(-1, 0, r.addr(m.first), uintptr(n<<pageShift), unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_FIXED|unix.MAP_NORESERVE)
	if err != nil {
		// The pages stay mapped, out of use; better than reusing them.
		return fmt.Errorf("jit: release code: %w", err)
	}
	r.release(m.first, n)
	return nil
}
