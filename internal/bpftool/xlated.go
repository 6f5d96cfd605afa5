package bpftool

import (
	"encoding/binary"
	"fmt"
)

// Insn is one raw instruction slot.
type Insn struct {
	Code     uint8
	Dst, Src uint8
	Off      int16
	Imm      int32
}

// DecodeInsns splits raw little-endian bytecode into slots.
func DecodeInsns(raw []byte) ([]Insn, error) {
	if len(raw)%8 != 0 {
		return nil, fmt.Errorf("bytecode of %d bytes is not a whole number of instructions", len(raw))
	}
	out := make([]Insn, len(raw)/8)
	for i := range out {
		b := raw[8*i:]
		out[i] = Insn{Code: b[0], Dst: b[1] & 0xf, Src: b[1] >> 4,
			Off: int16(binary.LittleEndian.Uint16(b[2:])), Imm: int32(binary.LittleEndian.Uint32(b[4:]))}
	}
	return out, nil
}

// Symbols names the targets of calls, as bpftool does from kallsyms.
type Symbols interface {
	// Call returns the name of the kernel function a helper call of the
	// translated program jumps to (imm is relative to __bpf_call_base),
	// or "".
	Call(imm int32) string
	// Helper returns the name of helper id with its bpf_ prefix, or "".
	Helper(id int32) string
	// SubprogCall returns the text after "call pc" for a bpf-to-bpf call:
	// "+N" for interpreted programs, "+N#sym" for JITed ones.
	SubprogCall(ins Insn) string
}

const (
	pseudoMapFD       = 1
	pseudoMapValue    = 2
	pseudoBTFID       = 3
	pseudoFunc        = 4
	pseudoMapIdx      = 5
	pseudoMapIdxValue = 6
	pseudoCall        = 1
	pseudoKfuncCall   = 2
)

var (
	aluOps  = [16]string{"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian"}
	ldst    = [4]string{"u32", "u16", "u8", "u64"}
	jmpOps  = [16]string{"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<="}
	atomics = map[int32]string{0x00: "add", 0x50: "and", 0x40: "or", 0xa0: "xor"}
	classes = [8]string{"ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64"}
)

