package gbpf

import (
	"fmt"

	"github.com/gbpf/gbpf/maps"
)

// Backend is where a collection's maps and programs live. The same
// CollectionSpec loads into either; Program.Run, the Map operations, the
// readers and attaching behave the same on both.
type Backend int

const (
	// InProcess is gbpf's runtime, in this process: programs are verified
	// by gbpf's verifier and run on one of its engines (Options.Engine).
	InProcess Backend = iota
	// Kernel is the Linux kernel, through the bpf() syscall: maps are
	// kernel maps, programs are verified by the kernel's verifier and run
	// where the kernel runs them (Program.Run is BPF_PROG_TEST_RUN).
	// Anywhere else, and where bpf() is not permitted, NewCollection
	// fails with an error matching ErrNotSupported.
	Kernel
)

// String returns the backend's name, as ParseBackend reads it.
func (b Backend) String() string {
	switch b {
	case InProcess:
		return "gbpf"
	case Kernel:
		return "kernel"
	}
	return fmt.Sprintf("Backend(%d)", int(b))
}

// ParseBackend parses a backend name as String prints it.
func ParseBackend(s string) (Backend, error) {
	switch s {
	case "", "gbpf":
		return InProcess, nil
	case "kernel":
		return Kernel, nil
	}
	return 0, fmt.Errorf("unknown backend %q (want gbpf or kernel)", s)
}

// Backend returns where the program lives.
func (p *Program) Backend() Backend {
	if p.kern != nil {
		return Kernel
	}
	return InProcess
}

// Backend returns where the map lives.
func (m *Map) Backend() Backend {
	if _, ok := asKernelMap(m.m); ok {
		return Kernel
	}
	return InProcess
}

// checkKernelOptions rejects options that configure gbpf's runtime for a
// collection of the Kernel backend, where they would silently mean
// nothing.
func checkKernelOptions(opts *Options) error {
	switch {
	case opts.Engine != EngineDefault:
		return fmt.Errorf("options: Engine %v: the kernel backend runs programs on the kernel", opts.Engine)
	case opts.Checked || opts.Sanitize:
		return fmt.Errorf("options: Checked and Sanitize are the runtime's; the kernel verifies every program")
	case opts.Helpers != nil:
		return fmt.Errorf("options: Helpers: the kernel backend calls the kernel's helpers")
	case opts.Runtime != nil || opts.Trace != nil || opts.CPUs != 0:
		return fmt.Errorf("options: Runtime, Trace and CPUs configure gbpf's runtime, not the kernel")
	}
	return nil
}

// cpus is the number of per-CPU values of a value of m: the kernel's
// possible CPUs for a kernel map, the runtime's CPUs otherwise.
func (m *Map) cpus() int {
	if k, ok := asKernelMap(m.m); ok {
		return k.ncpu
	}
	return maps.NumCPU()
}
