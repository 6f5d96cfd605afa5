package pcapfilter

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/cbpf"
)

// genDir builds the test of direction dir from gen, the test of one
// direction: gen(qdSrc) or gen(qdDst) alone, both and'd for qdAnd, and
// both or'd for any other direction.
func genDir(dir int, gen func(dir int) *block) *block {
	switch dir {
	case qdSrc, qdDst:
		return gen(dir)
	}
	b0 := gen(qdSrc)
	b1 := gen(qdDst)
	if dir == qdAnd {
		genAnd(b0, b1)
	} else {
		genOr(b0, b1)
	}
	return b1
}

// hostWhat names host addresses in an 802.11 qualifier error.
const hostWhat = "addresses other than 802.11 MAC addresses"

// checkWlanDir rejects an 802.11 address qualifier (addr1-4, ra, ta) on
// what, which only 802.11 MAC addresses take.
func (c *compiler) checkWlanDir(dir int, what string) {
	if m := wlanDirError(dir, what); m != "" {
		c.errorf("%s", m)
	}
}

// dirOffset returns src for qdSrc and dst for qdDst.
func dirOffset(dir int, src, dst uint32) uint32 {
	if dir == qdSrc {
		return src
	}
	return dst
}

// genHostop tests an IPv4 (or ARP) address under mask at srcOff/dstOff
// of a link payload of type llProto.
func (c *compiler) genHostop(addr, mask uint32, dir int, llProto, srcOff, dstOff uint32) *block {
	c.checkWlanDir(dir, hostWhat)
	return genDir(dir, func(dir int) *block {
		b0 := c.genLinktype(llProto)
		b1 := c.genMcmp(orLinkpl, dirOffset(dir, srcOff, dstOff), cbpf.SizeW, addr, mask)
		genAnd(b0, b1)
		return b1
	})
}

// genHostop6 tests an IPv6 address under mask, four words at a time.
func (c *compiler) genHostop6(addr, mask [16]byte, dir int, llProto, srcOff, dstOff uint32) *block {
	c.checkWlanDir(dir, hostWhat)
	return genDir(dir, func(dir int) *block {
		offset := dirOffset(dir, srcOff, dstOff)
		b1 := c.genMcmp(orLinkpl, offset+12, cbpf.SizeW, be32(addr[12:]), be32(mask[12:]))
		for _, i := range []uint32{8, 4, 0} {
			b0 := c.genMcmp(orLinkpl, offset+i, cbpf.SizeW, be32(addr[i:]), be32(mask[i:]))
			genAnd(b0, b1)
		}
		b0 := c.genLinktype(llProto)
		genAnd(b0, b1)
		return b1
	})
}

func (c *compiler) genHost(addr, mask uint32, proto, dir, typ int) *block {
	typestr := "host"
	if typ == qaNet {
		typestr = "net"
	}
	switch proto {
	case qDefault:
		b0 := c.genHost(addr, mask, qIP, dir, typ)
		if c.labelStackDepth == 0 {
			b1 := c.genHost(addr, mask, qARP, dir, typ)
			genOr(b0, b1)
			b0 = c.genHost(addr, mask, qRARP, dir, typ)
			genOr(b1, b0)
		}
		return b0
	case qLink:
		c.errorf("link-layer modifier applied to %s", typestr)
	case qIP:
		return c.genHostop(addr, mask, dir, ethertypeIP, 12, 16)
	case qRARP:
		return c.genHostop(addr, mask, dir, ethertypeRevARP, 14, 24)
	case qARP:
		return c.genHostop(addr, mask, dir, ethertypeARP, 14, 24)
	case qIPv6:
		c.errorf("'ip6' modifier applied to ip host")
	case qAtalk:
		c.errorf("AppleTalk host filtering not implemented")
	case qDecnet:
		return c.genDnhostop(addr, dir)
	case qLat, qSca, qMoprc, qMopdl, qAARP, qISO, qIPX:
		c.errorf("%s host filtering not implemented", map[int]string{qLat: "LAT", qSca: "SCA", qMoprc: "MOPRC", qMopdl: "MOPDL", qAARP: "AARP", qISO: "ISO", qIPX: "IPX"}[proto])
	}
	c.errorf("'%s' modifier applied to %s", qualNames[proto], typestr)
	return nil
}

