package main

import (
	"io"

	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/internal/jit/amd64/listing"
	"github.com/gbpf/gbpf/isa"
)

// The JIT provides the machine code listing of "disasm --jit".
func init() {
	if !amd64.Supported {
		return
	}
	jitListing = func(w io.Writer, p isa.Program) error {
		return listing.Write(w, p, amd64.Options{}, listing.SyntaxIntel)
	}
}
