package asm

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/isa"
)

//go:generate go run golang.org/x/tools/cmd/stringer@v0.51.0 -type Syntax -linecomment

// Syntax selects the text form that Format writes.
type Syntax int

const (
	// SyntaxConformance is the dialect that Assemble reads: assembling
	// Format's output gives back the same bytes. Jumps are written as
	// signed slot offsets (+N, -N).
	SyntaxConformance Syntax = iota // conformance
	// SyntaxLLVM is the syntax of "llvm-objdump -d --mcpu=v4" (LLVM 18
	// and later): w0 = *(u32 *)(r1 + 0x4), if w1 > 0x3 goto +0x2, r0 =
	// 0x1122334455667788 ll, lock *(u64 *)(r10 - 0x8) += r1, and so on.
	// Sub-word loads and stores and 32-bit atomics use w registers, as
	// with the alu32 feature that --mcpu=v4 implies. llvm-objdump's
	// "<symbol+offset>" note after a jump is left out. Like llvm-objdump,
	// this syntax does not show every field: lddw with a pseudo source
	// prints as "ld_pseudo\tr1, 0x1, 0x3" without its second immediate,
	// and the legacy ldind loads print without their immediate.
	SyntaxLLVM // llvm
	// SyntaxVerifier is the syntax of the kernel's verifier log (and
	// gbpf's): r0 = *(u32 *)(r1 +4), if w1 > 3 goto pc+2, call
	// bpf_map_lookup_elem#1, r1 = map[id:0]. Like the log, it is for
	// reading, not for Assemble.
	SyntaxVerifier // verifier
)

// ParseSyntax returns the syntax named "conformance", "llvm" or
// "verifier".
func ParseSyntax(name string) (Syntax, error) {
	switch name {
	case "conformance":
		return SyntaxConformance, nil
	case "llvm":
		return SyntaxLLVM, nil
	case "verifier":
		return SyntaxVerifier, nil
	}
	return 0, fmt.Errorf("unknown syntax %q (want conformance, llvm or verifier)", name)
}

// Format returns the text of p in syntax s, one instruction per line (an
// lddw, which takes two slots, is one line). The error is an *isa.Error
// naming the first instruction that the syntax cannot express.
func Format(p isa.Program, s Syntax) (string, error) {
	var b strings.Builder
	if err := Fprint(&b, p, s); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Fprint writes the text of p in syntax s to w, one instruction per line.
func Fprint(w io.Writer, p isa.Program, s Syntax) error {
	var buf []byte
	for i := 0; i < len(p.Insns); {
		var n int
		var err error
		buf, n, err = AppendInstruction(buf[:0], p, i, s)
		if err != nil {
			return err
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
		i += n
	}
	return nil
}

// FprintLabels writes p to w in the conformance syntax, as Fprint does,
// but with a label "L<slot>:" before every jump target, and jumps written
// to those labels. Assembling the text gives back the same bytes.
// Targets outside the program or inside an lddw stay slot offsets.
func FprintLabels(w io.Writer, p isa.Program) error {
	targets := jumpTargets(p)
	var buf []byte
	for i := 0; i < len(p.Insns); {
		buf = buf[:0]
		if targets[i] {
			buf = append(buf, labelPrefix...)
			buf = strconv.AppendInt(buf, int64(i), 10)
			buf = append(buf, ":\n"...)
		}
		ins := p.Insns[i]
		var hi isa.Instruction
		n := 1
		if ins.IsLdImm64() {
			if i+1 >= len(p.Insns) {
				return &isa.Error{Index: i, Reason: "lddw is missing its second slot"}
			}
			hi, n = p.Insns[i+1], 2
		}
		var ok bool
		if buf, ok = appendConformance(buf, ins, hi, i, targets); !ok {
			return &isa.Error{Index: i, Reason: fmt.Sprintf("%v cannot be written in the %v syntax", ins, SyntaxConformance)}
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
		i += n
	}
	return nil
}

// jumpTargets marks the slots that jumps, local calls and function
// addresses (lddw func) of p go to, leaving out targets outside p or in
// the second slot of an lddw.
func jumpTargets(p isa.Program) []bool {
	n := len(p.Insns)
	targets := make([]bool, n)
	second := make([]bool, n)
	for i := 0; i < n; i++ {
		if p.Insns[i].IsLdImm64() && i+1 < n {
			second[i+1] = true
			i++
		}
	}
	for i := 0; i < n; i++ {
		if second[i] || !hasTarget(p.Insns[i]) {
			continue
		}
		if t := p.Insns[i].JumpTarget(i); t >= 0 && t < n && !second[t] {
			targets[t] = true
		}
	}
	return targets
}

// hasTarget reports whether ins refers to another slot by offset.
func hasTarget(ins isa.Instruction) bool {
	switch c := ins.Op.Class(); {
	case ins.IsLdImm64():
		return ins.Src == isa.PseudoFunc
	case ins.IsLocalCall():
		return true
	case c.IsJump():
		op := ins.Op.JumpOp()
		return op != isa.Call && op != isa.Exit
	}
	return false
}

// FormatInstruction returns the text of the instruction at slot i of p in
// syntax s, and the number of slots it takes: 2 for lddw, 1 otherwise.
// Listings that interleave BPF with machine code call it slot by slot.
func FormatInstruction(p isa.Program, i int, s Syntax) (string, int, error) {
	b, n, err := AppendInstruction(nil, p, i, s)
	return string(b), n, err
}

// AppendInstruction is FormatInstruction appending to b; it allocates only
// to grow b.
func AppendInstruction(b []byte, p isa.Program, i int, s Syntax) ([]byte, int, error) {
	if i < 0 || i >= len(p.Insns) {
		return b, 0, &isa.Error{Index: i, Reason: fmt.Sprintf("no instruction at slot %d of %d", i, len(p.Insns))}
	}
	ins := p.Insns[i]
	n := 1
	var hi isa.Instruction
	if ins.IsLdImm64() {
		if i+1 >= len(p.Insns) {
			return b, 0, &isa.Error{Index: i, Reason: "lddw is missing its second slot"}
		}
		hi, n = p.Insns[i+1], 2
	}
	var ok bool
	switch s {
	case SyntaxConformance:
		b, ok = appendConformance(b, ins, hi, i, nil)
	case SyntaxLLVM:
		b, ok = appendLLVM(b, ins, hi)
	case SyntaxVerifier:
		b, ok = appendVerifier(b, ins, hi, i)
	default:
		return b, 0, fmt.Errorf("asm: unknown syntax %v", s)
	}
	if !ok {
		return b, 0, &isa.Error{Index: i, Reason: fmt.Sprintf("%v cannot be written in the %v syntax", ins, s)}
	}
	return b, n, nil
}
