// Package platform holds what gbpf's packages share about the operating
// system and architecture they run on: the one ErrNotSupported that every
// package's "not on this platform" errors wrap, so that errors.Is matches
// them whichever package reported them.
//
// It imports nothing of gbpf, so that any package, the ones that only name
// things included, may use it.
package platform

import "errors"

// ErrNotSupported is wrapped by every error that says a feature is missing
// here: the JIT off linux/amd64, the kernel backend, perf and ring buffers
// off Linux, memory below 4 GiB where the system reserves it. The root
// package exports it as gbpf.ErrNotSupported.
var ErrNotSupported = errors.New("not supported")
