package amd64

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// options are the compilations every test runs under.
var options = []struct {
	name string
	opts Options
}{{"plain", Options{}}, {"blind", Options{Blind: true}}, {"bounded", Options{Bounded: true}}}

func assemble(t testing.TB, src string) isa.Program {
	t.Helper()
	p, err := asm.Assemble(strings.TrimSpace(src) + "\n")
	if err != nil {
		t.Fatalf("assemble: %v\n%s", err, src)
	}
	return p
}

func compileT(t testing.TB, p isa.Program, opts Options) *Program {
	t.Helper()
	if !Supported {
		t.Skip("JIT not supported on this architecture")
	}
	prog, err := Compile(p, opts)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	t.Cleanup(func() { prog.Close() })
	return prog
}

// newMem returns n bytes of runtime memory holding init.
func newMem(t testing.TB, n int, init []byte) *engine.Block {
	t.Helper()
	b, err := engine.Alloc(n)
	if err != nil {
		t.Fatal(err)
	}
	copy(b.Bytes(), init)
	t.Cleanup(func() { b.Free() })
	return b
}

type insnTest struct {
	name string
	src  string
	mem  []byte // r1 points at a copy, r2 is its length
	want uint64
}

// run compiles tc under every option and checks r0.
func (tc insnTest) run(t *testing.T, env *engine.Env) {
	t.Helper()
	p := assemble(t, tc.src)
	for _, o := range options {
		prog := compileT(t, p, o.opts)
		var r1, r2 uint64
		if tc.mem != nil {
			b := newMem(t, len(tc.mem), tc.mem)
			r1, r2 = b.Addr(), uint64(len(tc.mem))
		}
		if env == nil {
			env = &engine.Env{}
		}
		got, err := prog.Run(env, r1, r2)
		if err != nil {
			t.Errorf("%s/%s: %v", tc.name, o.name, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s/%s: r0 = %#x, want %#x", tc.name, o.name, got, tc.want)
		}
	}
}

func runTable(t *testing.T, tests []insnTest) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, nil) })
	}
}

func TestContextLayout(t *testing.T) {
	var c vmContext
	for _, f := range []struct {
		name     string
		got, off uintptr
	}{
		{"regs", unsafe.Offsetof(c.regs), offRegs},
		{"count", unsafe.Offsetof(c.count), offCount},
		{"goSP", unsafe.Offsetof(c.goSP), offGoSP},
		{"goBP", unsafe.Offsetof(c.goBP), offGoBP},
		{"machSP", unsafe.Offsetof(c.machSP), offMachSP},
		{"resume", unsafe.Offsetof(c.resume), offResume},
		{"exit", unsafe.Offsetof(c.exit), offExit},
		{"arg", unsafe.Offsetof(c.arg), offArg},
		{"pc", unsafe.Offsetof(c.pc), offPC},
		{"callLimit", unsafe.Offsetof(c.callLimit), offCallLimit},
		{"size", unsafe.Sizeof(c), contextSize},
	} {
		if f.got != f.off {
			t.Errorf("%s at %d, constant says %d", f.name, f.got, f.off)
		}
	}
	if contextSize > stateStack {
		t.Errorf("context (%d bytes) overlaps the stack at %d", contextSize, stateStack)
	}
}
