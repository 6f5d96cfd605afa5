// Package kernel runs gbpf's programs and maps in the Linux kernel, and reads
// the kernel's raw tracepoint records.
//
// To load a gbpf CollectionSpec into the kernel through gbpf's own API
// (Program.Run, Map, readers, links), use the root package with
// Options{Backend: gbpf.Kernel}; this package holds what that backend
// shares with the tools: the probe of bpf() (Supported) and the raw
// tracepoint reader.
//
// The kernel side is a thin layer over github.com/cilium/ebpf: the same ELF
// objects that gbpf's runtime loads are loaded into the kernel
// (LoadCollection), attached to tracepoints, kprobes, kretprobes and
// uprobes, and their maps are read back (IterateMap).
//
// The raw side opens a tracepoint with perf_event_open, one event and one
// mmap'd ring per CPU, and hands each record (PERF_SAMPLE_RAW, the bytes a
// tracepoint program sees as its context) to the caller, decoded with the
// layout that tracefs publishes in the event's format file
// (TracepointReader, Format). Records the kernel dropped because a ring was
// full are counted, not hidden (TracepointReader.Lost).
//
// Everything here needs Linux, root (or CAP_BPF and CAP_PERFMON) and, for
// tracepoints, tracefs; Supported reports whether the bpf() syscall works.
// The package builds on every system gbpf does; off Linux its entry points
// return errors that match gbpf.ErrNotSupported.
package kernel
