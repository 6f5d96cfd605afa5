package kernel

import "errors"

// ErrClosed is returned by a TracepointReader's Read after Close.
var ErrClosed = errors.New("kernel: reader closed")

// Sample is one tracepoint record read from a perf ring.
type Sample struct {
	// CPU is the CPU whose ring held the record.
	CPU int
	// Time is when the tracepoint fired, in CLOCK_MONOTONIC nanoseconds
	// (the clock of bpf_ktime_get_ns).
	Time uint64
	// Raw is the record as a tracepoint program sees its context: the
	// common_ fields, then the event's fields. The kernel pads it to a
	// multiple of 8 bytes less 4. It is valid only until the callback
	// returns.
	Raw []byte
}

// ReaderOptions tunes a TracepointReader. The zero value is usable.
type ReaderOptions struct {
	// RingPages is the number of data pages of each CPU's ring, a power of
	// two; 0 means 64 (256 KiB with 4 KiB pages).
	RingPages int
	// Watermark is how many bytes must wait in a ring before the kernel
	// wakes the reader; 0 means a quarter of the ring. Read drains the
	// rings also when its timeout expires, so records never wait longer.
	Watermark int
	// CPUs lists the CPUs to read; nil means every online CPU.
	CPUs []int
}
