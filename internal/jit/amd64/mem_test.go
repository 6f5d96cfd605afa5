package amd64

import (
	"encoding/binary"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
)

// memory is the input for the load tests: bytes 0x80 0x81 ... 0x8f.
var memory = func() []byte {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(0x80 + i)
	}
	return b
}()

func TestLoadStore(t *testing.T) {
	runTable(t, []insnTest{
		{"ldxb", "ldxb %r0, [%r1+1]\nexit", memory, 0x81},
		{"ldxh", "ldxh %r0, [%r1+2]\nexit", memory, 0x8382},
		{"ldxw", "ldxw %r0, [%r1+4]\nexit", memory, 0x87868584},
		{"ldxdw", "ldxdw %r0, [%r1+8]\nexit", memory, 0x8f8e8d8c8b8a8988},
		{"ldxsb", "ldxsb %r0, [%r1+1]\nexit", memory, 0xffffffffffffff81},
		{"ldxsh", "ldxsh %r0, [%r1+2]\nexit", memory, 0xffffffffffff8382},
		{"ldxsw", "ldxsw %r0, [%r1+4]\nexit", memory, 0xffffffff87868584},
		{"ldx-neg-off", "mov %r6, %r1\nadd %r6, 16\nldxb %r0, [%r6-16]\nexit", memory, 0x80},
		{"ldx-r13-base", "mov %r7, %r1\nldxw %r0, [%r7+0]\nexit", memory, 0x83828180},
		{"stack-dw", "lddw %r1, 0x1122334455667788\nstxdw [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit", nil, 0x1122334455667788},
		{"stack-b-sil", "mov %r2, 0x1ab\nstxb [%r10-1], %r2\nldxb %r0, [%r10-1]\nexit", nil, 0xab},
		{"stack-h", "mov %r3, 0x12345\nstxh [%r10-2], %r3\nldxh %r0, [%r10-2]\nexit", nil, 0x2345},
		{"stack-w", "lddw %r4, 0x1122334455667788\nstxw [%r10-4], %r4\nldxw %r0, [%r10-4]\nexit", nil, 0x55667788},
		{"st-imm-dw-sext", "stdw [%r10-8], -2\nldxdw %r0, [%r10-8]\nexit", nil, 0xfffffffffffffffe},
		{"st-imm-w", "stw [%r10-8], -2\nldxdw %r0, [%r10-8]\nexit", nil, 0xfffffffe},
		{"st-imm-h", "sth [%r10-8], 0x1234\nldxdw %r0, [%r10-8]\nexit", nil, 0x1234},
		{"st-imm-b", "stb [%r10-8], 0x12\nldxdw %r0, [%r10-8]\nexit", nil, 0x12},
		{"stack-fresh", "ldxdw %r0, [%r10-512]\nldxdw %r1, [%r10-8]\nor %r0, %r1\nexit", nil, 0},
		{"store-input", "stw [%r1+4], 0x01020304\nldxdw %r0, [%r1+0]\nexit", memory, 0x0102030483828180},
		{"store-far", "mov %r0, 0\nstxdw [%r10-504], %r10\nldxdw %r1, [%r10-504]\nsub %r1, %r10\nor %r0, %r1\nexit", nil, 0},
	})
}

