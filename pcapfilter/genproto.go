package pcapfilter

import "github.com/gbpf/gbpf/cbpf"

// qualName returns the name libpcap's messages use for a protocol
// qualifier.
var qualNames = map[int]string{
	qLink: "link", qIP: "ip", qARP: "arp", qRARP: "rarp", qSCTP: "sctp", qTCP: "tcp", qUDP: "udp",
	qICMP: "icmp", qIGMP: "igmp", qIGRP: "igrp", qAtalk: "atalk", qDecnet: "decnet", qLat: "lat",
	qSca: "sca", qMoprc: "moprc", qMopdl: "mopdl", qIPv6: "ip6", qICMPv6: "icmp6", qAH: "ah",
	qESP: "esp", qPIM: "pim", qVRRP: "vrrp", qAARP: "aarp", qISO: "iso", qESIS: "esis",
	qISIS: "isis", qCLNP: "clnp", qSTP: "stp", qIPX: "ipx", qNetbeui: "netbeui", qISISL1: "l1",
	qISISL2: "l2", qISISIIH: "iih", qISISSNP: "snp", qISISCSNP: "csnp", qISISPSNP: "psnp",
	qISISLSP: "lsp", qRadio: "radio", qCarp: "carp",
}

func (c *compiler) genProtoAbbrev(proto int) *block {
	var b0, b1 *block
	switch proto {
	case qSCTP:
		return c.genProto(ipprotoSCTP, qDefault, qdDefault)
	case qTCP:
		return c.genProto(ipprotoTCP, qDefault, qdDefault)
	case qUDP:
		return c.genProto(ipprotoUDP, qDefault, qdDefault)
	case qICMP:
		return c.genProto(ipprotoICMP, qIP, qdDefault)
	case qIGMP:
		return c.genProto(ipprotoIGMP, qIP, qdDefault)
	case qIGRP:
		return c.genProto(ipprotoIGRP, qIP, qdDefault)
	case qPIM:
		return c.genProto(ipprotoPIM, qDefault, qdDefault)
	case qVRRP, qCarp:
		return c.genProto(ipprotoVRRP, qIP, qdDefault)
	case qIP:
		return c.genLinktype(ethertypeIP)
	case qARP:
		return c.genLinktype(ethertypeARP)
	case qRARP:
		return c.genLinktype(ethertypeRevARP)
	case qLink:
		c.errorf("link layer applied in wrong context")
	case qAtalk:
		return c.genLinktype(ethertypeAtalk)
	case qAARP:
		return c.genLinktype(ethertypeAARP)
	case qDecnet:
		return c.genLinktype(ethertypeDN)
	case qSca:
		return c.genLinktype(ethertypeSCA)
	case qLat:
		return c.genLinktype(ethertypeLAT)
	case qMopdl:
		return c.genLinktype(ethertypeMOPDL)
	case qMoprc:
		return c.genLinktype(ethertypeMOPRC)
	case qIPv6:
		return c.genLinktype(ethertypeIPv6)
	case qICMPv6:
		return c.genProto(ipprotoICMPv6, qIPv6, qdDefault)
	case qAH:
		return c.genProto(ipprotoAH, qDefault, qdDefault)
	case qESP:
		return c.genProto(ipprotoESP, qDefault, qdDefault)
	case qISO:
		return c.genLinktype(llcsapISONS)
	case qESIS:
		return c.genProto(isoESIS, qISO, qdDefault)
	case qISIS:
		return c.genProto(isoISIS, qISO, qdDefault)
	case qISISL1:
		b0 = c.genProto(isisL1IIH, qISIS, qdDefault)
		b1 = c.genProto(isisPTP, qISIS, qdDefault)
		genOr(b0, b1)
		for _, v := range []uint32{isisL1LSP, isisL1CS, isisL1PS} {
			b0 = c.genProto(v, qISIS, qdDefault)
			genOr(b0, b1)
		}
		return b1
	case qISISL2:
		b0 = c.genProto(isisL2IIH, qISIS, qdDefault)
		b1 = c.genProto(isisPTP, qISIS, qdDefault)
		genOr(b0, b1)
		for _, v := range []uint32{isisL2LSP, isisL2CS, isisL2PS} {
			b0 = c.genProto(v, qISIS, qdDefault)
			genOr(b0, b1)
		}
		return b1
	case qISISIIH:
		return c.genISISList(isisL1IIH, isisL2IIH, isisPTP)
	case qISISLSP:
		return c.genISISList(isisL1LSP, isisL2LSP)
	case qISISSNP:
		return c.genISISList(isisL1CS, isisL2CS, isisL1PS, isisL2PS)
	case qISISCSNP:
		return c.genISISList(isisL1CS, isisL2CS)
	case qISISPSNP:
		return c.genISISList(isisL1PS, isisL2PS)
	case qCLNP:
		return c.genProto(isoCLNP, qISO, qdDefault)
	case qSTP:
		return c.genLinktype(llcsap8021D)
	case qIPX:
		return c.genLinktype(llcsapIPX)
	case qNetbeui:
		return c.genLinktype(llcsapNetbeui)
	case qRadio:
		c.errorf("'radio' is not a valid protocol type")
	}
	c.errorf("unsupported protocol")
	return nil
}

