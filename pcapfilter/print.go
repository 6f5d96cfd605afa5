package pcapfilter

import (
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/cbpf"
)

// Style selects one of tcpdump's program listing formats.
type Style int

const (
	// Listing is tcpdump -d: one disassembled instruction a line.
	Listing Style = 1
	// CArray is tcpdump -dd: a C array initialiser.
	CArray Style = 2
	// Decimal is tcpdump -ddd: the length, then the four fields of each
	// instruction in decimal.
	Decimal Style = 3
)

// Format prints prog the way tcpdump 4.99 prints it with -d, -dd or
// -ddd; every line ends in a newline.
func Format(prog []cbpf.Instruction, style Style) string {
	var b strings.Builder
	switch style {
	case Decimal:
		fmt.Fprintf(&b, "%d\n", len(prog))
		for _, ins := range prog {
			fmt.Fprintf(&b, "%d %d %d %d\n", ins.Op, ins.Jt, ins.Jf, ins.K)
		}
	case CArray:
		for _, ins := range prog {
			fmt.Fprintf(&b, "{ 0x%x, %d, %d, 0x%08x },\n", ins.Op, ins.Jt, ins.Jf, ins.K)
		}
	default:
		for i, ins := range prog {
			b.WriteString(Image(ins, i))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

var ancNames = map[uint32]string{
	cbpf.AdProtocol: "proto", cbpf.AdPktType: "type", cbpf.AdIfindex: "ifidx",
	cbpf.AdNLAttr: "nla", cbpf.AdNLAttrNest: "nlan", cbpf.AdMark: "mark", cbpf.AdQueue: "queue",
	cbpf.AdHatype: "hatype", cbpf.AdRXHash: "rxhash", cbpf.AdCPU: "cpu", cbpf.AdALUXorX: "xor_x",
	cbpf.AdVLANTag: "vlan_tci", cbpf.AdVLANTagPresent: "vlanp", cbpf.AdPayOffset: "poff",
	cbpf.AdRandom: "random", cbpf.AdVLANTPID: "vlan_tpid",
}

func absOperand(k uint32) string {
	base := cbpf.AncillaryK(0)
	if k >= base && k < base+cbpf.AdMax {
		if s, ok := ancNames[k-base]; ok {
			return "[" + s + "]"
		}
	}
	return fmt.Sprintf("[%d]", int32(k))
}

var aluNames = map[uint16]string{
	cbpf.AluADD: "add", cbpf.AluSUB: "sub", cbpf.AluMUL: "mul", cbpf.AluDIV: "div",
	cbpf.AluMOD: "mod", cbpf.AluAND: "and", cbpf.AluOR: "or", cbpf.AluXOR: "xor",
	cbpf.AluLSH: "lsh", cbpf.AluRSH: "rsh",
}

var loadNames = map[uint16]string{cbpf.SizeW: "ld", cbpf.SizeH: "ldh", cbpf.SizeB: "ldb"}

var jmpNames = map[uint16]string{
	cbpf.JmpJGT: "jgt", cbpf.JmpJGE: "jge", cbpf.JmpJEQ: "jeq", cbpf.JmpJSET: "jset",
}

// Image returns one line of the tcpdump -d listing for instruction n.
func Image(ins cbpf.Instruction, n int) string {
	var op, operand string
	k := ins.K
	switch c := ins.Op; {
	case c == cbpf.ClassRET|cbpf.SrcK:
		op, operand = "ret", fmt.Sprintf("#%d", int32(k))
	case c == cbpf.ClassRET|cbpf.SrcA:
		op, operand = "ret", ""
	case cbpf.Class(c) == cbpf.ClassLD && cbpf.Mode(c) == cbpf.ModeABS && cbpf.Size(c) != 0x18:
		op, operand = loadNames[cbpf.Size(c)], absOperand(k)
	case c == cbpf.ClassLD|cbpf.SizeW|cbpf.ModeLEN:
		op, operand = "ld", "#pktlen"
	case cbpf.Class(c) == cbpf.ClassLD && cbpf.Mode(c) == cbpf.ModeIND && cbpf.Size(c) != 0x18:
		op, operand = loadNames[cbpf.Size(c)], fmt.Sprintf("[x + %d]", int32(k))
	case c == cbpf.ClassLD|cbpf.ModeIMM:
		op, operand = "ld", fmt.Sprintf("#0x%x", k)
	case c == cbpf.ClassLDX|cbpf.ModeIMM:
		op, operand = "ldx", fmt.Sprintf("#0x%x", k)
	case c == cbpf.ClassLDX|cbpf.ModeMSH|cbpf.SizeB:
		op, operand = "ldxb", fmt.Sprintf("4*([%d]&0xf)", int32(k))
	case c == cbpf.ClassLD|cbpf.ModeMEM:
		op, operand = "ld", fmt.Sprintf("M[%d]", int32(k))
	case c == cbpf.ClassLDX|cbpf.ModeMEM:
		op, operand = "ldx", fmt.Sprintf("M[%d]", int32(k))
	case c == cbpf.ClassST:
		op, operand = "st", fmt.Sprintf("M[%d]", int32(k))
	case c == cbpf.ClassSTX:
		op, operand = "stx", fmt.Sprintf("M[%d]", int32(k))
	case c == cbpf.ClassJMP|cbpf.JmpJA:
		op, operand = "ja", fmt.Sprintf("%d", int32(uint32(n+1)+k))
	case cbpf.Class(c) == cbpf.ClassJMP && jmpNames[cbpf.Op(c)] != "" && c&^0xf8 == cbpf.ClassJMP:
		op = jmpNames[cbpf.Op(c)]
		if cbpf.Src(c) == cbpf.SrcX {
			operand = "x"
		} else {
			operand = fmt.Sprintf("#0x%x", k)
		}
	case c == cbpf.ClassALU|cbpf.AluNEG:
		op, operand = "neg", ""
	case cbpf.Class(c) == cbpf.ClassALU && aluNames[cbpf.Op(c)] != "" && c&^0xf8 == cbpf.ClassALU:
		op = aluNames[cbpf.Op(c)]
		switch {
		case cbpf.Src(c) == cbpf.SrcX:
			operand = "x"
		case cbpf.Op(c) == cbpf.AluAND || cbpf.Op(c) == cbpf.AluOR || cbpf.Op(c) == cbpf.AluXOR:
			operand = fmt.Sprintf("#0x%x", k)
		default:
			operand = fmt.Sprintf("#%d", int32(k))
		}
	case c == cbpf.ClassMISC|cbpf.MiscTAX:
		op, operand = "tax", ""
	case c == cbpf.ClassMISC|cbpf.MiscTXA:
		op, operand = "txa", ""
	default:
		op, operand = "unimp", fmt.Sprintf("0x%x", ins.Op)
	}
	if cbpf.Class(ins.Op) == cbpf.ClassJMP && cbpf.Op(ins.Op) != cbpf.JmpJA {
		return fmt.Sprintf("(%03d) %-8s %-16s jt %d\tjf %d", n, op, operand, n+1+int(ins.Jt), n+1+int(ins.Jf))
	}
	return fmt.Sprintf("(%03d) %-8s %s", n, op, operand)
}
