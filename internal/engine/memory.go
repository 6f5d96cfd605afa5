package engine

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/gbpf/gbpf/abi"
)

// Block is memory mapped outside the Go heap. Programs hold raw addresses
// into it, so it never moves and the garbage collector never looks at it.
// It is released by Free, or when the Block becomes unreachable.
type Block struct {
	mem []byte
}

// Alloc maps a zeroed, writable Block of at least size bytes.
func Alloc(size int) (*Block, error) {
	if size <= 0 {
		size = 1
	}
	mem, err := mapAnon(size)
	if err != nil {
		return nil, fmt.Errorf("map %d bytes: %w", size, err)
	}
	b := &Block{mem: mem[:size:size]}
	runtime.SetFinalizer(b, (*Block).Free)
	return b, nil
}

// Bytes returns the block's memory.
func (b *Block) Bytes() []byte { return b.mem }

// Addr returns the address of the first byte.
func (b *Block) Addr() uint64 { return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b.mem)))) }

// Len returns the size of the block.
func (b *Block) Len() int { return len(b.mem) }

// Region returns the whole block as a Region.
func (b *Block) Region(writable bool) Region {
	return Region{Start: b.Addr(), End: b.Addr() + uint64(len(b.mem)), Writable: writable}
}

// Free unmaps the block. Using its memory afterwards is a crash, so call it
// only when no program can run on it any more.
func (b *Block) Free() error {
	if b.mem == nil {
		return nil
	}
	mem := b.mem[:cap(b.mem)]
	b.mem = nil
	runtime.SetFinalizer(b, nil)
	return unmap(mem)
}

// ptr turns a program address into a pointer. Addresses come from runtime
// memory (off the Go heap), which checkptr does not police.
//
//go:nocheckptr
func ptr(addr uint64) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(nil), uintptr(addr)) }

// Raw loads and stores at program addresses. The caller has proven (by
// verification) or checked (against Regions) that the access is allowed.

//go:nocheckptr
func Load8(addr uint64) uint64 { return uint64(*(*uint8)(ptr(addr))) }

//go:nocheckptr
func Load16(addr uint64) uint64 { return uint64(*(*uint16)(ptr(addr))) }

//go:nocheckptr
func Load32(addr uint64) uint64 { return uint64(*(*uint32)(ptr(addr))) }

//go:nocheckptr
func Load64(addr uint64) uint64 { return *(*uint64)(ptr(addr)) }

//go:nocheckptr
func Store8(addr, v uint64) { *(*uint8)(ptr(addr)) = uint8(v) }

//go:nocheckptr
func Store16(addr, v uint64) { *(*uint16)(ptr(addr)) = uint16(v) }

//go:nocheckptr
func Store32(addr, v uint64) { *(*uint32)(ptr(addr)) = uint32(v) }

//go:nocheckptr
func Store64(addr, v uint64) { *(*uint64)(ptr(addr)) = v }

// Atomic32 and Atomic64 return the word at addr for sync/atomic. The address
// must be aligned to the word size.
//
//go:nocheckptr
func Atomic32(addr uint64) *uint32 { return (*uint32)(ptr(addr)) }

//go:nocheckptr
func Atomic64(addr uint64) *uint64 { return (*uint64)(ptr(addr)) }

// Bytes returns the n bytes of runtime memory at addr as a slice, without
// copying (abi.Bytes). The caller must have checked that the range is
// runtime memory that stays mapped while the slice is used.
func Bytes(addr, n uint64) []byte { return abi.Bytes(addr, n) }

// Addr returns the address of the first byte of b, which must be runtime
// memory (a Block's bytes or a slice of them).
func Addr(b []byte) uint64 { return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }

// LoadPacket performs a legacy packet load (BPF_LD_ABS, BPF_LD_IND) of
// size bytes (1, 2 or 4) at offset off of p, as every engine does: the
// value in network byte order, read as a number, and true; or false when
// the bytes are not in the packet, which ends the program with r0 = 0.
func LoadPacket(p *abi.Packet, off int32, size int) (uint64, bool) {
	addr, ok := p.Addr(off, size)
	if !ok {
		return 0, false
	}
	b := Bytes(addr, uint64(size))
	switch size {
	case 1:
		return uint64(b[0]), true
	case 2:
		return uint64(b[0])<<8 | uint64(b[1]), true
	case 4:
		return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3]), true
	}
	return 0, false
}
