package interp

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

const (
	b  = isa.SizeB
	h  = isa.SizeH
	w  = isa.SizeW
	dw = isa.SizeDW
)

// TestLoadStore runs programs on a 16-byte input (bytes 0x80..0x8f) at r1
// and on the stack.
func TestLoadStore(t *testing.T) {
	input := make([]byte, 16)
	for i := range input {
		input[i] = byte(0x80 + i)
	}
	tests := []struct {
		name string
		p    isa.Program
		want uint64
	}{
		{"ldxb", prog(ldx(b, r0, r1, 1), exit()), 0x81},
		{"ldxh", prog(ldx(h, r0, r1, 2), exit()), 0x8382},
		{"ldxw", prog(ldx(w, r0, r1, 4), exit()), 0x87868584},
		{"ldxdw", prog(ldx(dw, r0, r1, 8), exit()), 0x8f8e8d8c8b8a8988},
		{"ldxsb", prog(ldxs(b, r0, r1, 0), exit()), 0xffffffffffffff80},
		{"ldxsh", prog(ldxs(h, r0, r1, 0), exit()), 0xffffffffffff8180},
		{"ldxsw", prog(ldxs(w, r0, r1, 0), exit()), 0xffffffff83828180},
		{"ldx negative offset", prog(mov64x(r2, r1), add64(r2, 8), ldx(b, r0, r2, -8), exit()), 0x80},
		{"stb", prog(st(b, r10, -1, 0x1ff), ldx(dw, r0, r10, -8), exit()), 0xff00000000000000},
		{"sth", prog(st(h, r10, -2, 0x1234), ldx(h, r0, r10, -2), exit()), 0x1234},
		{"stw", prog(st(w, r10, -4, -2), ldx(w, r0, r10, -4), exit()), 0xfffffffe},
		{"stdw sign-extends", prog(st(dw, r10, -8, -2), ldx(dw, r0, r10, -8), exit()), 0xfffffffffffffffe},
		{"stxb", prog(mov64(r2, 0x1ab), stx(b, r10, r2, -1), ldx(b, r0, r10, -1), exit()), 0xab},
		{"stxh", prog(mov64(r2, -1), stx(h, r10, r2, -2), ldx(dw, r0, r10, -8), exit()), 0xffff000000000000},
		{"stxw", prog(mov64(r2, -1), stx(w, r10, r2, -4), ldx(dw, r0, r10, -8), exit()), 0xffffffff00000000},
		{"stxdw", prog(lddw(r2, 0x0102030405060708), stx(dw, r10, r2, -8), ldx(w, r0, r10, -4), exit()), 0x01020304},
		{"store to input", prog(st(b, r1, 15, 7), ldx(b, r0, r1, 15), exit()), 7},
		{"stack is zero at start", prog(ldx(dw, r0, r10, -512), ldx(dw, r2, r10, -8), aluX(a64, isa.Or, r0, r2), exit()), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, m := range modes {
				mem := newBlock(t, input)
				env := &engine.Env{Regions: []engine.Region{mem.Region(true)}}
				pr, err := Compile(tt.p, m.opts)
				if err != nil {
					t.Fatal(err)
				}
				got, err := pr.Run(env, mem.Addr(), uint64(mem.Len()))
				if err != nil {
					t.Fatalf("%s: %v", m.name, err)
				}
				if got != tt.want {
					t.Errorf("%s: r0 = %#x, want %#x", m.name, got, tt.want)
				}
			}
		})
	}
}

