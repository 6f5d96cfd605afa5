package asm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/isa"
)

// Assemble translates src, in the bpf_conformance dialect described in the
// package documentation, into a program, and checks the result with
// isa.Validate. Every error is an *Error naming the line and column.
func Assemble(src string) (isa.Program, error) {
	n := strings.Count(src, "\n") + 1
	a := assembler{
		labels:    make(map[string]labelDef),
		firstExit: -1,
		insns:     make([]isa.Instruction, 0, n),
		pos:       make([]position, 0, n),
	}
	num := 0
	var words []token
	for text := range strings.Lines(src) {
		num++
		l, err := splitLine(num, strings.TrimRight(text, "\r\n"), words)
		words = l.words
		if err != nil {
			return isa.Program{}, err
		}
		if err := a.line(l); err != nil {
			return isa.Program{}, err
		}
	}
	if err := a.resolve(); err != nil {
		return isa.Program{}, err
	}
	p := isa.Program{Insns: a.insns}
	if len(p.Insns) == 0 {
		return isa.Program{}, &Error{max(num, 1), 1, "No instructions"}
	}
	if err := isa.Validate(p); err != nil {
		var ie *isa.Error
		if errors.As(err, &ie) && ie.Index >= 0 && ie.Index < len(a.pos) {
			pos := a.pos[ie.Index]
			return isa.Program{}, &Error{pos.line, pos.col, "Invalid instruction: " + ie.Reason}
		}
		return isa.Program{}, &Error{1, 1, err.Error()}
	}
	return p, nil
}

// position is where a slot came from.
type position struct{ line, col int }

type labelDef struct {
	slot int
	pos  position
}

// fixup is a jump whose target is a label, resolved after the last line.
type fixup struct {
	slot  int
	label token
	line  int
	imm   bool // the offset goes in Imm (ja32, call local, lddw func), not Off
}

type assembler struct {
	insns     []isa.Instruction
	pos       []position
	labels    map[string]labelDef
	fixups    []fixup
	firstExit int
}

func (a *assembler) line(l line) error {
	for _, lab := range l.labels() {
		if prev, dup := a.labels[lab.text]; dup {
			return &Error{l.num, lab.col, fmt.Sprintf("Duplicate label %s (first defined at line %d)", lab.text, prev.pos.line)}
		}
		a.labels[lab.text] = labelDef{len(a.insns), position{l.num, lab.col}}
	}
	words := l.instruction()
	if len(words) == 0 {
		return nil
	}
	m := words[0]
	enc, ok := mnemonics[m.text]
	if !ok {
		return &Error{l.num, m.col, "Invalid mnemonic: " + m.text}
	}
	ops := words[1:]
	if enc.operands >= 0 && len(ops) != enc.operands {
		return &Error{l.num, m.col, fmt.Sprintf("Invalid number of operands for %s: want %d, got %d", m.text, enc.operands, len(ops))}
	}
	n := len(a.insns)
	if err := enc.fn(a, l.num, m, ops); err != nil {
		return err
	}
	for range len(a.insns) - n {
		a.pos = append(a.pos, position{l.num, m.col})
	}
	if a.firstExit < 0 && n < len(a.insns) && a.insns[n].Op == isa.OpExit {
		a.firstExit = n
	}
	return nil
}

func (a *assembler) emit(ins ...isa.Instruction) { a.insns = append(a.insns, ins...) }

// target parses a jump target of the instruction about to be emitted at
// slot len(a.insns): "+N" or "-N" is a slot offset, anything else a label.
// For Off targets the offset must fit in 16 bits, for Imm targets in 32.
func (a *assembler) target(num int, t token, imm bool) (int32, error) {
	if strings.HasPrefix(t.text, "+") || strings.HasPrefix(t.text, "-") {
		if imm {
			return imm32(num, t)
		}
		off, err := offset16(num, t)
		return int32(off), err
	}
	if !isIdent(t.text) {
		return 0, &Error{num, t.col, "Invalid jump target: " + t.text + " (want a label, +N or -N)"}
	}
	a.fixups = append(a.fixups, fixup{slot: len(a.insns), label: t, line: num, imm: imm})
	return 0, nil
}

// resolve fills in the jumps to labels.
func (a *assembler) resolve() error {
	for _, f := range a.fixups {
		def, ok := a.labels[f.label.text]
		if !ok && f.label.text == "exit" && a.firstExit >= 0 {
			def, ok = labelDef{slot: a.firstExit}, true
		}
		if !ok {
			return &Error{f.line, f.label.col, "Invalid label: " + f.label.text}
		}
		off := def.slot - f.slot - 1
		ins := &a.insns[f.slot]
		switch {
		case f.imm:
			if !fitsInt32(off) {
				return &Error{f.line, f.label.col, fmt.Sprintf("Jump to %s is out of range (offset %d)", f.label.text, off)}
			}
			ins.Imm = int32(off)
		default:
			if !fitsInt16(off) {
				return &Error{f.line, f.label.col, fmt.Sprintf("Jump to %s is out of the 16-bit offset range (offset %d); use ja32", f.label.text, off)}
			}
			ins.Off = int16(off)
		}
	}
	return nil
}
