package cbpf

import (
	"fmt"
	"math"
	"runtime"
	"unsafe"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/internal/jit/amd64"
)

// Filter runs one classic BPF program on packets, as machine code where it
// can and in the VM otherwise. It is safe for concurrent use by multiple
// goroutines.
//
// A program is compiled when gbpf's JIT runs on this architecture and the
// program translates to eBPF (ToEBPF): no ancillary loads, no backward
// jumps. (A packet on which an indirect load's offset turns out negative,
// relative to a header given by the metadata, is run in the VM: see
// Fallback.) The translation is a leaf program, which runs directly on the
// calling goroutine's stack at the cost of a function call, so a filter
// costs a few nanoseconds more than its instructions. Every other program
// runs in the VM, with the same results. The machine code is released once
// the Filter is unreachable.
type Filter struct {
	vm      *VM
	jit     *amd64.Program                                         // nil: the VM runs every packet
	run     func(unsafe.Pointer, uint64) (uint64, amd64.LeafFault) // jit's machine code (LeafFunc)
	usesLen bool                                                   // the program loads the packet length (BPF_LEN)
}

// FilterOptions tune NewFilter.
type FilterOptions struct {
	VMOptions
	// Engine chooses what runs the filter, with the engine names of the
	// root API and every command: EngineDefault runs it as machine code
	// where it can (see Filter) and in the VM otherwise; the interpreters
	// (abi.EngineInterpreter, abi.EngineChecked) run it in the VM, which
	// checks every packet access; abi.EngineJIT runs it as machine code
	// only, and NewFilter fails with an error wrapping
	// abi.ErrNotSupported when it cannot.
	Engine abi.Engine
	// NoJIT runs every packet in the VM, as the interpreter engine does.
	NoJIT bool
}

// NewFilter checks prog with the kernel's classic checker (as
// NewVMOptions does): the gate every classic program passes, as in Linux,
// before the VM or its translation to machine code runs it. It then
// prepares it for opts.Engine.
func NewFilter(prog []Instruction, opts FilterOptions) (*Filter, error) {
	vm, err := NewVMOptions(prog, opts.VMOptions)
	if err != nil {
		return nil, err
	}
	switch opts.Engine {
	case abi.EngineDefault, abi.EngineJIT:
	case abi.EngineInterpreter, abi.EngineChecked:
		opts.NoJIT = true
	default:
		return nil, fmt.Errorf("cbpf: unknown engine %v", opts.Engine)
	}
	f := newFilter(vm, prog, opts)
	if opts.Engine == abi.EngineJIT && f.jit == nil {
		return nil, fmt.Errorf("cbpf: the filter cannot run as machine code (no JIT here, ancillary loads or backward jumps): %w", abi.ErrNotSupported)
	}
	return f, nil
}

// newFilter prepares the checked program prog, whose VM is vm: as machine
// code where it can unless opts.NoJIT.
func newFilter(vm *VM, prog []Instruction, opts FilterOptions) *Filter {
	f := &Filter{vm: vm}
	for _, ins := range prog {
		if Class(ins.Op) <= ClassLDX && Mode(ins.Op) == ModeLEN {
			f.usesLen = true
		}
	}
	if opts.NoJIT || !amd64.Supported {
		return f
	}
	ep, err := ToEBPF(prog)
	if err != nil {
		return f // ancillary loads or backward jumps: the VM runs it
	}
	jp, err := amd64.Compile(ep, amd64.Options{})
	if err != nil || !jp.Leaf() {
		return f
	}
	f.jit, f.run = jp, jp.LeafFunc()
	return f
}

// JIT reports whether the filter runs as machine code.
func (f *Filter) JIT() bool { return f.jit != nil }

// Program returns a copy of the filter's instructions.
func (f *Filter) Program() []Instruction { return f.vm.Program() }

// Run runs the filter on pkt, whose first byte is the start of the
// link-layer header, with md as the packet metadata (nil reads as zeros),
// and returns the filter's return value: the number of bytes to keep, 0 to
// drop the packet.
func (f *Filter) Run(pkt []byte, md *Metadata) uint32 {
	if f.run == nil {
		return f.vm.RunWire(pkt, uint32(len(pkt)), md)
	}
	r0, fault := f.run(unsafe.Pointer(unsafe.SliceData(pkt)), uint64(len(pkt)))
	runtime.KeepAlive(f) // and with it the machine code
	if r0 > math.MaxUint32 {
		// Fallback, or a fault of the machine code.
		if fault.Faulted(r0) {
			f.jitFault(r0, fault)
		}
		if r0 == Fallback {
			return f.vm.RunWire(pkt, uint32(len(pkt)), md)
		}
	}
	return uint32(r0)
}

// jitFault panics with the fault of a run of the machine code: a bug of
// the translation or of the JIT, never of the filter, and a wrong answer
// would be worse.
func (f *Filter) jitFault(r0 uint64, fault amd64.LeafFault) {
	panic(fmt.Errorf("cbpf: filter machine code: %w", f.jit.LeafError(r0, fault)))
}

// RunWire is Run for a packet of which only pkt was captured: wireLen is
// its length on the wire, which BPF_LEN loads return, while packet loads
// are bounded by len(pkt).
func (f *Filter) RunWire(pkt []byte, wireLen uint32, md *Metadata) uint32 {
	if f.run == nil || f.usesLen && wireLen != uint32(len(pkt)) {
		return f.vm.RunWire(pkt, wireLen, md)
	}
	return f.Run(pkt, md)
}