// TestAtomics runs each atomic operation on an 8-byte word of input memory
// holding 0x0f0f0f0f_0000000c with src = 0x1_0000000a, and checks memory,
// src afterwards (the fetched value, or unchanged) and r0.
func TestAtomics(t *testing.T) {
	const init = 0x0f0f0f0f_0000000c
	tests := []struct {
		name    string
		size    isa.Size
		op      isa.AtomicOp
		r0      uint64 // r0 before (cmpxchg compares with it)
		wantMem uint64
		wantSrc uint64
		wantR0  uint64
	}{
		{"add32", w, isa.AtomicAdd, 0, 0x0f0f0f0f_00000016, 0x1_0000000a, 0},
		{"or32", w, isa.AtomicOr, 0, 0x0f0f0f0f_0000000e, 0x1_0000000a, 0},
		{"and32", w, isa.AtomicAnd, 0, 0x0f0f0f0f_00000008, 0x1_0000000a, 0},
		{"xor32", w, isa.AtomicXor, 0, 0x0f0f0f0f_00000006, 0x1_0000000a, 0},
		{"fetch add32", w, isa.AtomicAdd | isa.AtomicFetch, 0, 0x0f0f0f0f_00000016, 0xc, 0},
		{"fetch or32", w, isa.AtomicOr | isa.AtomicFetch, 0, 0x0f0f0f0f_0000000e, 0xc, 0},
		{"fetch and32", w, isa.AtomicAnd | isa.AtomicFetch, 0, 0x0f0f0f0f_00000008, 0xc, 0},
		{"fetch xor32", w, isa.AtomicXor | isa.AtomicFetch, 0, 0x0f0f0f0f_00000006, 0xc, 0},
		{"xchg32", w, isa.AtomicXchg, 0, 0x0f0f0f0f_0000000a, 0xc, 0},
		{"cmpxchg32 equal", w, isa.AtomicCmpXchg, 0xffffffff_0000000c, 0x0f0f0f0f_0000000a, 0x1_0000000a, 0xc},
		{"cmpxchg32 differs", w, isa.AtomicCmpXchg, 5, init, 0x1_0000000a, 0xc},

		{"add64", dw, isa.AtomicAdd, 0, 0x0f0f0f10_00000016, 0x1_0000000a, 0},
		{"or64", dw, isa.AtomicOr, 0, 0x0f0f0f0f_0000000e, 0x1_0000000a, 0},
		{"and64", dw, isa.AtomicAnd, 0, 0x00000001_00000008, 0x1_0000000a, 0},
		{"xor64", dw, isa.AtomicXor, 0, 0x0f0f0f0e_00000006, 0x1_0000000a, 0},
		{"fetch add64", dw, isa.AtomicAdd | isa.AtomicFetch, 0, 0x0f0f0f10_00000016, init, 0},
		{"fetch or64", dw, isa.AtomicOr | isa.AtomicFetch, 0, 0x0f0f0f0f_0000000e, init, 0},
		{"fetch and64", dw, isa.AtomicAnd | isa.AtomicFetch, 0, 0x00000001_00000008, init, 0},
		{"fetch xor64", dw, isa.AtomicXor | isa.AtomicFetch, 0, 0x0f0f0f0e_00000006, init, 0},
		{"xchg64", dw, isa.AtomicXchg, 0, 0x1_0000000a, init, 0},
		{"cmpxchg64 equal", dw, isa.AtomicCmpXchg, init, 0x1_0000000a, 0x1_0000000a, init},
		{"cmpxchg64 differs", dw, isa.AtomicCmpXchg, 0xc, init, 0x1_0000000a, init},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, m := range modes {
				// r1 points at 24 bytes: the word, then slots for the
				// fetched value and r0.
				mem := newBlock(t, make([]byte, 24))
				binary.LittleEndian.PutUint64(mem.Bytes(), init)
				env := &engine.Env{Regions: []engine.Region{mem.Region(true)}}
				p := prog(
					lddw(r0, tt.r0),
					lddw(r2, 0x1_0000000a),
					atomicInsn(tt.size, tt.op, r1, r2, 0),
					stx(dw, r1, r2, 8),
					stx(dw, r1, r0, 16),
					mov64(r0, 0),
					exit(),
				)
				pr, err := Compile(p, m.opts)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := pr.Run(env, mem.Addr(), 24); err != nil {
					t.Fatalf("%s: %v", m.name, err)
				}
				got := mem.Bytes()
				if v := binary.LittleEndian.Uint64(got); v != tt.wantMem {
					t.Errorf("%s: memory = %#x, want %#x", m.name, v, tt.wantMem)
				}
				if v := binary.LittleEndian.Uint64(got[8:]); v != tt.wantSrc {
					t.Errorf("%s: src = %#x, want %#x", m.name, v, tt.wantSrc)
				}
				wantR0 := tt.r0
				if tt.op == isa.AtomicCmpXchg {
					wantR0 = tt.wantR0
				}
				if v := binary.LittleEndian.Uint64(got[16:]); v != wantR0 {
					t.Errorf("%s: r0 = %#x, want %#x", m.name, v, wantR0)
				}
			}
		})
	}
}

