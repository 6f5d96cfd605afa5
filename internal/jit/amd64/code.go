package amd64

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// execMem is machine code in its own mapping, executable and never writable
// at the same time (W^X).
type execMem struct {
	mem []byte
}

// newExecMem maps code into fresh memory and makes it read-only and
// executable.
func newExecMem(code []byte) (*execMem, error) {
	size := (len(code) + unix.Getpagesize() - 1) &^ (unix.Getpagesize() - 1)
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, fmt.Errorf("jit: map %d bytes of code: %w", size, err)
	}
	n := copy(mem, code)
	for i := n; i < len(mem); i++ {
		mem[i] = 0xcc // int3
	}
	if err := unix.Mprotect(mem, unix.PROT_READ|unix.PROT_EXEC); err != nil {
		unix.Munmap(mem)
		return nil, fmt.Errorf("jit: make code executable: %w", err)
	}
	return &execMem{mem: mem}, nil
}

func (m *execMem) free() error {
	if m.mem == nil {
		return nil
	}
	err := unix.Munmap(m.mem)
	m.mem = nil
	return err
}