func TestAtomic(t *testing.T) {
	word := func(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
	// Each program reads the word at r1 after the operation into r6 and
	// combines it with what the operation returned.
	runTable(t, []insnTest{
		{"add64", "mov %r2, 5\nlock add [%r1+0], %r2\nldxdw %r0, [%r1+0]\nexit", word(10), 15},
		{"add32", "mov %r2, 5\nlock add32 [%r1+0], %r2\nldxdw %r0, [%r1+0]\nexit", word(0x1ffffffff), 0x100000004},
		{"fetch-add64", "mov %r2, 5\nlock fetch add [%r1+0], %r2\nldxdw %r0, [%r1+0]\nlsh %r0, 8\nor %r0, %r2\nexit", word(10), 15<<8 | 10},
		{"fetch-add32-zext", "mov %r2, -1\nlock fetch add32 [%r1+0], %r2\nmov %r0, %r2\nexit", word(0xffffffff), 0xffffffff},
		{"or64", "mov %r3, 0xf0\nlock or [%r1+0], %r3\nldxdw %r0, [%r1+0]\nexit", word(0x0f), 0xff},
		{"and32", "mov %r3, 0xf0\nlock and32 [%r1+0], %r3\nldxdw %r0, [%r1+0]\nexit", word(0x1000000ff), 0x1000000f0},
		{"xor64", "mov %r3, -1\nlock xor [%r1+0], %r3\nldxdw %r0, [%r1+0]\nexit", word(0xff), 0xffffffffffffff00},
		{"fetch-or64", "mov %r4, 0xf0\nlock fetch or [%r1+0], %r4\nldxdw %r0, [%r1+0]\nlsh %r0, 8\nor %r0, %r4\nexit", word(0x0f), 0xff<<8 | 0x0f},
		{"fetch-and64", "mov %r4, 0x3c\nlock fetch and [%r1+0], %r4\nldxdw %r0, [%r1+0]\nlsh %r0, 8\nor %r0, %r4\nexit", word(0x0f), 0x0c<<8 | 0x0f},
		{"fetch-xor32", "mov %r4, 0xff\nlock fetch xor32 [%r1+0], %r4\nldxdw %r0, [%r1+0]\nlsh %r0, 8\nor %r0, %r4\nexit", word(0x0f), 0xf0<<8 | 0x0f},
		{"fetch-and-keeps-r0", "mov %r0, 7\nmov %r4, 0x3c\nlock fetch and [%r1+0], %r4\nexit", word(0x0f), 7},
		{"fetch-or-src-r0", "mov %r0, 0xf0\nlock fetch or [%r1+0], %r0\nldxdw %r6, [%r1+0]\nlsh %r6, 8\nor %r0, %r6\nexit", word(0x0f), 0xff<<8 | 0x0f},
		{"fetch-or-dst-r0", "mov %r0, %r1\nmov %r5, 0xf0\nlock fetch or [%r0+0], %r5\nsub %r0, %r1\nldxdw %r6, [%r1+0]\nlsh %r6, 8\nor %r0, %r6\nlsh %r0, 8\nor %r0, %r5\nexit", word(0x0f), 0xff<<8<<8 | 0x0f},
		{"fetch-xor-dst-src-r0", "mov %r0, %r1\nlock fetch xor [%r0+0], %r0\nexit", word(0x0f), 0x0f},
		{"xchg64", "mov %r2, 9\nlock xchg [%r1+0], %r2\nldxdw %r0, [%r1+0]\nlsh %r0, 8\nor %r0, %r2\nexit", word(3), 9<<8 | 3},
		{"xchg32-zext", "lddw %r2, 0x500000009\nlock xchg32 [%r1+0], %r2\nmov %r0, %r2\nexit", word(0xffffffff), 0xffffffff},
		{"cmpxchg64-hit", "mov %r0, 3\nmov %r2, 9\nlock cmpxchg [%r1+0], %r2\nldxdw %r6, [%r1+0]\nlsh %r6, 8\nor %r0, %r6\nexit", word(3), 9<<8 | 3},
		{"cmpxchg64-miss", "mov %r0, 4\nmov %r2, 9\nlock cmpxchg [%r1+0], %r2\nldxdw %r6, [%r1+0]\nlsh %r6, 8\nor %r0, %r6\nexit", word(3), 3<<8 | 3},
		{"cmpxchg32-hit-zext", "lddw %r0, 0x100000003\nmov %r2, 9\nlock cmpxchg32 [%r1+0], %r2\nexit", word(3), 3},
		{"cmpxchg32-miss", "lddw %r0, 0x100000004\nmov %r2, 9\nlock cmpxchg32 [%r1+0], %r2\nldxdw %r6, [%r1+0]\nlsh %r6, 8\nor %r0, %r6\nexit", word(3), 3<<8 | 3},
		{"stack-atomic", "stdw [%r10-8], 1\nmov %r1, 2\nlock add [%r10-8], %r1\nldxdw %r0, [%r10-8]\nexit", nil, 3},
	})
}

// TestStackCleared checks that a run does not see what an earlier run of
// the same program left on the stack, in the first frame or a callee's.
func TestStackCleared(t *testing.T) {
	for _, src := range []string{`
jeq %r1, 1, write
ldxdw %r0, [%r10-8]
exit
write:
stdw [%r10-8], 42
mov %r0, 0
exit`, `
mov %r6, %r1
call local f
exit
f:
jeq %r6, 1, write
ldxdw %r0, [%r10-504]
exit
write:
stdw [%r10-504], 42
mov %r0, 0
exit`} {
		p := assemble(t, src)
		for _, o := range options {
			prog := compileT(t, p, o.opts)
			env := &engine.Env{}
			for i := 0; i < 3; i++ {
				if _, err := prog.Run(env, 1, 0); err != nil {
					t.Fatal(err)
				}
				if r0, err := prog.Run(env, 0, 0); err != nil || r0 != 0 {
					t.Errorf("%s: second run read %d, %v from the stack", o.name, r0, err)
				}
			}
		}
	}
}
