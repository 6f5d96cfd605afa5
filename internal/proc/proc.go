// Package proc tells which Go processor (P) a goroutine runs on, as a hint
// for picking per-processor state without shared counters or sync.Pool.
package proc

import _ "unsafe" // go:linkname

// procPin and procUnpin are the Go runtime's (sync.Pool uses them): procPin
// returns the id of the processor the goroutine runs on and keeps it there
// until procUnpin.
//
//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// ID returns the id of the processor the calling goroutine runs on, from
// 0 to GOMAXPROCS-1. The goroutine may move to another processor as soon
// as ID returns, so the id is only a hint: two goroutines may get the
// same one at once.
func ID() int {
	id := procPin()
	procUnpin()
	return id
}
