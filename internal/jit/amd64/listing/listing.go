// Package listing prints the machine code gbpf's x86-64 JIT makes for a
// program, instruction by instruction, decoded with x86asm. It lives
// apart from the JIT so that programs that run the JIT do not link the
// decoder and the assembler's formatter.
package listing

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/arch/x86/x86asm"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/jit/amd64"
	"github.com/gbpf/gbpf/isa"
)

// Syntax selects how Write prints machine code.
type Syntax int

// Machine code syntaxes.
const (
	SyntaxIntel Syntax = iota // mov rax, qword ptr [rdi+0x8]
	SyntaxGNU                 // mov 0x8(%rdi),%rax
)

// Write compiles p (on any architecture: it does not run it) and writes
// each instruction, in llvm-objdump syntax, followed by the machine code
// made for it. The entry code comes first and the out-of-line exits
// (yield, call depth, faults, helper calls, leaving to Go) last, then the
// message of the fault stub's controlled crash.
func Write(w io.Writer, p isa.Program, opts amd64.Options, syntax Syntax) error {
	out, err := amd64.Layout(p, opts)
	if err != nil {
		return err
	}
	lw := &writer{w: w, code: out.Bytes, syntax: syntax}
	lw.printf("; entry\n")
	lw.code1(0, int(out.Offsets[0]))
	for i := 0; i < len(p.Insns); {
		text, n, err := asm.FormatInstruction(p, i, asm.SyntaxLLVM)
		if err != nil {
			return err
		}
		lw.printf("%8d:  %s\n", i, text)
		lw.code1(int(out.Offsets[i]), int(out.Offsets[i+n]))
		i += n
	}
	lw.printf("; exits\n")
	lw.code1(int(out.Offsets[len(p.Insns)]), out.Data)
	lw.printf("; data: %q\n", out.Bytes[out.Data:])
	return lw.err
}

type writer struct {
	w      io.Writer
	code   []byte
	syntax Syntax
	err    error
}

func (lw *writer) printf(format string, args ...any) {
	if lw.err == nil {
		_, lw.err = fmt.Fprintf(lw.w, format, args...)
	}
}

// code1 prints the machine code in [from, to), one instruction a line:
// offset, bytes and text.
func (lw *writer) code1(from, to int) {
	for pc := from; pc < to && lw.err == nil; {
		in, err := x86asm.Decode(lw.code[pc:to], 64)
		if err != nil {
			lw.printf("\t%06x:  %-30x  (undecodable: %v)\n", pc, lw.code[pc:pc+1], err)
			pc++
			continue
		}
		var text string
		if lw.syntax == SyntaxGNU {
			text = x86asm.GNUSyntax(in, uint64(pc), nil)
		} else {
			text = x86asm.IntelSyntax(in, uint64(pc), nil)
		}
		hex := strings.TrimSpace(fmt.Sprintf("% x", lw.code[pc:pc+in.Len]))
		lw.printf("\t%06x:  %-30s  %s\n", pc, hex, text)
		pc += in.Len
	}
}
