package amd64

import (
	"fmt"

	"github.com/gbpf/gbpf/isa"
)

// Code is the machine code Compile makes for a program, laid out for a
// listing (package listing prints it).
type Code struct {
	// Bytes is the code: the entry, the code of each slot, the
	// out-of-line exits and, last, the data (the fault stub's message).
	Bytes []byte
	// Offsets[i] is where the code of slot i starts; Offsets[n], for n
	// slots, is where the exits start.
	Offsets []int32
	// Data is where the data starts.
	Data int
}

// Layout compiles p (on any architecture: it does not run it) and returns
// its code with the offsets of its instructions.
func Layout(p isa.Program, opts Options) (*Code, error) {
	if err := isa.Validate(p); err != nil {
		return nil, fmt.Errorf("jit: %w", err)
	}
	out, err := compile(p, opts)
	if err != nil {
		return nil, fmt.Errorf("jit: %w", err)
	}
	return &Code{Bytes: out.code, Offsets: out.offsets, Data: len(out.code) - len(crashMessage)}, nil
}
