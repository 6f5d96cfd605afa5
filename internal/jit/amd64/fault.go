package amd64

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64/x86"
)

// A fault in machine code (a wild access that the verifier should have
// refused, or a bug of the JIT) must not reach Go's signal handler, which
// would make the goroutine panic at an address that is not Go code and
// crash the process without saying which program did it. The fault
// handler (fault_linux_amd64.go) resumes the faulting thread at the
// program's fault stub instead, with rax = the signal, r10 = the fault
// address and r11 = the address of the faulting machine instruction; the
// stub returns to Go as the program's exit would, and Go turns that into
// an *engine.Fault naming the instruction (Program.fault). The normal path
// pays nothing: no instruction is added to the program's code.

// ErrMachineFault is the cause of a fault other than a bad memory access
// (engine.ErrMemory) in machine code: an illegal instruction, a trap or an
// arithmetic exception, which only a bug of the JIT can cause.
var ErrMachineFault = errors.New("jit: machine code fault")

// faultToken tells a leaf's return from its fault stub from a normal one
// that returns LeafFaultR0: the stub returns it in rbx, where a normal exit
// leaves r6. It is random, so that a program cannot return it on purpose
// (a forged fault would only be an error anyway).
var faultToken = newFaultToken()

func newFaultToken() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return binary.LittleEndian.Uint64(b[:]) | 1
}

// faultStub generates the code the fault handler resumes a faulting run
// at (lblFault).
//
// A fault outside the code of the program's instructions (in the entry or
// exit code, which only a run whose state in its engine.Block was
// overwritten can make fault: Go's saved rsp, say) cannot return to Go,
// and resuming it would fault again, for ever. The stub writes
// crashMessage to stderr and ends the process with exit status 2 instead.
//
// For a program run through the trampoline it records the fault address
// (r10) in context.arg and leaves to Go as every exit does, with exit =
// exitFault, the signal (rax) in regs[0] and the faulting address (r11) in
// context.resume. It needs only r12, the context, which no BPF register
// maps to, so it works wherever the machine code faulted, at any depth of
// bpf-to-bpf calls and callbacks: leave restores Go's rsp and rbp from the
// context.
//
// For a leaf it returns from the direct entry (directExit) with r0 =
// LeafFaultR0 and, in rbx, rcx, rdi and rsi, faultToken, the faulting
// address, the fault address and the signal: a LeafFault (see leafFuncs).
// directExit needs rsp and rbp as the body leaves them, which holds at
// every instruction that can fault: a leaf's body never moves rsp around a
// memory access (see fetchLoop; a division pushes rdx but cannot fault)
// and r10 (rbp) is read-only.
func (c *compiler) faultStub() {
	c.bind(c.fixed(lblFault))
	c.leaRIP(regCount, label(0))
	c.a.ALURegReg(x86.W64, x86.CMP, x86.R11, regCount)
	c.jcc(x86.CondB, c.fixed(lblCrash))
	c.leaRIP(regCount, c.fixed(lblEnd))
	c.a.ALURegReg(x86.W64, x86.CMP, x86.R11, regCount)
	c.jcc(x86.CondAE, c.fixed(lblCrash))
	if c.leaf {
		c.a.MovRegReg(x86.W64, x86.RSI, x86.RAX)
		c.a.MovRegReg(x86.W64, x86.RCX, x86.R11)
		c.a.MovRegReg(x86.W64, x86.RDI, x86.R10)
		c.a.MovRegImm64(x86.RBX, faultToken)
		c.a.MovRegSImm32(x86.RAX, -1) // LeafFaultR0
		c.directExit()
		return
	}
	c.a.Store(x86.W64, ctxMem(offArg), x86.R10)
	c.a.StoreImm(x86.W64, ctxMem(offExit), exitFault)
	c.jmp(c.fixed(lblLeave))
}

// crashMessage is what a fault outside a program's instructions writes to
// stderr before it ends the process.
const crashMessage = "gbpf: fault in JIT entry or exit code: the run's state was overwritten (a verifier or JIT bug)\n"

// crash generates the controlled crash of faultStub (lblCrash):
// write(2, crashMessage) and exit_group(2), followed by the message, which
// ends the code.
func (c *compiler) crash() {
	msg := c.newLabel()
	c.bind(c.fixed(lblCrash))
	c.a.MovRegImm32(x86.RAX, sysWrite)
	c.a.MovRegImm32(x86.RDI, 2)
	c.leaRIP(x86.RSI, msg)
	c.a.MovRegImm32(x86.RDX, uint32(len(crashMessage)))
	c.a.Syscall()
	c.a.MovRegImm32(x86.RAX, sysExitGroup)
	c.a.MovRegImm32(x86.RDI, 2)
	c.a.Syscall()
	c.a.Int3()
	c.bind(msg)
	c.a.Buf = append(c.a.Buf, crashMessage...)
}

// LeafFaultR0 is the r0 that a leaf program's machine code returns when
// it faults. A program may return it too: LeafFault.Faulted tells.
const LeafFaultR0 = ^uint64(0)

// LeafFault is what a leaf program's machine code returns besides r0 (see
// LeafFunc): whether it faulted, and where.
type LeafFault struct {
	token, ip, addr, sig uint64
}

// Faulted reports whether the run that returned r0 and f faulted; r0 is
// then not a result. It compares r0 with a constant first, so that a run
// that did not return LeafFaultR0 pays one comparison.
func (f LeafFault) Faulted(r0 uint64) bool { return r0 == LeafFaultR0 && f.token == faultToken }

// LeafError returns the error of a call of LeafFunc's function that
// returned r0 and f: nil unless it faulted, otherwise an *engine.Fault.
func (p *Program) LeafError(r0 uint64, f LeafFault) error {
	if !f.Faulted(r0) {
		return nil
	}
	return p.fault(f.sig, f.ip, f.addr)
}

// fault returns the error of a run that faulted with signal sig at the
// machine instruction at ip, accessing addr: an *engine.Fault at the BPF
// instruction whose code holds ip (the call, for code inlined at a call).
func (p *Program) fault(sig, ip, addr uint64) *engine.Fault {
	cause := ErrMachineFault
	if sig == sigSEGV || sig == sigBUS {
		cause = engine.ErrMemory
	}
	off := ip - p.base
	pc := -1
	if off < uint64(p.bodyEnd) {
		// The last slot whose code starts at or before off.
		pc = sort.Search(len(p.slots), func(i int) bool {
			if p.slots[i] < 0 {
				i-- // the second slot of an lddw: the code of the first
			}
			return uint64(p.slots[i]) > off
		}) - 1
		if pc > 0 && p.slots[pc] < 0 {
			pc--
		}
	}
	return &engine.Fault{PC: pc, Err: cause, Msg: fmt.Sprintf("%s at address %#x (machine code offset %#x)",
		signalName(sig), addr, off)}
}
