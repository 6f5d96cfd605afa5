package amd64

import (
	"context"
	"errors"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
)

// TestLeaf checks which programs are leaves and what their direct entry
// gives them: r1 and r2, zeroed registers and stack, r6-r9 and r10 kept
// for Go (the results would be wrong, or Go would crash, otherwise).
func TestLeaf(t *testing.T) {
	if !Supported {
		t.Skip("JIT not supported")
	}
	pkt := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	cases := []struct {
		name string
		src  string
		leaf bool
		want uint64 // of RunBytes(pkt)
	}{
		{"constant", "mov %r0, 7\nexit", true, 7},
		{"arguments", "ldxb %r0, [%r1+3]\nadd %r0, %r2\nexit", true, 4 + 10},
		// Registers and stack read before any write are zero.
		{"zero registers", "mov %r0, %r3\nor %r0, %r4\nor %r0, %r5\nor %r0, %r6\nor %r0, %r7\nor %r0, %r8\nor %r0, %r9\nexit", true, 0},
		{"zero stack", "ldxdw %r0, [%r10-512]\nldxdw %r1, [%r10-8]\nor %r0, %r1\nexit", true, 0},
		// Every register at once, r8 (r14, Go's goroutine) and r10 (rbp)
		// included, with a stack frame and a division (push/pop).
		{"all registers", `
mov %r3, 3
mov %r4, 4
mov %r5, 5
mov %r6, 6
mov %r7, 7
mov %r8, 8
mov %r9, 9
stxdw [%r10-16], %r9
ldxdw %r0, [%r10-16]
add %r0, %r3
add %r0, %r4
add %r0, %r5
add %r0, %r6
add %r0, %r7
add %r0, %r8
mov %r1, 100
div %r1, %r4
add %r0, %r1
exit`, true, 9 + 3 + 4 + 5 + 6 + 7 + 8 + 25},
		{"two exits", "jeq %r2, 10, +2\nmov %r0, 1\nexit\nmov %r0, 2\nexit", true, 2},
		{"loop", "mov %r0, 3\nsub %r0, 1\njne %r0, 0, -2\nexit", false, 0},
		{"helper call", "call 1\nexit", false, 0},
		{"local call", "call local f\nexit\nf:\nmov %r0, 1\nexit", false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prog := compileT(t, assemble(t, c.src), Options{})
			if prog.Leaf() != c.leaf {
				t.Fatalf("Leaf() = %v, want %v", prog.Leaf(), c.leaf)
			}
			dirtyStack(0xa5)
			got, err := prog.RunBytes(pkt)
			if !c.leaf {
				if !errors.Is(err, ErrNotLeaf) {
					t.Errorf("RunBytes: %v, want ErrNotLeaf", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("RunBytes: %d, %v; want %d", got, err, c.want)
			}
			if fn := prog.LeafFunc(); fn == nil {
				t.Error("LeafFunc is nil")
			}
		})
	}
}

// TestLeafClose checks that leaf runs fail once the program is closed.
func TestLeafClose(t *testing.T) {
	if !Supported {
		t.Skip("JIT not supported")
	}
	prog, err := Compile(assemble(t, "mov %r0, 1\nexit"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := prog.Run(nil, 0, 0); err != nil || got != 1 {
		t.Fatalf("Run: %d, %v", got, err)
	}
	if err := prog.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := prog.Run(nil, 0, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close: %v, want ErrClosed", err)
	}
	if _, err := prog.RunBytes(nil); !errors.Is(err, ErrClosed) {
		t.Errorf("RunBytes after Close: %v, want ErrClosed", err)
	}
}

// dirtyStack fills the stack below its caller's frame, where a leaf
// program's frame will be, with b.
//
//go:noinline
func dirtyStack(b byte) byte {
	var buf [4096]byte
	for i := range buf {
		buf[i] = b
	}
	return buf[int(b)%len(buf)]
}

// TestLeafContext: a leaf does not start when its context is done, whether
// given to RunContext or in env.Context; a nil context runs it.
func TestLeafContext(t *testing.T) {
	prog := compileT(t, assemble(t, "mov %r0, 7\nexit"), Options{})
	if !prog.Leaf() {
		t.Fatal("not a leaf")
	}
	ctx, cancel := context.WithCancel(context.Background())
	if r0, err := prog.RunContext(ctx, nil, 0, 0); err != nil || r0 != 7 {
		t.Errorf("RunContext: %d, %v; want 7", r0, err)
	}
	//lint:ignore SA1012 RunContext takes a nil ctx as "no context" (it checks ctx != nil); this tests it.
	if r0, err := prog.RunContext(nil, &engine.Env{}, 0, 0); err != nil || r0 != 7 {
		t.Errorf("RunContext with no context: %d, %v; want 7", r0, err)
	}
	cancel()
	if _, err := prog.RunContext(ctx, nil, 0, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("RunContext, canceled: error %v, want %v", err, context.Canceled)
	}
	if _, err := prog.Run(&engine.Env{Context: ctx}, 0, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Run with env.Context canceled: error %v, want %v", err, context.Canceled)
	}
}
