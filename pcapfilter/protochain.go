package pcapfilter

import "github.com/gbpf/gbpf/cbpf"

const (
	ipprotoNone    = 59
	ipprotoHopOpts = 0
	ipprotoDstOpts = 60
	ipprotoRouting = 43
)

// genProtochain follows the IPv6 extension header chain (and IPv4/IPv6
// AH headers) looking for protocol v, like libpcap's gen_protochain. The
// code loops with a backward jump, which libpcap's interpreter allows and
// the Linux checker does not; like libpcap, the optimiser is then off.
func (c *compiler) genProtochain(v uint32, proto int) *block {
	reg2 := c.allocReg()
	switch proto {
	case qIP, qIPv6:
	case qDefault:
		b0 := c.genProtochain(v, qIP)
		b := c.genProtochain(v, qIPv6)
		genOr(b0, b)
		return b
	default:
		c.errorf("bad protocol applied for 'protochain'")
	}
	if c.offLinkpl.isVariable {
		c.errorf("'protochain' not supported with variable length headers")
	}
	c.noOptimize = true
	nl := c.offLinkpl.constantPart + c.offNl
	var s []*slist
	add := func(code int, k uint32) int {
		s = append(s, newStmt(code, k))
		return len(s) - 1
	}
	add(0, 0) // dummy, like libpcap's s[0]
	var b0 *block
	if proto == qIP {
		b0 = c.genLinktype(ethertypeIP)
		add(cbpf.ClassLD|cbpf.ModeABS|cbpf.SizeB, nl+9)
		add(cbpf.ClassLDX|cbpf.ModeMSH|cbpf.SizeB, nl)
	} else {
		b0 = c.genLinktype(ethertypeIPv6)
		add(cbpf.ClassLD|cbpf.ModeABS|cbpf.SizeB, nl+6)
		add(cbpf.ClassLDX|cbpf.ModeIMM, 40)
	}
	jeq := cbpf.ClassJMP | cbpf.JmpJEQ | cbpf.SrcK
	again := len(s)
	fix5 := add(jeq, v)
	fix2 := add(jeq, ipprotoNone)
	s[fix5].s.jf = s[fix2]
	fix3 := 0
	if proto == qIPv6 {
		v6start := add(jeq, ipprotoHopOpts)
		s[fix2].s.jf = s[v6start]
		i := add(jeq, ipprotoDstOpts)
		s[i-1].s.jf = s[i]
		i = add(jeq, ipprotoRouting)
		s[i-1].s.jf = s[i]
		i = add(jeq, ipprotoFragment)
		s[i-1].s.jf = s[i]
		fix3 = i
		v6end := i
		v6advance := add(cbpf.ClassLD|cbpf.ModeIND|cbpf.SizeB, nl)
		add(cbpf.ClassST, uint32(reg2))
		add(cbpf.ClassLD|cbpf.ModeIND|cbpf.SizeB, nl+1)
		add(cbpf.ClassALU|cbpf.AluADD|cbpf.SrcK, 1)
		add(cbpf.ClassALU|cbpf.AluMUL|cbpf.SrcK, 8)
		add(cbpf.ClassALU|cbpf.AluADD|cbpf.SrcX, 0)
		add(cbpf.ClassMISC|cbpf.MiscTAX, 0)
		add(cbpf.ClassLD|cbpf.ModeMEM, uint32(reg2))
		i = len(s)
		add(cbpf.ClassJMP|cbpf.JmpJA, uint32(again-i-1))
		s[i-1].s.jf = s[i]
		for j := v6start; j <= v6end; j++ {
			s[j].s.jt = s[v6advance]
		}
	} else {
		i := add(cbpf.ClassALU|cbpf.AluADD|cbpf.SrcK, 0)
		s[fix2].s.jf = s[i]
	}
	ahcheck := add(jeq, ipprotoAH)
	if fix3 != 0 {
		s[fix3].s.jf = s[ahcheck]
	}
	fix4 := ahcheck
	i := add(cbpf.ClassMISC|cbpf.MiscTXA, 0)
	s[i-1].s.jt = s[i]
	add(cbpf.ClassLD|cbpf.ModeIND|cbpf.SizeB, nl)
	add(cbpf.ClassST, uint32(reg2))
	i = add(cbpf.ClassMISC|cbpf.MiscTXA, 0)
	s[i-1].s.jt = s[i]
	add(cbpf.ClassALU|cbpf.AluADD|cbpf.SrcK, 1)
	add(cbpf.ClassMISC|cbpf.MiscTAX, 0)
	add(cbpf.ClassLD|cbpf.ModeIND|cbpf.SizeB, nl)
	add(cbpf.ClassALU|cbpf.AluADD|cbpf.SrcK, 2)
	add(cbpf.ClassALU|cbpf.AluMUL|cbpf.SrcK, 4)
	add(cbpf.ClassMISC|cbpf.MiscTAX, 0)
	add(cbpf.ClassLD|cbpf.ModeMEM, uint32(reg2))
	i = len(s)
	add(cbpf.ClassJMP|cbpf.JmpJA, uint32(again-i-1))
	end := add(cbpf.ClassALU|cbpf.AluADD|cbpf.SrcK, 0)
	s[fix2].s.jt = s[end]
	s[fix4].s.jf = s[end]
	s[fix5].s.jt = s[end]
	for j := 0; j < len(s)-1; j++ {
		s[j].next = s[j+1]
	}
	b := newBlock(jmp(cbpf.JmpJEQ))
	b.stmts = s[1]
	b.s.k = v
	c.freeReg(reg2)
	genAnd(b0, b)
	return b
}
