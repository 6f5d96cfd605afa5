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

// abbrevLinktypes are the protocol keywords that, used alone, test the
// link-layer type (an Ethertype or an LLC SAP).
var abbrevLinktypes = map[int]uint32{
	qIP: ethertypeIP, qARP: ethertypeARP, qRARP: ethertypeRevARP, qAtalk: ethertypeAtalk,
	qAARP: ethertypeAARP, qDecnet: ethertypeDN, qSca: ethertypeSCA, qLat: ethertypeLAT,
	qMopdl: ethertypeMOPDL, qMoprc: ethertypeMOPRC, qIPv6: ethertypeIPv6,
	qISO: llcsapISONS, qSTP: llcsap8021D, qIPX: llcsapIPX, qNetbeui: llcsapNetbeui,
}

// abbrevProtos are the protocol keywords that, used alone, test protocol
// v inside the protocol qualifier under (genProto's arguments).
var abbrevProtos = map[int]struct {
	v     uint32
	under int
}{
	qSCTP: {ipprotoSCTP, qDefault}, qTCP: {ipprotoTCP, qDefault}, qUDP: {ipprotoUDP, qDefault},
	qICMP: {ipprotoICMP, qIP}, qIGMP: {ipprotoIGMP, qIP}, qIGRP: {ipprotoIGRP, qIP},
	qPIM: {ipprotoPIM, qDefault}, qVRRP: {ipprotoVRRP, qIP}, qCarp: {ipprotoVRRP, qIP},
	qICMPv6: {ipprotoICMPv6, qIPv6}, qAH: {ipprotoAH, qDefault}, qESP: {ipprotoESP, qDefault},
	qESIS: {isoESIS, qISO}, qISIS: {isoISIS, qISO}, qCLNP: {isoCLNP, qISO},
}

// abbrevISIS are the IS-IS PDU types each IS-IS keyword stands for, in
// the order libpcap ORs them.
var abbrevISIS = map[int][]uint32{
	qISISL1:   {isisL1IIH, isisPTP, isisL1LSP, isisL1CS, isisL1PS},
	qISISL2:   {isisL2IIH, isisPTP, isisL2LSP, isisL2CS, isisL2PS},
	qISISIIH:  {isisL1IIH, isisL2IIH, isisPTP},
	qISISLSP:  {isisL1LSP, isisL2LSP},
	qISISSNP:  {isisL1CS, isisL2CS, isisL1PS, isisL2PS},
	qISISCSNP: {isisL1CS, isisL2CS},
	qISISPSNP: {isisL1PS, isisL2PS},
}

// genProtoAbbrev compiles a protocol keyword used alone ("tcp", "ip6",
// "l1"), like libpcap's gen_proto_abbrev.
func (c *compiler) genProtoAbbrev(proto int) *block {
	if lt, ok := abbrevLinktypes[proto]; ok {
		return c.genLinktype(lt)
	}
	if p, ok := abbrevProtos[proto]; ok {
		return c.genProto(p.v, p.under, qdDefault)
	}
	if vs, ok := abbrevISIS[proto]; ok {
		return c.genISISList(vs...)
	}
	switch proto {
	case qLink:
		c.errorf("link layer applied in wrong context")
	case qRadio:
		c.errorf("'radio' is not a valid protocol type")
	}
	c.errorf("unsupported protocol")
	return nil
}

// genISISList ORs the tests of IS-IS PDU types vs (at least two) the way
// libpcap chains them: each later test or'd into the second.
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
