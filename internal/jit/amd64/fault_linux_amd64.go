package amd64

import (
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/internal/jit/amd64/x86"
)

// The fault handler is a signal handler of our own, in front of Go's, for
// the signals a fault in machine code raises. It is machine code too, made
// with the package's assembler and installed with rt_sigaction, with the
// flags, mask and restorer of the handler it replaces (Go's), so that the
// kernel delivers the signal exactly as it would to Go's: on the thread's
// signal stack, all signals blocked, returning through Go's restorer.
//
// The handler looks at the interrupted instruction pointer. If it lies in
// the code region and the page's fault stub is known, and the signal was
// raised by the processor (si_code > 0) rather than sent, the handler
// rewrites the saved context so that the thread resumes at the stub:
// rax = the signal, r10 = the fault address (si_addr), r11 = the faulting
// instruction's address. Then it returns, and the kernel restores that
// context (rt_sigreturn). Go's runtime never sees the signal. Otherwise
// the handler jumps to Go's handler with its arguments and stack as it got
// them, which then sees what it would have seen without us.
//
// Machine code never runs on a signal stack, so a fault there (in Go's
// handler, say) is never ours and goes to Go as before. The handler itself
// cannot fault (see handlerCode); if it did, the signal being blocked, the
// kernel would end the process, as it would for a fault in Go's.
var faultSignals = []syscall.Signal{unix.SIGSEGV, unix.SIGBUS, unix.SIGFPE, unix.SIGILL, unix.SIGTRAP}

// sigaction is the kernel's struct sigaction on amd64.
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// Offsets in the kernel's siginfo and ucontext on amd64 (sigcontext's
// registers start at uc_mcontext, 40 bytes in).
const (
	siCode = 8
	siAddr = 16
	ucR10  = 40 + 8*2
	ucR11  = 40 + 8*3
	ucRAX  = 40 + 8*13
	ucRIP  = 40 + 8*16

	saSiginfo = 4 // SA_SIGINFO
)

var handler struct {
	mu   sync.Mutex
	addr uintptr  // of the handler's code, in a page of its own
	fwd  []uint64 // by signal number: the handler we jump to, outside the Go heap
}

