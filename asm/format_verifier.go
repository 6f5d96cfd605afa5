package asm

import (
	"fmt"

	"github.com/gbpf/gbpf/helpers/helperid"
	"github.com/gbpf/gbpf/isa"
)

// verifierJumpOps are the comparison operators of the verifier log's
// conditional jumps.
var verifierJumpOps = map[isa.JumpOp]string{
	isa.JEq: "==", isa.JGT: ">", isa.JGE: ">=", isa.JSet: "&", isa.JNE: "!=",
	isa.JSGT: "s>", isa.JSGE: "s>=", isa.JLT: "<", isa.JLE: "<=", isa.JSLT: "s<", isa.JSLE: "s<=",
}

// verifierALUOps are the assignment operators of the verifier log's ALU
// operations.
var verifierALUOps = map[isa.ALUOp]string{
	isa.Add: "+=", isa.Sub: "-=", isa.Mul: "*=", isa.Div: "/=", isa.Or: "|=",
	isa.And: "&=", isa.LSh: "<<=", isa.RSh: ">>=", isa.Mod: "%=",
	isa.Xor: "^=", isa.Mov: "=", isa.ArSh: "s>>=",
}

// appendVerifier appends ins, at slot pc (with hi, the second slot of an
// lddw), the way the kernel's verifier log prints it: "r0 = *(u32 *)(r1
// +4)", "if r1 > 0x3 goto pc+2", "call bpf_map_lookup_elem#1".
func appendVerifier(b []byte, ins, hi isa.Instruction, pc int) ([]byte, bool) {
	c := ins.Op.Class()
	r := func(x isa.Register, w bool) string {
		if w {
			return fmt.Sprintf("r%d", x)
		}
		return fmt.Sprintf("w%d", x)
	}
	size := sizeType(ins.Op.Size(), false)
	switch {
	case ins.IsLdImm64():
		switch ins.Src {
		case isa.PseudoMapFD, isa.PseudoMapIdx:
			return fmt.Appendf(b, "r%d = map[id:%d]", ins.Dst, ins.Imm), true
		case isa.PseudoMapValue, isa.PseudoMapIdxValue:
			return fmt.Appendf(b, "r%d = map[id:%d][0]+%d", ins.Dst, ins.Imm, hi.Imm), true
		case isa.PseudoFunc:
			return fmt.Appendf(b, "r%d = func#%d", ins.Dst, pc+int(ins.Imm)+1), true
		}
		return fmt.Appendf(b, "r%d = %#x", ins.Dst, uint64(uint32(ins.Imm))|uint64(hi.Imm)<<32), true
	case c == isa.ClassLD:
		if ins.Op.Mode() == isa.ModeIND {
			return fmt.Appendf(b, "r0 = *(%s *)skb[r%d + %d]", size, ins.Src, ins.Imm), true
		}
		return fmt.Appendf(b, "r0 = *(%s *)skb[%d]", size, ins.Imm), true
	case c == isa.ClassLDX:
		return fmt.Appendf(b, "r%d = *(%s *)(r%d %+d)", ins.Dst, size, ins.Src, ins.Off), true
	case c == isa.ClassST:
		return fmt.Appendf(b, "*(%s *)(r%d %+d) = %d", size, ins.Dst, ins.Off, ins.Imm), true
	case c == isa.ClassSTX && ins.Op.Mode() == isa.ModeATOMIC:
		w := ins.Op.Size() == isa.SizeDW
		return fmt.Appendf(b, "lock *(%s *)(r%d %+d) op %#x %s", size, ins.Dst, ins.Off, ins.Imm, r(ins.Src, w)), true
	case c == isa.ClassSTX:
		return fmt.Appendf(b, "*(%s *)(r%d %+d) = r%d", size, ins.Dst, ins.Off, ins.Src), true
	case c.IsALU():
		w := c == isa.ClassALU64
		op := ins.Op.ALUOp()
		d := r(ins.Dst, w)
		switch op {
		case isa.Neg:
			return fmt.Appendf(b, "%s = -%s", d, d), true
		case isa.End:
			kind := "le"
			if ins.Op.Source() == isa.ToBE {
				kind = "be"
			}
			if w {
				kind = "bswap"
			}
			return fmt.Appendf(b, "r%d = %s%d r%d", ins.Dst, kind, ins.Imm, ins.Dst), true
		}
		opStr, ok := verifierALUOps[op]
		if !ok {
			return b, false
		}
		s := fmt.Sprint(ins.Imm)
		if ins.Op.Source() == isa.SourceX {
			s = r(ins.Src, w)
		}
		if op == isa.Mov && ins.Off != 0 {
			return fmt.Appendf(b, "%s = (s%d)%s", d, ins.Off, s), true
		}
		return fmt.Appendf(b, "%s %s %s", d, opStr, s), true
	}
	w := c == isa.ClassJMP
	switch ins.Op.JumpOp() {
	case isa.Exit:
		return append(b, "exit"...), true
	case isa.Call:
		if ins.IsLocalCall() {
			return fmt.Appendf(b, "call pc%+d", ins.Imm), true
		}
		name := helperid.Name(helperid.ID(ins.Imm))
		if name == "" {
			name = "unknown"
		}
		return fmt.Appendf(b, "call %s#%d", name, ins.Imm), true
	case isa.Ja:
		return fmt.Appendf(b, "goto pc%+d", ins.JumpTarget(pc)-pc-1), true
	}
	opStr, ok := verifierJumpOps[ins.Op.JumpOp()]
	if !ok {
		return b, false
	}
	s := fmt.Sprint(ins.Imm)
	if ins.Op.Source() == isa.SourceX {
		s = r(ins.Src, w)
	}
	return fmt.Appendf(b, "if %s %s %s goto pc%+d", r(ins.Dst, w), opStr, s, ins.Off), true
}