// genISISList ORs IS-IS PDU type tests the way libpcap chains them: the
// first two with gen_or(b0, b1), the rest with gen_or(b0, b1) again.
func (c *compiler) genISISList(vs ...uint32) *block {
	b0 := c.genProto(vs[0], qISIS, qdDefault)
	b1 := c.genProto(vs[1], qISIS, qdDefault)
	genOr(b0, b1)
	for _, v := range vs[2:] {
		b0 = c.genProto(v, qISIS, qdDefault)
		genOr(b0, b1)
	}
	return b1
}

func (c *compiler) genIPFrag() *block {
	b := newBlock(jmp(cbpf.JmpJSET))
	b.stmts = c.genLoadA(orLinkpl, 6, cbpf.SizeH)
	b.s.k = 0x1fff
	genNot(b)
	return b
}

var bogusProto = map[int]string{
	qSCTP: "'sctp proto' is bogus", qTCP: "'tcp proto' is bogus", qUDP: "'udp proto' is bogus",
	qICMP: "'icmp proto' is bogus", qIGMP: "'igmp proto' is bogus", qIGRP: "'igrp proto' is bogus",
	qAtalk: "AppleTalk encapsulation is not specifiable", qDecnet: "DECNET encapsulation is not specifiable",
	qLat: "LAT does not encapsulate another protocol", qSca: "SCA does not encapsulate another protocol",
	qMoprc: "MOPRC does not encapsulate another protocol", qMopdl: "MOPDL does not encapsulate another protocol",
	qICMPv6: "'icmp6 proto' is bogus", qAH: "'ah proto' is bogus", qESP: "'esp proto' is bogus",
	qPIM: "'pim proto' is bogus", qVRRP: "'vrrp proto' is bogus", qAARP: "'aarp proto' is bogus",
	qESIS: "'esis proto' is bogus", qCLNP: "'clnp proto' is not supported", qSTP: "'stp proto' is bogus",
	qIPX: "'ipx proto' is bogus", qNetbeui: "'netbeui proto' is bogus", qISISL1: "'l1 proto' is bogus",
	qISISL2: "'l2 proto' is bogus", qISISIIH: "'iih proto' is bogus", qISISSNP: "'snp proto' is bogus",
	qISISCSNP: "'csnp proto' is bogus", qISISPSNP: "'psnp proto' is bogus", qISISLSP: "'lsp proto' is bogus",
	qRadio: "'radio proto' is bogus", qCarp: "'carp proto' is bogus",
	qARP: "arp does not encapsulate another protocol", qRARP: "rarp does not encapsulate another protocol",
}

func (c *compiler) genProto(v uint32, proto, dir int) *block {
	if dir != qdDefault {
		c.errorf("direction applied to 'proto'")
	}
	switch proto {
	case qDefault:
		b0 := c.genProto(v, qIP, dir)
		b1 := c.genProto(v, qIPv6, dir)
		genOr(b0, b1)
		return b1
	case qLink:
		return c.genLinktype(v)
	case qIP:
		b0 := c.genLinktype(ethertypeIP)
		b1 := c.genCmp(orLinkpl, 9, cbpf.SizeB, v)
		genAnd(b0, b1)
		return b1
	case qIPv6:
		b0 := c.genLinktype(ethertypeIPv6)
		b2 := c.genCmp(orLinkpl, 6, cbpf.SizeB, ipprotoFragment)
		b1 := c.genCmp(orLinkpl, 40, cbpf.SizeB, v)
		genAnd(b2, b1)
		b2 = c.genCmp(orLinkpl, 6, cbpf.SizeB, v)
		genOr(b2, b1)
		genAnd(b0, b1)
		return b1
	case qISO:
		b0 := c.genLinktype(llcsapISONS)
		b1 := c.genCmp(orLinkplNosnap, 0, cbpf.SizeB, v)
		genAnd(b0, b1)
		return b1
	case qISIS:
		b0 := c.genProto(isoISIS, qISO, qdDefault)
		b1 := c.genCmp(orLinkplNosnap, 4, cbpf.SizeB, v)
		genAnd(b0, b1)
		return b1
	}
	if m, ok := bogusProto[proto]; ok {
		c.errorf("%s", m)
	}
	c.errorf("unsupported protocol qualifier")
	return nil
}