func rtSigaction(sig syscall.Signal, act, old *sigaction) error {
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// installFaultHandler makes the fault handler for r and installs it.
func installFaultHandler(r *codeRegion) error {
	handler.mu.Lock()
	defer handler.mu.Unlock()
	fwd, err := unix.MmapPtr(-1, 0, nil, pageSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return fmt.Errorf("jit: map the fault handler's table: %w", err)
	}
	handler.fwd = unsafe.Slice((*uint64)(fwd), 65)
	var a x86.Assembler
	handlerCode(&a, r, uint64(uintptr(fwd)))
	mem, err := unix.Mmap(-1, 0, pageSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return fmt.Errorf("jit: map the fault handler: %w", err)
	}
	copy(mem, a.Buf)
	if err := unix.Mprotect(mem, unix.PROT_READ|unix.PROT_EXEC); err != nil {
		return fmt.Errorf("jit: make the fault handler executable: %w", err)
	}
	handler.addr = uintptr(unsafe.Pointer(&mem[0]))
	return installLocked()
}

// ensureFaultHandler checks that the fault handler still handles SIGSEGV,
// and installs it again in front of whatever handler replaced it. Go
// installs its handlers at start-up and does not change them for these
// signals afterwards (os/signal.Notify does not take them over), but
// other code might (a C library through cgo, say).
func ensureFaultHandler() error {
	var cur sigaction
	if err := rtSigaction(unix.SIGSEGV, nil, &cur); err != nil {
		return fmt.Errorf("jit: read the SIGSEGV handler: %w", err)
	}
	handler.mu.Lock()
	defer handler.mu.Unlock()
	if handler.addr == 0 || cur.handler == handler.addr {
		return nil
	}
	return installLocked()
}

// installLocked puts the fault handler in front of the current handler of
// every fault signal whose handler is a function taking siginfo (Go's).
func installLocked() error {
	for _, sig := range faultSignals {
		for {
			var old sigaction
			if err := rtSigaction(sig, nil, &old); err != nil {
				return fmt.Errorf("jit: read the handler of %v: %w", sig, err)
			}
			if old.handler == handler.addr || old.handler <= 1 || old.flags&saSiginfo == 0 {
				break // ours already, or nothing to forward to
			}
			atomic.StoreUint64(&handler.fwd[sig], uint64(old.handler))
			act := old
			act.handler = handler.addr
			var prev sigaction
			if err := rtSigaction(sig, &act, &prev); err != nil {
				return fmt.Errorf("jit: install the fault handler for %v: %w", sig, err)
			}
			if prev == old {
				break
			}
			// Replaced meanwhile: put that one back and start again.
			if err := rtSigaction(sig, &prev, nil); err != nil {
				return fmt.Errorf("jit: install the fault handler for %v: %w", sig, err)
			}
		}
	}
	return nil
}

// handlerCode generates the fault handler, a C function
// handler(sig int, info *siginfo, uc *ucontext):
//
//		cmp   dword [rsi+si_code], 0
//		jle   forward               ; sent by kill or tkill: not a fault
//		mov   rax, [rdx+uc_rip]
//		mov   r11, base
//		sub   rax, r11
//		mov   r11, size
//		cmp   rax, r11
//		jae   forward               ; not in the code region
//		shr   rax, 12
//		shl   rax, 3
//		mov   r11, stubs
//		add   rax, r11
//		mov   rax, [rax]            ; the page's fault stub
//		test  rax, rax
//		je    forward
//		mov   r11, [rdx+uc_rip]
//		mov   [rdx+uc_r11], r11
//		mov   r11, [rsi+si_addr]
//		mov   [rdx+uc_r10], r11
//		mov   [rdx+uc_rax], rdi
//		mov   [rdx+uc_rip], rax
//		ret                         ; to the restorer: rt_sigreturn
//	forward:
//		mov   rax, rdi
//		shl   rax, 3
//		mov   r11, fwd
//		add   r11, rax
//		mov   r11, [r11]
//		jmp   r11                   ; Go's handler, with our arguments
//
// It uses no stack and touches only the signal frame and two tables that
// stay mapped for the life of the process, so it cannot fault itself.
func handlerCode(a *x86.Assembler, r *codeRegion, fwd uint64) {
	forward := 0
	for pass := 0; pass < 2; pass++ {
		a.Reset()
		a.ALUMemImm(x86.W32, x86.CMP, x86.Mem{Base: x86.RSI, Disp: siCode}, 0)
		a.JccNear(x86.CondLE, forward)
		a.Load(x86.W64, x86.RAX, x86.Mem{Base: x86.RDX, Disp: ucRIP})
		a.MovRegImm64(x86.R11, uint64(r.base))
		a.ALURegReg(x86.W64, x86.SUB, x86.RAX, x86.R11)
		a.MovRegImm64(x86.R11, uint64(r.pages)<<pageShift)
		a.ALURegReg(x86.W64, x86.CMP, x86.RAX, x86.R11)
		a.JccNear(x86.CondAE, forward)
		a.ShiftImm(x86.W64, x86.SHR, x86.RAX, pageShift)
		a.ShiftImm(x86.W64, x86.SHL, x86.RAX, 3)
		a.MovRegImm64(x86.R11, uint64(uintptr(unsafe.Pointer(unsafe.SliceData(r.stubs)))))
		a.ALURegReg(x86.W64, x86.ADD, x86.RAX, x86.R11)
		a.Load(x86.W64, x86.RAX, x86.Mem{Base: x86.RAX})
		a.TestRegReg(x86.W64, x86.RAX, x86.RAX)
		a.JccNear(x86.CondE, forward)
		a.Load(x86.W64, x86.R11, x86.Mem{Base: x86.RDX, Disp: ucRIP})
		a.Store(x86.W64, x86.Mem{Base: x86.RDX, Disp: ucR11}, x86.R11)
		a.Load(x86.W64, x86.R11, x86.Mem{Base: x86.RSI, Disp: siAddr})
		a.Store(x86.W64, x86.Mem{Base: x86.RDX, Disp: ucR10}, x86.R11)
		a.Store(x86.W64, x86.Mem{Base: x86.RDX, Disp: ucRAX}, x86.RDI)
		a.Store(x86.W64, x86.Mem{Base: x86.RDX, Disp: ucRIP}, x86.RAX)
		a.Ret()
		forward = a.Len()
		a.MovRegReg(x86.W64, x86.RAX, x86.RDI)
		a.ShiftImm(x86.W64, x86.SHL, x86.RAX, 3)
		a.MovRegImm64(x86.R11, fwd)
		a.ALURegReg(x86.W64, x86.ADD, x86.R11, x86.RAX)
		a.Load(x86.W64, x86.R11, x86.Mem{Base: x86.R11})
		a.JmpReg(x86.R11)
	}
}
