package amd64

import (
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64/x86"
	"github.com/gbpf/gbpf/isa"
)

// regMap maps BPF registers to machine registers (see the package doc).
var regMap = [isa.MaxRegister + 1]x86.Reg{
	isa.R0: x86.RAX, isa.R1: x86.RDI, isa.R2: x86.RSI, isa.R3: x86.RDX,
	isa.R4: x86.RCX, isa.R5: x86.R8, isa.R6: x86.RBX, isa.R7: x86.R13,
	isa.R8: x86.R14, isa.R9: x86.R15, isa.R10: x86.RBP,
}

// Machine registers with fixed jobs besides the BPF registers.
const (
	regCtx   = x86.R12 // the run's context
	regCount = x86.R9  // budget countdown
	regTmp   = x86.R11 // scratch; holds the resume address when leaving
	regAux   = x86.R10 // scratch; blinded constants
)

// vmContext is the block through which machine code and Go talk. It lives at
// the start of a run's engine.Block; machine code addresses its fields by
// the offsets below (and jit_amd64.s by those in go_asm.h).
type vmContext struct {
	regs      [isa.MaxRegister + 1]uint64 // r0..r10 while out of machine code
	count     int64                       // the budget countdown (r9)
	goSP      uint64                      // Go's rsp and rbp, saved by jitcall
	goBP      uint64
	machSP    uint64 // the machine stack pointer when machine code left
	resume    uint64 // where jitcall continues
	exit      uint64 // why machine code left: exitDone, ...
	arg       uint64 // the helper id of exitHelper, the offset of exitPacket
	pc        uint64 // the instruction slot that left
	callLimit uint64 // r10 below this value cannot make another call
}

// Offsets of the context fields, checked against unsafe.Offsetof in tests.
const (
	offRegs      = 0
	offCount     = 88
	offGoSP      = 96
	offGoBP      = 104
	offMachSP    = 112
	offResume    = 120
	offExit      = 128
	offArg       = 136
	offPC        = 144
	offCallLimit = 152
	contextSize  = 160
)

// Exit codes: why machine code returned to Go.
const (
	exitDone      = iota // the program exited; r0 is in regs[0]
	exitHelper           // call helper arg, then resume
	exitYield            // the countdown ran out
	exitCallDepth        // a bpf-to-bpf call would nest too deep
	exitFault            // the machine code faulted (see fault.go)
	// exitPacket+n: a legacy packet load of n bytes (1, 2 or 4) at the
	// offset in arg (its low 32 bits), then resume with r0 set.
	exitPacket
)

// Layout of a run's engine.Block: the context, the BPF stack (frame 0 at
// the top) and the machine stack.
const (
	stateContext   = 0
	stateStack     = 256
	stackBytes     = engine.MaxCallDepth * engine.StackSize
	stateMachStack = stateStack + stackBytes
	machStackBytes = 4096
	stateSize      = stateMachStack + machStackBytes
)

// yieldQuantum is the most budget units a run spends between yields to Go.
const yieldQuantum = 1 << 18
