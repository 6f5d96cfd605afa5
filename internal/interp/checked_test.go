package interp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// TestCheckedFaults runs programs that touch memory they may not in
// checked mode: each must end with a fault naming the instruction, the
// access size and the address, and never touch the memory.
func TestCheckedFaults(t *testing.T) {
	in := newInner(t, 64) // r1: writable input
	ro := newInner(t, 64) // r2: read-only region
	env := &engine.Env{Regions: []engine.Region{in.Region(true), ro.Region(false)}}
	tests := []struct {
		name  string
		p     isa.Program
		pc    int
		size  int
		addr  func() uint64 // nil for stack addresses
		stack *int64        // for stack addresses: the offset from the top of the stack
		note  string
	}{
		{"read above the stack", prog(ldx(dw, r0, r10, 0), exit()), 0, 8, nil, stackAt(0), "stack"},
		{"read straddling the stack top", prog(ldx(dw, r0, r10, -4), exit()), 0, 8, nil, stackAt(-4), "stack"},
		{"write below the frame", prog(st(w, r10, -516, 1), exit()), 0, 4, nil, stackAt(-516), "stack"},
		{"write below the callee's frame", prog(callLocal(1), exit(), st(b, r10, -513, 1), exit()), 2, 1, nil, stackAt(-512 - 513), "stack"},
		{"read after the input", prog(ldx(w, r0, r1, 62), exit()), 0, 4,
			func() uint64 { return in.Addr() + 62 }, nil, ""},
		{"read before the input", prog(ldx(b, r0, r1, -1), exit()), 0, 1,
			func() uint64 { return in.Addr() - 1 }, nil, ""},
		{"null pointer", prog(mov64(r1, 0), ldx(dw, r0, r1, 16), exit()), 1, 8,
			func() uint64 { return 16 }, nil, "null pointer"},
		{"null pointer store", prog(mov64(r3, 0), stx(b, r3, r3, 0), exit()), 1, 1,
			func() uint64 { return 0 }, nil, "null pointer"},
		{"write to read-only memory", prog(st(dw, r2, 0, 1), exit()), 0, 8,
			func() uint64 { return ro.Addr() }, nil, "read-only"},
		{"atomic on read-only memory", prog(atomicInsn(w, isa.AtomicAdd, r2, r1, 4), exit()), 0, 4,
			func() uint64 { return ro.Addr() + 4 }, nil, "read-only"},
		{"misaligned atomic", prog(atomicInsn(dw, isa.AtomicXchg, r1, r1, 4), exit()), 0, 8,
			func() uint64 { return in.Addr() + 4 }, nil, "misaligned"},
		{"address wraps around", prog(lddw(r3, ^uint64(0)), ldx(h, r0, r3, 0), exit()), 2, 2,
			func() uint64 { return ^uint64(0) }, nil, ""},
		{"helper memory is not a region", prog(lddw(r3, 0x7000_0000_0000), ldx(b, r0, r3, 0), exit()), 2, 1,
			func() uint64 { return 0x7000_0000_0000 }, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := Compile(tt.p, Options{Checked: true})
			if err != nil {
				t.Fatal(err)
			}
			_, err = pr.Run(env, in.Addr(), ro.Addr())
			f := wantFault(t, err, engine.ErrMemory, tt.pc)
			msg := f.Error()
			if !strings.Contains(msg, fmt.Sprintf("of %d bytes", tt.size)) {
				t.Errorf("fault does not give the size %d: %s", tt.size, msg)
			}
			// The stack's address depends on the pooled machine the run
			// got, but its top is at the end of a page-aligned mapping.
			if tt.stack != nil {
				field := strings.Fields(msg[strings.Index(msg, " at ")+4:])[0]
				a, err := strconv.ParseUint(field, 0, 64)
				if err != nil || a == 0 {
					t.Fatalf("no address in %q", msg)
				}
				if top := a - uint64(*tt.stack); top%4096 != 0 {
					t.Errorf("address %#x is not %d bytes from the stack top", a, *tt.stack)
				}
			}
			if tt.addr != nil {
				if a := fmt.Sprintf("at %#x", tt.addr()); !strings.Contains(msg, a) {
					t.Errorf("fault does not give the address %s: %s", a, msg)
				}
			}
			if tt.note != "" && !strings.Contains(msg, tt.note) {
				t.Errorf("fault does not say %q: %s", tt.note, msg)
			}
		})
	}
	for _, m := range []*innerMem{in, ro} {
		for _, b := range m.block.Bytes() {
			if b != 0 {
				t.Fatal("a faulting program wrote to memory")
			}
		}
	}
}

func stackAt(off int64) *int64 { return &off }

// innerMem is n bytes in the middle of a mapping of their own, so that no
// other mapping (such as a stack) can lie right next to them: an access
// just outside them is outside every region.
type innerMem struct {
	block *engine.Block
	n     uint64
}

func newInner(t *testing.T, n int) *innerMem {
	t.Helper()
	return &innerMem{block: newBlock(t, make([]byte, 3*4096)), n: uint64(n)}
}

func (m *innerMem) Addr() uint64 { return m.block.Addr() + 4096 }

func (m *innerMem) Region(writable bool) engine.Region {
	return engine.Region{Start: m.Addr(), End: m.Addr() + m.n, Writable: writable}
}

// TestCheckedAllowed checks the accesses checked mode must allow: every
// byte of the live frames, a caller's frame from a callee, the regions.
func TestCheckedAllowed(t *testing.T) {
	in := newBlock(t, make([]byte, 16))
	ro := newBlock(t, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	env := &engine.Env{Regions: []engine.Region{in.Region(true), ro.Region(false)}}
	p := prog(
		st(b, r10, -512, 1), st(dw, r10, -8, 2), // both ends of the frame
		ldx(dw, r0, r2, 0), // read-only region
		stx(dw, r1, r0, 8), // input, last word
		mov64x(r6, r10),    //
		callLocal(2),       //
		ldx(b, r0, r10, -512), exit(),
		st(dw, r10, -512, 3),                      // the callee's frame bottom
		ldx(dw, r3, r6, -8), stx(dw, r6, r3, -16), // the caller's frame
		exit(),
	)
	pr, err := Compile(p, Options{Checked: true})
	if err != nil {
		t.Fatal(err)
	}
	r0, err := pr.Run(env, in.Addr(), ro.Addr())
	if err != nil || r0 != 1 {
		t.Fatalf("r0 = %#x, %v", r0, err)
	}
}

// TestFaultIsError checks that faults work with errors.Is and As.
func TestFaultIsError(t *testing.T) {
	pr, err := Compile(prog(ldx(w, r0, r1, 0), exit()), Options{Checked: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pr.Run(nil, 8, 0)
	var f *engine.Fault
	if !errors.As(err, &f) || !errors.Is(err, engine.ErrMemory) || f.PC != 0 {
		t.Fatalf("%v", err)
	}
	if want := "instruction 0: invalid memory access: read of 4 bytes at 0x8 (null pointer)"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}