// FormatInsn returns the text the kernel's disassembler prints for the
// instruction at i of prog (without the newline): "(b7) r0 = 0". It
// returns the slots the instruction uses (2 for lddw).
func FormatInsn(prog []Insn, i int, syms Symbols) (string, int) {
	in := prog[i]
	class := in.Code & 7
	op := in.Code >> 4
	size := ldst[in.Code>>3&3]
	mode := in.Code & 0xe0
	rc := func(r uint8) string {
		if class == 4 || class == 6 {
			return fmt.Sprintf("w%d", r)
		}
		return fmt.Sprintf("r%d", r)
	}
	p := func(format string, args ...any) string {
		return fmt.Sprintf("(%02x) ", in.Code) + fmt.Sprintf(format, args...)
	}
	switch class {
	case 4, 7: // ALU, ALU64
		x := in.Code&8 != 0
		switch {
		case op == 0xd && class == 7:
			return p("r%d = bswap%d r%d", in.Dst, in.Imm, in.Dst), 1
		case op == 0xd:
			e := "le"
			if x {
				e = "be"
			}
			return p("r%d = %s%d r%d", in.Dst, e, in.Imm, in.Dst), 1
		case op == 8:
			return p("%s = -%s", rc(in.Dst), rc(in.Dst)), 1
		}
		sym := aluOps[op]
		if in.Off == 1 && (op == 3 || op == 9) {
			sym = "s" + sym
		}
		if !x {
			return p("%s %s %d", rc(in.Dst), sym, in.Imm), 1
		}
		if op == 0xb && (in.Off == 8 || in.Off == 16 || in.Off == 32) {
			return p("%s = (s%d)%s", rc(in.Dst), in.Off, rc(in.Src)), 1
		}
		return p("%s %s %s", rc(in.Dst), sym, rc(in.Src)), 1
	case 3: // STX
		switch {
		case mode == 0x60:
			return p("*(%s *)(r%d %+d) = r%d", size, in.Dst, in.Off, in.Src), 1
		case mode == 0xc0:
			fetch := in.Imm&1 != 0
			w := ""
			if in.Code>>3&3 == 3 {
				w = "64"
			}
			if name, ok := atomics[in.Imm&^1]; ok && !fetch {
				return p("lock *(%s *)(r%d %+d) %s r%d", size, in.Dst, in.Off, aluOps[in.Imm>>4&0xf], in.Src), 1
			} else if ok {
				return p("r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)", in.Src, w, name, size, in.Dst, in.Off, in.Src), 1
			}
			switch in.Imm {
			case 0xf1:
				return p("r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)", w, size, in.Dst, in.Off, in.Src), 1
			case 0xe1:
				return p("r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)", in.Src, w, size, in.Dst, in.Off, in.Src), 1
			}
		}
		return fmt.Sprintf("BUG_%02x", in.Code), 1
	case 2: // ST
		switch mode {
		case 0x60:
			return p("*(%s *)(r%d %+d) = %d", size, in.Dst, in.Off, in.Imm), 1
		case 0xc0:
			return p("nospec"), 1
		}
		return fmt.Sprintf("BUG_st_%02x", in.Code), 1
	case 1: // LDX
		switch mode {
		case 0x60:
			return p("r%d = *(%s *)(r%d %+d)", in.Dst, size, in.Src, in.Off), 1
		case 0x80:
			return p("r%d = *(s%s *)(r%d %+d)", in.Dst, size[1:], in.Src, in.Off), 1
		}
		return fmt.Sprintf("BUG_ldx_%02x", in.Code), 1
	case 0: // LD
		switch {
		case mode == 0x20:
			return p("r0 = *(%s *)skb[%d]", size, in.Imm), 1
		case mode == 0x40:
			return p("r0 = *(%s *)skb[r%d + %d]", size, in.Src, in.Imm), 1
		case mode == 0 && in.Code>>3&3 == 3:
			var next int32
			if i+1 < len(prog) {
				next = prog[i+1].Imm
			}
			var text string
			switch in.Src {
			case pseudoMapFD:
				text = fmt.Sprintf("map[id:%d]", uint32(in.Imm))
			case pseudoMapValue:
				text = fmt.Sprintf("map[id:%d][0]+%d", uint32(in.Imm), uint32(next))
			case pseudoMapIdxValue:
				text = fmt.Sprintf("map[idx:%d]+%d", uint32(in.Imm), uint32(next))
			case pseudoFunc:
				text = fmt.Sprintf("subprog[%+d]", in.Imm)
			default:
				text = fmt.Sprintf("0x%x", uint64(uint32(next))<<32|uint64(uint32(in.Imm)))
			}
			return p("r%d = %s", in.Dst, text), 2
		}
		return fmt.Sprintf("BUG_ld_%02x", in.Code), 1
	default: // JMP, JMP32
		switch {
		case op == 8 && in.Src == pseudoCall:
			return p("call pc%s", syms.SubprogCall(in)), 1
		case op == 8:
			name := ""
			if in.Src == 0 {
				name = syms.Helper(in.Imm)
			}
			if name == "" {
				name = syms.Call(in.Imm)
			}
			if name == "" && in.Src == pseudoKfuncCall {
				name = "kernel-function"
			}
			if name == "" {
				name = "unknown"
			}
			return p("call %s#%d", name, in.Imm), 1
		case in.Code == 0x05:
			return p("goto pc%+d", in.Off), 1
		case in.Code == 0x06:
			return p("gotol pc%+d", in.Imm), 1
		case in.Code == 0x95:
			return p("exit"), 1
		case in.Code == 0xe5:
			return p("may_goto pc%+d", in.Off), 1
		case class == 5 || class == 6:
			if in.Code&8 != 0 {
				return p("if %s %s %s goto pc%+d", rc(in.Dst), jmpOps[op], rc(in.Src), in.Off), 1
			}
			return p("if %s %s 0x%x goto pc%+d", rc(in.Dst), jmpOps[op], uint32(in.Imm), in.Off), 1
		}
	}
	return p("%s", classes[class]), 1
}
