//go:build !linux

package amd64

import "fmt"

// Off Linux there is no code region: Compile reports ErrNotSupported before
// it asks for one (Supported is false), and these stand-ins only let the
// package build, so that its compiler and listings stay usable.

// codeRegion is the reserved range of machine code, which only Linux has.
type codeRegion struct{}

// execMem is a program's machine code; off Linux there is none.
type execMem struct{ mem []byte }

// newExecMem reports that machine code cannot be mapped here.
func newExecMem([]byte, int) (*execMem, error) {
	return nil, fmt.Errorf("jit: executable memory: %w", ErrNotSupported)
}

// addr returns 0: there is no code.
func (m *execMem) addr() uintptr { return 0 }

// free has nothing to give back.
func (m *execMem) free() error { return nil }

// signalName names a signal by number; only Linux delivers them here.
func signalName(sig uint64) string { return fmt.Sprintf("signal %d", sig) }
