package amd64

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/arch/x86/x86asm"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
)

// Syntax selects how WriteListing prints machine code.
type Syntax int

// Machine code syntaxes.
const (
	SyntaxIntel Syntax = iota // mov rax, qword ptr [rdi+0x8]
	SyntaxGNU                 // mov 0x8(%rdi),%rax
)

// WriteListing compiles p (on any architecture: it does not run it) and
// writes each instruction, in llvm-objdump syntax, followed by the machine
// code made for it, decoded with x86asm. The entry code comes first and the
// out-of-line exits (yield, call depth, faults, helper calls, leaving to
// Go) last, then the message of the fault stub's controlled crash.
func WriteListing(w io.Writer, p isa.Program, opts Options, syntax Syntax) error {
	if err := isa.Validate(p); err != nil {
		return fmt.Errorf("jit: %w", err)
	}
	out, err := compile(p, opts)
	if err != nil {
		return fmt.Errorf("jit: %w", err)
	}
	lw := &listingWriter{w: w, code: out.code, syntax: syntax}
	lw.printf("; entry\n")
	lw.code1(0, int(out.offsets[0]))
	for i := 0; i < len(p.Insns); {
		text, n, err := asm.FormatInstruction(p, i, asm.SyntaxLLVM)
		if err != nil {
			return err
		}
		lw.printf("%8d:  %s\n", i, text)
		lw.code1(int(out.offsets[i]), int(out.offsets[i+n]))
		i += n
	}
	lw.printf("; exits\n")
	data := len(out.code) - len(crashMessage) // crash puts it last
	lw.code1(int(out.offsets[len(p.Insns)]), data)
	lw.printf("; data: %q\n", out.code[data:])
	return lw.err
}

type listingWriter struct {
	w      io.Writer
	code   []byte
	syntax Syntax
	err    error
}

func (lw *listingWriter) printf(format string, args ...any) {
	if lw.err == nil {
		_, lw.err = fmt.Fprintf(lw.w, format, args...)
	}
}

// code1 prints the machine code in [from, to), one instruction a line:
// offset, bytes and text.
func (lw *listingWriter) code1(from, to int) {
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
