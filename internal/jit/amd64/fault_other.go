//go:build !(linux && amd64)

package amd64

// Elsewhere there is no fault handler: a fault in machine code is the Go
// runtime's (the JIT runs only on amd64, and is tested only on Linux).

func installFaultHandler(*codeRegion) error { return nil }

func ensureFaultHandler() error { return nil }
