//go:build linux && amd64

package amd64

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
)

// The programs below are unsound on purpose: the verifier would refuse
// every one. Compiled with the JIT directly, they are what a verifier bug
// would let through. Each must end in an *engine.Fault naming the
// instruction, and leave the process and the Program in working order.

// wild is an address that is never mapped in a Go process.
const wild = "0x1000"

// faultCase is a program that faults at instruction pc when r1 is not
// zero (r2 is then the address it touches), and returns 7 otherwise.
type faultCase struct {
	name  string
	src   string
	leaf  bool
	pc    int
	cause error
}

var faultCases = []faultCase{
	{"leaf read", `
jeq %r1, 0, +2
ldxdw %r0, [%r2]
exit
mov %r0, 7
exit`, true, 1, engine.ErrMemory},
	{"leaf write", `
jeq %r1, 0, +3
mov %r0, 1
stxw [%r2+0], %r0
exit
mov %r0, 7
exit`, true, 2, engine.ErrMemory},
	// r8 (r14, Go's goroutine register) and r10 (rbp) in use: the stub
	// must give Go back both, and its frame.
	{"leaf frame", `
mov %r8, 3
stdw [%r10-512], 1
lddw %r6, 0x5555
jeq %r1, 0, +2
ldxb %r0, [%r2+0]
exit
mov %r0, 7
exit`, true, 5, engine.ErrMemory},
	// An atomic operation x86 has no instruction for, on an address in
	// r0: fetchLoop, with r8 but not r10, so that rsp must not move.
	{"leaf atomic", `
mov %r8, 1
jeq %r1, 0, +4
mov %r0, %r2
mov %r3, 1
lock fetch and [%r0+0], %r3
exit
mov %r0, 7
exit`, true, 4, engine.ErrMemory},
	{"loop read", `
mov %r3, 3
sub %r3, 1
jne %r3, 0, -2
jeq %r1, 0, +2
ldxdw %r0, [%r2+8]
exit
mov %r0, 7
exit`, false, 4, engine.ErrMemory},
	{"loop atomic", `
mov %r3, 3
sub %r3, 1
jne %r3, 0, -2
jeq %r1, 0, +3
mov %r0, %r2
lock fetch xor [%r0+0], %r3
exit
mov %r0, 7
exit`, false, 5, engine.ErrMemory},
	// Three frames deep in bpf-to-bpf calls, on the machine stack.
	{"local calls", `
stdw [%r10-8], 1
call local f
exit
f:
mov %r6, %r1
call local g
add %r0, %r6
sub %r0, %r6
exit
g:
jeq %r1, 0, +2
stxdw [%r2+0], %r1
exit
mov %r0, 7
exit`, false, 9, engine.ErrMemory},
	// Code inlined at a call faults as the call.
	{"inlined", `
jeq %r1, 0, +2
call local f
exit
mov %r0, 7
exit
f:
ldxh %r0, [%r2+0]
exit`, false, 1, engine.ErrMemory},
}

// faultRun is one way of running a compiled faultCase.
type faultRun struct {
	name string
	leaf bool // only for leaves
	run  func(p *Program, r1, r2 uint64) (uint64, error)
}

var faultRuns = []faultRun{
	{"Run", false, func(p *Program, r1, r2 uint64) (uint64, error) { return p.Run(nil, r1, r2) }},
	{"RunContext", false, func(p *Program, r1, r2 uint64) (uint64, error) {
		return p.RunContext(context.Background(), &engine.Env{}, r1, r2)
	}},
	{"RunBytes", true, func(p *Program, r1, r2 uint64) (uint64, error) {
		if r1 == 0 {
			return p.RunBytes(nil)
		}
		// A Go slice whose data pointer is the wild address: r2 is not
		// used by these programs as a length.
		return p.RunBytes(wildSlice(r2))
	}},
	{"LeafFunc", true, func(p *Program, r1, r2 uint64) (uint64, error) {
		r0, f := p.LeafFunc()(wildPtr(r1), r2)
		runtime.KeepAlive(p)
		if err := p.LeafError(r0, f); err != nil {
			return 0, err
		}
		return r0, nil
	}},
}

// wildPtr and wildSlice make a pointer and a one-byte slice at addr, which
// is not Go memory (checkptr would object).
//
//go:nocheckptr
func wildPtr(addr uint64) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(nil), uintptr(addr)) }

//go:nocheckptr
func wildSlice(addr uint64) []byte { return unsafe.Slice((*byte)(wildPtr(addr)), 1) }

// checkFault checks that err is the fault c describes.
func checkFault(t *testing.T, err error, pc int, cause error, addr string) {
	t.Helper()
	var f *engine.Fault
	if !errors.As(err, &f) || !errors.Is(err, cause) || f.PC != pc {
		t.Fatalf("error = %v, want a fault at instruction %d: %v", err, pc, cause)
	}
	if addr != "" && !strings.Contains(f.Msg, "at address "+addr+" ") {
		t.Errorf("message %q does not give the address %s", f.Msg, addr)
	}
}