func (c *compiler) genHost6(addr, mask [16]byte, proto, dir, typ int) *block {
	typestr := "host"
	if typ == qaNet {
		typestr = "net"
	}
	switch proto {
	case qDefault, qIPv6:
		return c.genHostop6(addr, mask, dir, ethertypeIPv6, 8, 24)
	case qLink:
		c.errorf("link-layer modifier applied to ip6 %s", typestr)
	case qAtalk:
		c.errorf("AppleTalk modifier applied to ip6 %s", typestr)
	}
	c.errorf("'%s' modifier applied to ip6 %s", qualNames[proto], typestr)
	return nil
}

// genEhostop tests an Ethernet address.
func (c *compiler) genEhostop(eaddr []byte, dir int) *block {
	if m := wlanOnlyError(dir); m != "" {
		c.errorf("%s", m)
	}
	return genDir(dir, func(dir int) *block {
		return c.genBcmp(orLinkhdr, dirOffset(dir, 6, 0), eaddr)
	})
}

// portAtom tests the 16-bit port at offset off (0 for the source, 2 for
// the destination) of the transport header that rel locates.
type portAtom func(rel int, off uint32) *block

// genPortop tests IPv4 protocol proto, not a later fragment, and the
// ports of dir; what names the ports in an 802.11 qualifier error.
func (c *compiler) genPortop(proto uint32, dir int, what string, atom portAtom) *block {
	c.checkWlanDir(dir, what)
	tmp := c.genCmp(orLinkpl, 9, cbpf.SizeB, proto)
	b0 := c.genIPFrag()
	genAnd(tmp, b0)
	b1 := genDir(dir, func(dir int) *block { return atom(orTranIPv4, dirOffset(dir, 0, 2)) })
	genAnd(b0, b1)
	return b1
}

// genPortop6 tests IPv6 next header proto and the ports of dir.
func (c *compiler) genPortop6(proto uint32, dir int, atom portAtom) *block {
	b0 := c.genCmp(orLinkpl, 6, cbpf.SizeB, proto)
	b1 := genDir(dir, func(dir int) *block { return atom(orTranIPv6, dirOffset(dir, 0, 2)) })
	genAnd(b0, b1)
	return b1
}

// genPortProtos ands the link type test for ethertype with op of ipProto,
// or with op of TCP, UDP and SCTP or'd together when ipProto is
// protoUndef.
func (c *compiler) genPortProtos(ethertype uint32, ipProto int, op func(proto uint32) *block) *block {
	b0 := c.genLinktype(ethertype)
	var b1 *block
	switch ipProto {
	case ipprotoUDP, ipprotoTCP, ipprotoSCTP:
		b1 = op(uint32(ipProto))
	default:
		tmp := op(ipprotoTCP)
		b1 = op(ipprotoUDP)
		genOr(tmp, b1)
		tmp = op(ipprotoSCTP)
		genOr(tmp, b1)
	}
	genAnd(b0, b1)
	return b1
}

// genPorts tests the ports of dir with atom over IPv4 or IPv6, like
// libpcap's gen_port and gen_port6 or'd together.
func (c *compiler) genPorts(ipProto, dir int, what string, atom portAtom) *block {
	b := c.genPortProtos(ethertypeIP, ipProto, func(proto uint32) *block { return c.genPortop(proto, dir, what, atom) })
	genOr(c.genPortProtos(ethertypeIPv6, ipProto, func(proto uint32) *block { return c.genPortop6(proto, dir, atom) }), b)
	return b
}

// genPort compiles "port N" for the transport protocol ipProto.
func (c *compiler) genPort(port uint32, ipProto, dir int) *block {
	return c.genPorts(ipProto, dir, "ports", func(rel int, off uint32) *block {
		return c.genCmp(rel, off, cbpf.SizeH, port)
	})
}

// genPortrange compiles "portrange N1-N2" for the transport protocol
// ipProto.
func (c *compiler) genPortrange(p1, p2 uint32, ipProto, dir int) *block {
	if p1 > p2 {
		p1, p2 = p2, p1
	}
	return c.genPorts(ipProto, dir, "port ranges", func(rel int, off uint32) *block {
		b1 := c.genCmpGe(rel, off, cbpf.SizeH, p1)
		b2 := c.genCmpLe(rel, off, cbpf.SizeH, p2)
		genAnd(b1, b2)
		return b2
	})
}

func (c *compiler) portProto(proto int, what string) int {
	switch proto {
	case qUDP:
		return ipprotoUDP
	case qTCP:
		return ipprotoTCP
	case qSCTP:
		return ipprotoSCTP
	case qDefault:
		return protoUndef
	}
	c.errorf("illegal qualifier of '%s'", what)
	return 0
}

