// This file lets proc.go declare functions without bodies, which
// go:linkname binds to the runtime's.