func TestFault(t *testing.T) {
	for _, c := range faultCases {
		t.Run(c.name, func(t *testing.T) {
			for _, o := range options {
				p := compileT(t, assemble(t, c.src), o.opts)
				if p.Leaf() != c.leaf {
					t.Fatalf("Leaf() = %v, want %v", p.Leaf(), c.leaf)
				}
				for _, r := range faultRuns {
					if r.leaf && !c.leaf {
						continue
					}
					// Faults and normal runs in turn, on the same states.
					for i := range 3 {
						if _, err := r.run(p, 1, 0x1000); err == nil {
							t.Fatalf("%s %s: no fault", o.name, r.name)
						} else {
							checkFault(t, err, c.pc, c.cause, "")
						}
						if r0, err := r.run(p, 0, 0); err != nil || r0 != 7 {
							t.Fatalf("%s %s after %d faults: r0 = %d, %v; want 7", o.name, r.name, i+1, r0, err)
						}
					}
				}
			}
		})
	}
}

// TestLeafFaultR0 checks that a leaf that returns LeafFaultR0 has not
// faulted.
func TestLeafFaultR0(t *testing.T) {
	p := compileT(t, assemble(t, "mov %r6, 1\nmov %r0, -1\nexit"), Options{})
	if r0, err := p.Run(nil, 0, 0); err != nil || r0 != LeafFaultR0 {
		t.Fatalf("r0 = %#x, %v; want %#x", r0, err, LeafFaultR0)
	}
	if r0, err := p.RunBytes(nil); err != nil || r0 != LeafFaultR0 {
		t.Fatalf("RunBytes: r0 = %#x, %v; want %#x", r0, err, LeafFaultR0)
	}
}

// TestFaultAddress checks the fault address in the message, and a general
// protection fault (a non-canonical address), which has none.
func TestFaultAddress(t *testing.T) {
	p := compileT(t, assemble(t, "lddw %r1, "+wild+"\nstxdw [%r1+0x10], %r1\nexit"), Options{})
	_, err := p.Run(nil, 0, 0)
	checkFault(t, err, 2, engine.ErrMemory, "0x1010")
	p = compileT(t, assemble(t, "lddw %r1, 0x8000000000000000\nldxdw %r0, [%r1+0]\nexit"), Options{})
	_, err = p.Run(nil, 0, 0)
	checkFault(t, err, 2, engine.ErrMemory, "")
}

// TestFaultCallback checks a fault in a callback: CallFunc returns it to
// the helper, and the run goes on.
func TestFaultCallback(t *testing.T) {
	src := `
mov %r6, 0
mov %r1, 2
lddw %r2, func cb
mov %r3, 0
mov %r4, 0
call 181
add %r0, 100
exit
cb:
lddw %r2, ` + wild + `
ldxdw %r0, [%r2+0]
exit`
	var got error
	helpers := []engine.Helper{181: func(env *engine.Env, n, fn, ctx, _, _ uint64) uint64 {
		_, got = env.CallFunc(int(fn), 0, ctx, 0, 0, 0)
		return 1
	}}
	for _, o := range options {
		got = nil
		p := compileT(t, assemble(t, src), o.opts)
		r0, err := p.Run(&engine.Env{Helpers: helpers}, 0, 0)
		if err != nil || r0 != 101 {
			t.Fatalf("%s: r0 = %d, %v; want 101", o.name, r0, err)
		}
		checkFault(t, got, 11, engine.ErrMemory, wild)
	}
}