// atoin parses a dotted IPv4 address or prefix like libpcap's
// __pcap_atoin, returning the value and its length in bits, or -1.
func atoin(s string) (uint32, int) {
	var addr uint32
	n, length := uint32(0), 0
	for i := 0; ; {
		n = 0
		for i < len(s) && s[i] != '.' {
			if n > 25 {
				return 0, -1
			}
			n = n*10 + uint32(s[i]-'0')
			i++
		}
		if n > 255 {
			return 0, -1
		}
		addr = addr<<8 | n&0xff
		length += 8
		if i >= len(s) {
			return addr, length
		}
		i++
	}
}

// genNcode compiles a numeric address or number with its qualifiers.
func (c *compiler) genNcode(s string, v uint32, q qual) *block {
	vlen := 32
	switch {
	case s == "":
	case q.proto == qDecnet:
		var ok bool
		if v, ok = atodn(s); !ok {
			c.errorf("malformed decnet address '%s'", s)
		}
	default:
		var l int
		v, l = atoin(s)
		if l < 0 {
			c.errorf("invalid IPv4 address '%s'", s)
		}
		vlen = l
	}
	switch q.addr {
	case qaDefault, qaHost, qaNet:
		if q.proto == qDecnet {
			return c.genHost(v, 0, q.proto, q.dir, q.addr)
		}
		if q.proto == qLink {
			c.errorf("illegal link layer address")
		}
		mask := uint32(0xffffffff)
		if s == "" && q.addr == qaNet {
			for v != 0 && v&0xff000000 == 0 {
				v <<= 8
				mask <<= 8
			}
		} else {
			v <<= 32 - uint(vlen)
			mask <<= 32 - uint(vlen)
		}
		return c.genHost(v, mask, q.proto, q.dir, q.addr)
	case qaPort:
		proto := c.portProto(q.proto, "port")
		if v > 65535 {
			c.errorf("illegal port number %d > 65535", v)
		}
		return c.genPort(v, proto, q.dir)
	case qaPortrange:
		proto := c.portProto(q.proto, "portrange")
		if v > 65535 {
			c.errorf("illegal port number %d > 65535", v)
		}
		return c.genPortrange(v, v, proto, q.dir)
	case qaGateway:
		c.errorf("'gateway' requires a name")
	case qaProto:
		return c.genProto(v, q.proto, q.dir)
	case qaProtochain:
		return c.genProtochain(v, q.proto)
	}
	c.errorf("syntax error in filter expression")
	return nil
}

// genMcode compiles "net a.b.c.d/len" and "net a.b.c.d mask e.f.g.h".
func (c *compiler) genMcode(s1, s2 string, masklen uint32, q qual) *block {
	n, nlen := atoin(s1)
	if nlen < 0 {
		c.errorf("invalid IPv4 address '%s'", s1)
	}
	n <<= 32 - uint(nlen)
	var m uint32
	if s2 != "" {
		mv, mlen := atoin(s2)
		if mlen < 0 {
			c.errorf("invalid IPv4 address '%s'", s2)
		}
		m = mv << (32 - uint(mlen))
		if n&^m != 0 {
			c.errorf("non-network bits set in \"%s mask %s\"", s1, s2)
		}
	} else {
		if masklen > 32 {
			c.errorf("mask length must be <= 32")
		}
		if masklen != 0 {
			m = 0xffffffff << (32 - masklen)
		}
		if n&^m != 0 {
			c.errorf("non-network bits set in \"%s/%d\"", s1, masklen)
		}
	}
	if q.addr != qaNet {
		c.errorf("Mask syntax for networks only")
	}
	return c.genHost(n, m, q.proto, q.dir, q.addr)
}

// genMcode6 compiles an IPv6 address or prefix.
func (c *compiler) genMcode6(s string, masklen uint32, q qual) *block {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		c.errorf("invalid ip6 address %s", s)
	}
	if masklen > 128 {
		c.errorf("mask length must be <= 128")
	}
	var mask [16]byte
	for i := uint32(0); i < masklen/8; i++ {
		mask[i] = 0xff
	}
	if masklen%8 != 0 {
		mask[masklen/8] = byte(0xff << (8 - masklen%8))
	}
	addr := a.As16()
	for i := range addr {
		if addr[i]&^mask[i] != 0 {
			c.errorf("non-network bits set in \"%s/%d\"", s, masklen)
		}
	}
	switch q.addr {
	case qaDefault, qaHost:
		if masklen != 128 {
			c.errorf("Mask syntax for networks only")
		}
		return c.genHost6(addr, mask, q.proto, q.dir, q.addr)
	case qaNet:
		return c.genHost6(addr, mask, q.proto, q.dir, q.addr)
	}
	c.errorf("invalid qualifier against IPv6 address")
	return nil
}

