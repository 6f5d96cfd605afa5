// Package tools holds the logic of gbpf's performance tools: bitesize
// (block I/O sizes), biolatency (block I/O latency) and overhead (what
// tracing costs), and what `gbpf serve` exposes: a Prometheus collector and
// a page with the histograms and a heatmap per tool (Serve), which it can
// feed from recordings replayed in time (ReplayRecordings).
//
// Each tool is one BPF object, built from the C source in bpf/ and embedded
// here, and runs in one of two modes:
//
//   - ModeKernel: the program runs in the Linux kernel and aggregates into a
//     map there; user space reads only the histogram buckets.
//   - ModeCopy: every record of the tracepoint is copied to user space
//     through per-CPU perf rings, and the same program runs on it in gbpf's
//     runtime, aggregating into gbpf's maps.
//
// Both modes give the same histograms for the same events; they differ in
// what the events cost, which is what `gbpf tools overhead` measures.
// ModeCopy is also what runs where the bpf() syscall does not work: it
// needs only perf_event_open and tracefs.
//
// The two modes, or copy mode and another tracer such as bpftrace, do not
// see the same tracepoint at the same time: while a BPF program that
// returns 0 is attached to a tracepoint (the tools' programs do, as bcc's
// and bpftrace's do), the kernel hands none of its records to perf events,
// so copy mode receives nothing.
//
// Copy mode replays recordings too (OpenRecordings), which is how it is
// tested without a kernel: testdata holds real block_rq_insert, issue and
// complete records with their format files.
package tools

//go:generate clang -O2 -g -target bpf -Wall -fdebug-compilation-dir=. -c bpf/bitesize.bpf.c -o bpf/bitesize.bpf.o
//go:generate clang -O2 -g -target bpf -Wall -fdebug-compilation-dir=. -c bpf/biolatency.bpf.c -o bpf/biolatency.bpf.o
//go:generate clang -O2 -g -target bpf -Wall -fdebug-compilation-dir=. -c bpf/syscount.bpf.c -o bpf/syscount.bpf.o
