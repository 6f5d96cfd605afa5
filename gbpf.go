// Package gbpf runs BPF programs inside a Go process: load an ELF object
// compiled with clang -target bpf, create its maps, verify its programs and
// run them on an interpreter or an x86-64 JIT, with Linux's semantics and
// no privileges.
//
// The API follows cilium/ebpf: a CollectionSpec describes an object as
// plain data (LoadCollectionSpec), NewCollection makes live maps and
// programs from it, Program.Run runs a program once on given input the way
// BPF_PROG_TEST_RUN does, and Map reads and writes map elements with Go
// values. Hooks are named attachment points that the host fires from any
// goroutine, with programs that can be replaced atomically while events
// keep flowing.
//
// The same CollectionSpec loads into the Linux kernel instead with
// Options{Backend: Kernel}: the same Program, Map, reader and Link types
// then drive kernel objects through the bpf() syscall.
//
//	coll, err := gbpf.LoadCollection("xdp_proto_count.o", nil)
//	if err != nil { ... }
//	defer coll.Close()
//	ret, err := coll.Programs["count_protocols"].Run(&gbpf.RunOptions{Data: packet})
package gbpf

import (
	"io"

	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/helpers"
)

// Engine selects what runs a program's instructions: every command, the
// conformance runner, classic filters (cbpf.FilterOptions) and the tests
// name engines with its names, "default", "interpreter", "checked" and
// "jit" (see abi.Engine).
type Engine = abi.Engine

// The engines; see abi.Engine.
const (
	EngineDefault     = abi.EngineDefault
	EngineInterpreter = abi.EngineInterpreter
	EngineJIT         = abi.EngineJIT
	EngineChecked     = abi.EngineChecked
)

// Engines lists the engines that run verified programs here (the JIT only
// where it exists), in a fixed order, for tests and reports that try each
// of them. EngineDefault is one of them under another name.
func Engines() []Engine {
	if haveJIT() {
		return []Engine{EngineInterpreter, EngineChecked, EngineJIT}
	}
	return []Engine{EngineInterpreter, EngineChecked}
}

// ParseEngine parses an engine name (see abi.ParseEngine).
func ParseEngine(s string) (Engine, error) { return abi.ParseEngine(s) }

// ErrNotSupported is returned (wrapped) for a feature gbpf does not have
// here, such as the JIT on an architecture without one. It is
// abi.ErrNotSupported, which every package's "not supported" errors match
// with errors.Is: the JIT's, the maps', the kernel package's.
var ErrNotSupported = abi.ErrNotSupported

// Options configure NewCollection. The zero value (or nil) verifies every
// program and runs it on the default engine, with the builtin helpers.
type Options struct {
	// Engine chooses the engine for verified programs.
	Engine Engine
	// Checked skips verification and runs programs in the checked
	// interpreter, which checks every memory access at run time and
	// fails the run with an error instead of touching memory the program
	// does not own. Use it for programs the verifier rejects or cannot
	// yet handle.
	Checked bool
	// Sanitize adds the leak sanitizer to Checked runs: a run that turns
	// an address into data the program can observe (returns it, stores it
	// outside the stack, passes it to a helper as data, compares it with a
	// scalar) fails with a *abi.Fault wrapping abi.ErrLeak, naming the
	// instruction. It is for
	// testing programs meant for the unprivileged verifier rules; a
	// sanitized run is several times slower. Without Checked it does
	// nothing.
	Sanitize bool
	// Helpers is the helper set programs may call; nil means
	// helpers.Linux(). Builtin helpers expect a *helpers.State in
	// abi.Env.Host, which the runtime provides.
	Helpers *helpers.Set
	// KernelTypes is the BTF that CO-RE relocations are resolved
	// against; nil means the running kernel's (/sys/kernel/btf/vmlinux).
	KernelTypes *btf.Spec
	// Runtime runs the collection's programs. When nil, a collection
	// that sets Trace or CPUs gets a runtime of its own with them, and
	// any other the default runtime (one per process, created on first
	// use, with trace output discarded).
	Runtime *Runtime
	// Trace receives bpf_trace_printk output (see RuntimeOptions.Trace).
	Trace io.Writer
	// CPUs is the number of CPUs of the collection's own runtime (see
	// RuntimeOptions.CPUs).
	CPUs int
	// VerifierLog receives the verifier's log; VerifierLogLevel is its
	// level (0: errors only, 1: the instructions of the failing path,
	// 2: every instruction with its state).
	VerifierLog      io.Writer
	VerifierLogLevel int
	// Privileged verifies with the rules Linux applies to root (see
	// verifier.Options.Privileged).
	Privileged bool
	// Backend is where the collection's maps and programs live: gbpf's
	// runtime (InProcess, the zero value) or the Linux kernel (Kernel).
	// The kernel verifies the programs itself, with the rules of the
	// process's capabilities (Privileged does not apply); Engine,
	// Checked, Sanitize, Helpers, Runtime, Trace and CPUs are the
	// runtime's and must be left zero for it.
	Backend Backend
	// PinPath is where maps pinned by name (LIBBPF_PIN_BY_NAME) live: a
	// directory of a bpffs for the kernel, a name space of the runtime's
	// pin registry for the runtime. A collection that finds a compatible
	// map pinned under PinPath with the map's name uses it instead of
	// creating one, and pins the maps it creates there.
	PinPath string
}