// genEcode compiles an Ethernet address.
func (c *compiler) genEcode(s string, q qual) *block {
	if (q.addr == qaHost || q.addr == qaDefault) && q.proto == qLink {
		e, ok := parseEther(s)
		if !ok {
			c.errorf("bogus ethernet address %s", s)
		}
		if c.linktype != DLTEN10MB {
			c.errorf("ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel")
		}
		return c.genEhostop(e, q.dir)
	}
	c.errorf("ethernet address used in non-ether expression")
	return nil
}

// parseEther parses the Ethernet address forms libpcap's scanner accepts.
func parseEther(s string) ([]byte, bool) {
	var digits []byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == ':' || ch == '-' || ch == '.' {
			continue
		}
		digits = append(digits, ch)
	}
	// Groups of one digit ("a:b:...") are padded: parse group by group.
	var out []byte
	groups := splitAny(s, ":-.")
	if len(groups) == 6 {
		for _, g := range groups {
			v, ok := hexVal(g)
			if !ok {
				return nil, false
			}
			out = append(out, byte(v))
		}
		return out, true
	}
	if len(digits) != 12 {
		return nil, false
	}
	for i := 0; i < 12; i += 2 {
		v, ok := hexVal(string(digits[i : i+2]))
		if !ok {
			return nil, false
		}
		out = append(out, byte(v))
	}
	return out, true
}

func splitAny(s, seps string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(seps); j++ {
			if s[i] == seps[j] {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func hexVal(s string) (uint32, bool) {
	if s == "" {
		return 0, false
	}
	var v uint32
	for _, ch := range s {
		switch {
		case ch >= '0' && ch <= '9':
			v = v<<4 | uint32(ch-'0')
		case ch >= 'a' && ch <= 'f':
			v = v<<4 | uint32(ch-'a'+10)
		case ch >= 'A' && ch <= 'F':
			v = v<<4 | uint32(ch-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// atodn parses a DECnet address "area.node" like libpcap's __pcap_atodn.
func atodn(s string) (uint32, bool) {
	a, n, ok := strings.Cut(s, ".")
	if !ok {
		return 0, false
	}
	area, err1 := strconv.Atoi(leadingInt(a))
	node, err2 := strconv.Atoi(leadingInt(n))
	if err1 != nil || err2 != nil || leadingInt(a) != a {
		return 0, false
	}
	return uint32(area<<10)&0xfc00 | uint32(node)&0x3ff, true
}

func swap16(v uint32) uint32 { return (v&0xff)<<8 | (v>>8)&0xff }

// genDnhostop matches a DECnet address in the short or long data header.
func (c *compiler) genDnhostop(addr uint32, dir int) *block {
	c.checkWlanDir(dir, hostWhat)
	return genDir(dir, func(dir int) *block { return c.genDnhostop1(addr, dir) })
}

// genDnhostop1 matches a DECnet address in one direction.
func (c *compiler) genDnhostop1(addr uint32, dir int) *block {
	offsetSh, offsetLh := uint32(3), uint32(15)
	if dir == qdDst {
		offsetSh, offsetLh = 1, 7
	}
	a := swap16(addr & 0xffff)
	b0 := c.genLinktype(ethertypeDN)
	tmp := c.genMcmp(orLinkpl, 2, cbpf.SizeH, swap16(0x0681), swap16(0x07ff))
	b1 := c.genCmp(orLinkpl, 2+1+offsetLh, cbpf.SizeH, a)
	genAnd(tmp, b1)
	tmp = c.genMcmp(orLinkpl, 2, cbpf.SizeB, 0x06, 0x7)
	b2 := c.genCmp(orLinkpl, 2+offsetLh, cbpf.SizeH, a)
	genAnd(tmp, b2)
	genOr(b2, b1)
	tmp = c.genMcmp(orLinkpl, 2, cbpf.SizeH, swap16(0x0281), swap16(0x07ff))
	b2 = c.genCmp(orLinkpl, 2+1+offsetSh, cbpf.SizeH, a)
	genAnd(tmp, b2)
	genOr(b2, b1)
	tmp = c.genMcmp(orLinkpl, 2, cbpf.SizeB, 0x02, 0x7)
	b2 = c.genCmp(orLinkpl, 2+offsetSh, cbpf.SizeH, a)
	genAnd(tmp, b2)
	genOr(b2, b1)
	genAnd(b0, b1)
	return b1
}
