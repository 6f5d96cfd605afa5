//go:build !(linux && amd64)

package amd64

// Elsewhere there is no fault handler, and no machine code runs: Compile
// reports ErrNotSupported (Supported is false) before it maps any.

func installFaultHandler(*codeRegion) error { return nil }

func ensureFaultHandler() error { return nil }