// TestStackClearedBetweenRuns runs a program that fills every frame it
// reaches with ones, then a program without stores (whose runs skip the
// clearing) that ORs words from those frames: each run must see a zero
// stack, whichever pooled machine it gets.
func TestStackClearedBetweenRuns(t *testing.T) {
	// fill(n): fill the frame with -1, recurse to depth n.
	fill := prog(
		mov64(r1, 7), callLocal(1), exit(),
		mov64x(r3, r10), add64(r3, -512),
		st(dw, r3, 0, -1), add64(r3, 8), jmpX(j64, isa.JLT, r3, r10, -3),
		mov64(r0, 0), jmpK(j64, isa.JEq, r1, 0, 2), add64(r1, -1), callLocal(-10),
		exit(),
	)
	// read: OR one word of each of the eight frames, all reached through
	// loads from r10 in nested calls (no stores).
	read := prog(
		mov64(r0, 0), mov64(r1, 7), callLocal(1), exit(),
		ldx(dw, r2, r10, -8), aluX(a64, isa.Or, r0, r2),
		ldx(dw, r2, r10, -512), aluX(a64, isa.Or, r0, r2),
		jmpK(j64, isa.JEq, r1, 0, 2), add64(r1, -1), callLocal(-8),
		exit(),
	)
	for _, m := range modes {
		f, err := Compile(fill, m.opts)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Compile(read, m.opts)
		if err != nil {
			t.Fatal(err)
		}
		if r.writes || !f.writes {
			t.Fatalf("writes: fill %v, read %v", f.writes, r.writes)
		}
		for range 50 {
			if _, err := f.Run(nil, 0, 0); err != nil {
				t.Fatalf("%s: fill: %v", m.name, err)
			}
			if got, err := r.Run(nil, 0, 0); err != nil || got != 0 {
				t.Fatalf("%s: read: %#x, %v", m.name, got, err)
			}
		}
	}
}

// TestMisalignedAtomicFaults runs atomics at addresses not aligned to
// their size, on the stack and in input memory, in every mode: each is a
// memory fault naming the instruction and leaves memory unchanged, never
// a crash (Go's atomics on arm64 die of SIGBUS on such an address).
func TestMisalignedAtomicFaults(t *testing.T) {
	mem := newBlock(t, make([]byte, 64))
	env := &engine.Env{Regions: []engine.Region{mem.Region(true)}}
	tests := []struct {
		name string
		p    isa.Program
	}{
		{"dw add in memory", prog(mov64(r2, 1), atomicInsn(dw, isa.AtomicAdd, r1, r2, 4), exit())},
		{"w xchg in memory", prog(mov64(r2, 1), atomicInsn(w, isa.AtomicXchg, r1, r2, 2), exit())},
		{"dw cmpxchg on the stack", prog(mov64(r2, 1), mov64(r0, 0), atomicInsn(dw, isa.AtomicCmpXchg, r10, r2, -12), exit())},
		{"w fetch or on the stack", prog(mov64(r2, 1), atomicInsn(w, isa.AtomicOr|isa.AtomicFetch, r10, r2, -7), exit())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, m := range modes {
				pr, err := Compile(tt.p, m.opts)
				if err != nil {
					t.Fatal(err)
				}
				_, err = pr.Run(env, mem.Addr()+16, 0)
				pc := len(tt.p.Insns) - 2
				if f := wantFault(t, err, engine.ErrMemory, pc); !strings.Contains(f.Error(), "misaligned atomic") {
					t.Errorf("%s: fault does not say misaligned atomic: %v", m.name, f)
				}
			}
			for _, b := range mem.Bytes() {
				if b != 0 {
					t.Fatal("a faulting atomic wrote to memory")
				}
			}
		})
	}
}
