package asm_test

import (
	"fmt"
	"os"

	"github.com/gbpf/gbpf/asm"
)

func ExampleAssemble() {
	p, err := asm.Assemble(`
		mov %r0, 0
		jeq %r2, 0, done   # no input: return 0
		ldxb %r0, [%r1]
	done:
		exit
	`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("% x\n", p.Encode()[:8])
	fmt.Println(len(p.Insns), "slots")
	// Output:
	// b7 00 00 00 00 00 00 00
	// 4 slots
}

func ExampleAssemble_error() {
	_, err := asm.Assemble("mov32 %r0, 1\nor %r0, %r50\nexit\n")
	fmt.Println(err)
	// Output:
	// line 2, column 9: Invalid register: %r50
}

func ExampleFprint() {
	p, err := asm.Assemble("lddw %r1, 0x1122334455667788\nlock fetch add [%r10-8], %r1\njsgt %r1, -1, +0\nexit\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range []asm.Syntax{asm.SyntaxConformance, asm.SyntaxLLVM} {
		if err := asm.Fprint(os.Stdout, p, s); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// lddw %r1, 0x1122334455667788
	// lock fetch add [%r10-8], %r1
	// jsgt %r1, -1, +0
	// exit
	// r1 = 0x1122334455667788 ll
	// r1 = atomic_fetch_add((u64 *)(r10 - 0x8), r1)
	// if r1 s> -0x1 goto +0x0
	// exit
}

func ExampleFormatInstruction() {
	p, err := asm.Assemble("lddw %r0, 1\nexit\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < len(p.Insns); {
		text, n, err := asm.FormatInstruction(p, i, asm.SyntaxLLVM)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d: %s (%d slots)\n", i, text, n)
		i += n
	}
	// Output:
	// 0: r0 = 0x1 ll (2 slots)
	// 2: exit (1 slots)
}