// TestFaultConcurrent faults on many goroutines at once, with garbage
// collections and growing stacks, to check that the Go runtime does not
// notice.
func TestFaultConcurrent(t *testing.T) {
	progs := []*Program{
		compileT(t, assemble(t, faultCases[2].src), Options{}),
		compileT(t, assemble(t, faultCases[6].src), Options{}),
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var grow func(int) uint64
			grow = func(n int) uint64 {
				var pad [256]byte
				pad[n%256] = byte(n)
				if n > 0 {
					return grow(n-1) + uint64(pad[n%256])
				}
				p := progs[g%2]
				if _, err := p.Run(nil, 1, 0x1000); err == nil {
					errs <- errors.New("no fault")
				}
				r0, err := p.Run(nil, 0, 0)
				if err != nil || r0 != 7 {
					errs <- err
				}
				return r0
			}
			for i := range 200 {
				grow(i % 64)
				if i%50 == 0 {
					runtime.GC()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestFaultInGo checks that faults in Go code, a helper's included, stay
// the Go runtime's: a nil dereference panics as usual.
func TestFaultInGo(t *testing.T) {
	var x *int
	deref := func() (err error) {
		defer func() {
			if e, ok := recover().(runtime.Error); ok {
				err = e
			}
		}()
		return errors.New(string(rune(*x)))
	}
	helpers := []engine.Helper{1: func(*engine.Env, uint64, uint64, uint64, uint64, uint64) uint64 {
		if err := deref(); err != nil && strings.Contains(err.Error(), "nil pointer dereference") {
			return 1
		}
		return 0
	}}
	p := compileT(t, assemble(t, "call 1\nexit"), Options{})
	if r0, err := p.Run(&engine.Env{Helpers: helpers}, 0, 0); err != nil || r0 != 1 {
		t.Fatalf("r0 = %d, %v; want the helper's recovered panic (1)", r0, err)
	}
	if err := deref(); err == nil {
		t.Fatal("no panic outside a run")
	}
}

// TestFaultHandlerReplaced puts Go's handler back in front of ours, as a
// library might, and checks that the next Compile notices and installs
// the fault handler again.
func TestFaultHandlerReplaced(t *testing.T) {
	compileT(t, assemble(t, "mov %r0, 0\nexit"), Options{}) // installs it
	var cur sigaction
	if err := rtSigaction(unix.SIGSEGV, nil, &cur); err != nil {
		t.Fatal(err)
	}
	if cur.handler != handler.addr {
		t.Fatalf("SIGSEGV handler %#x, want ours (%#x)", cur.handler, handler.addr)
	}
	goHandler := cur
	goHandler.handler = uintptr(handler.fwd[unix.SIGSEGV])
	if err := rtSigaction(unix.SIGSEGV, &goHandler, nil); err != nil {
		t.Fatal(err)
	}
	p := compileT(t, assemble(t, "lddw %r1, "+wild+"\nldxdw %r0, [%r1+0]\nexit"), Options{})
	_, err := p.Run(nil, 0, 0)
	checkFault(t, err, 2, engine.ErrMemory, wild)
}

// TestRefuseOutsideFrame checks that the JIT refuses stack accesses
// through r10 outside the frame: in a leaf they would read or write Go's
// stack without a fault.
func TestRefuseOutsideFrame(t *testing.T) {
	for _, src := range []string{
		"ldxdw %r0, [%r10+8]\nexit",
		"mov %r0, 0\nstdw [%r10+2048], 0\nexit",
		"ldxdw %r0, [%r10-4]\nexit",
		"mov %r0, 0\nstw [%r10-516], 0\nexit",
		"mov %r0, 0\nmov %r1, 2\nsub %r1, 1\njne %r1, 0, -2\nstdw [%r10+8], 0\nexit",
	} {
		_, err := Compile(assemble(t, src), Options{})
		var ie *isa.Error
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "outside the 512-byte frame") {
			t.Errorf("%q: error = %v, want a refusal naming the instruction", src, err)
		}
	}
}

// TestUnverifiedSandbox runs the shared sandbox's unverified programs
// (finding F10) on the JIT, as a verifier bug would let them: each ends
// with an error naming the instruction, at compile time (a stack access
// outside the frame) or as a fault, except nl_wr_ctx.s, whose wild writes
// land in its own run's saved registers and do no harm.
func TestUnverifiedSandbox(t *testing.T) {
	dir := testutil.SharedDir(t, "sandbox", "unverified")
	files, err := filepath.Glob(filepath.Join(dir, "*.s"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no programs in %s: %v", dir, err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := asm.Assemble(string(src))
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range options {
				prog, err := Compile(p, o.opts)
				var ie *isa.Error
				if errors.As(err, &ie) {
					continue
				}
				if err != nil {
					t.Fatalf("%s: compile: %v", o.name, err)
				}
				r0, err := prog.Run(nil, 0, 0)
				prog.Close()
				var f *engine.Fault
				switch {
				case name == "nl_wr_ctx.s":
					if err != nil || r0 != 0 {
						t.Errorf("%s: r0 = %d, %v; want 0", o.name, r0, err)
					}
				case !errors.As(err, &f) || !errors.Is(err, engine.ErrMemory):
					t.Errorf("%s: r0 = %d, error %v; want a memory fault", o.name, r0, err)
				}
			}
		})
	}
}

// crashEnv makes the test binary run crashChild instead of its tests.
const crashEnv = "GBPF_JIT_CRASH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(crashEnv) == "1" {
		crashChild()
		os.Exit(0) // not reached
	}
	os.Exit(m.Run())
}

// crashChild runs a program that overwrites Go's stack pointer saved in
// its context (r10 escapes, so the JIT cannot see it), then exits: the
// exit code faults on the way back to Go, where no error can be returned.
func crashChild() {
	off := stateMachStack - offGoSP
	p, err := asm.Assemble("mov %r1, %r10\nadd %r1, -" + strconv.Itoa(off) + "\nstdw [%r1+0], 0\nmov %r0, 0\nmov %r2, 2\nsub %r2, 1\njne %r2, 0, -2\nexit\n")
	if err != nil {
		panic(err)
	}
	prog, err := Compile(p, Options{})
	if err != nil {
		panic(err)
	}
	prog.Run(nil, 0, 0)
}

// TestFaultCrash checks the controlled crash: a fault outside the
// program's instructions writes crashMessage and exits with status 2,
// where it used to fault again for ever.
func TestFaultCrash(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || stderr.String() != crashMessage {
		t.Fatalf("child: %v, stderr %q; want exit status 2 and %q", err, stderr.String(), crashMessage)
	}
}
