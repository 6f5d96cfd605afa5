package pcapfilter

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/cbpf"
)

func (c *compiler) genHostop(addr, mask uint32, dir int, llProto, srcOff, dstOff uint32) *block {
	if m := wlanDirError(dir, "addresses other than 802.11 MAC addresses"); m != "" {
		c.errorf("%s", m)
	}
	var offset uint32
	switch dir {
	case qdSrc:
		offset = srcOff
	case qdDst:
		offset = dstOff
	case qdAnd:
		b0 := c.genHostop(addr, mask, qdSrc, llProto, srcOff, dstOff)
		b1 := c.genHostop(addr, mask, qdDst, llProto, srcOff, dstOff)
		genAnd(b0, b1)
		return b1
	default:
		b0 := c.genHostop(addr, mask, qdSrc, llProto, srcOff, dstOff)
		b1 := c.genHostop(addr, mask, qdDst, llProto, srcOff, dstOff)
		genOr(b0, b1)
		return b1
	}
	b0 := c.genLinktype(llProto)
	b1 := c.genMcmp(orLinkpl, offset, cbpf.SizeW, addr, mask)
	genAnd(b0, b1)
	return b1
}

func (c *compiler) genHostop6(addr, mask [16]byte, dir int, llProto, srcOff, dstOff uint32) *block {
	if m := wlanDirError(dir, "addresses other than 802.11 MAC addresses"); m != "" {
		c.errorf("%s", m)
	}
	var offset uint32
	switch dir {
	case qdSrc:
		offset = srcOff
	case qdDst:
		offset = dstOff
	case qdAnd:
		b0 := c.genHostop6(addr, mask, qdSrc, llProto, srcOff, dstOff)
		b1 := c.genHostop6(addr, mask, qdDst, llProto, srcOff, dstOff)
		genAnd(b0, b1)
		return b1
	default:
		b0 := c.genHostop6(addr, mask, qdSrc, llProto, srcOff, dstOff)
		b1 := c.genHostop6(addr, mask, qdDst, llProto, srcOff, dstOff)
		genOr(b0, b1)
		return b1
	}
	b1 := c.genMcmp(orLinkpl, offset+12, cbpf.SizeW, be32(addr[12:]), be32(mask[12:]))
	for _, i := range []uint32{8, 4, 0} {
		b0 := c.genMcmp(orLinkpl, offset+i, cbpf.SizeW, be32(addr[i:]), be32(mask[i:]))
		genAnd(b0, b1)
	}
	b0 := c.genLinktype(llProto)
	genAnd(b0, b1)
	return b1
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

func (c *compiler) genEhostop(eaddr []byte, dir int) *block {
	if m := wlanOnlyError(dir); m != "" {
		c.errorf("%s", m)
	}
	switch dir {
	case qdSrc:
		return c.genBcmp(orLinkhdr, 6, eaddr)
	case qdDst:
		return c.genBcmp(orLinkhdr, 0, eaddr)
	case qdAnd:
		b0 := c.genEhostop(eaddr, qdSrc)
		b1 := c.genEhostop(eaddr, qdDst)
		genAnd(b0, b1)
		return b1
	default:
		b0 := c.genEhostop(eaddr, qdSrc)
		b1 := c.genEhostop(eaddr, qdDst)
		genOr(b0, b1)
		return b1
	}
}

func (c *compiler) genPortatom(off, v uint32) *block {
	return c.genCmp(orTranIPv4, off, cbpf.SizeH, v)
}

func (c *compiler) genPortatom6(off, v uint32) *block {
	return c.genCmp(orTranIPv6, off, cbpf.SizeH, v)
}

// genDirPair builds the src/dst combination of two tests.
func genDirPair(dir int, atom func(off uint32) *block) *block {
	switch dir {
	case qdSrc:
		return atom(0)
	case qdDst:
		return atom(2)
	case qdAnd:
		tmp := atom(0)
		b1 := atom(2)
		genAnd(tmp, b1)
		return b1
	default:
		tmp := atom(0)
		b1 := atom(2)
		genOr(tmp, b1)
		return b1
	}
}

func (c *compiler) genPortop(port, proto uint32, dir int) *block {
	if m := wlanDirError(dir, "ports"); m != "" {
		c.errorf("%s", m)
	}
	tmp := c.genCmp(orLinkpl, 9, cbpf.SizeB, proto)
	b0 := c.genIPFrag()
	genAnd(tmp, b0)
	b1 := genDirPair(dir, func(off uint32) *block { return c.genPortatom(off, port) })
	genAnd(b0, b1)
	return b1
}

func (c *compiler) genPort(port uint32, ipProto, dir int) *block {
	b0 := c.genLinktype(ethertypeIP)
	var b1 *block
	switch ipProto {
	case ipprotoUDP, ipprotoTCP, ipprotoSCTP:
		b1 = c.genPortop(port, uint32(ipProto), dir)
	default:
		tmp := c.genPortop(port, ipprotoTCP, dir)
		b1 = c.genPortop(port, ipprotoUDP, dir)
		genOr(tmp, b1)
		tmp = c.genPortop(port, ipprotoSCTP, dir)
		genOr(tmp, b1)
	}
	genAnd(b0, b1)
	return b1
}

func (c *compiler) genPortop6(port, proto uint32, dir int) *block {
	b0 := c.genCmp(orLinkpl, 6, cbpf.SizeB, proto)
	b1 := genDirPair(dir, func(off uint32) *block { return c.genPortatom6(off, port) })
	genAnd(b0, b1)
	return b1
}

func (c *compiler) genPort6(port uint32, ipProto, dir int) *block {
	b0 := c.genLinktype(ethertypeIPv6)
	var b1 *block
	switch ipProto {
	case ipprotoUDP, ipprotoTCP, ipprotoSCTP:
		b1 = c.genPortop6(port, uint32(ipProto), dir)
	default:
		tmp := c.genPortop6(port, ipprotoTCP, dir)
		b1 = c.genPortop6(port, ipprotoUDP, dir)
		genOr(tmp, b1)
		tmp = c.genPortop6(port, ipprotoSCTP, dir)
		genOr(tmp, b1)
	}
	genAnd(b0, b1)
	return b1
}

func (c *compiler) genPortrangeatom(offrel int, off, v1, v2 uint32) *block {
	if v1 > v2 {
		v1, v2 = v2, v1
	}
	b1 := c.genCmpGe(offrel, off, cbpf.SizeH, v1)
	b2 := c.genCmpLe(offrel, off, cbpf.SizeH, v2)
	genAnd(b1, b2)
	return b2
}

func (c *compiler) genPortrangeop(p1, p2, proto uint32, dir int) *block {
	if m := wlanDirError(dir, "port ranges"); m != "" {
		c.errorf("%s", m)
	}
	tmp := c.genCmp(orLinkpl, 9, cbpf.SizeB, proto)
	b0 := c.genIPFrag()
	genAnd(tmp, b0)
	b1 := genDirPair(dir, func(off uint32) *block { return c.genPortrangeatom(orTranIPv4, off, p1, p2) })
	genAnd(b0, b1)
	return b1
}

func (c *compiler) genPortrange(p1, p2 uint32, ipProto, dir int) *block {
	b0 := c.genLinktype(ethertypeIP)
	var b1 *block
	switch ipProto {
	case ipprotoUDP, ipprotoTCP, ipprotoSCTP:
		b1 = c.genPortrangeop(p1, p2, uint32(ipProto), dir)
	default:
		tmp := c.genPortrangeop(p1, p2, ipprotoTCP, dir)
		b1 = c.genPortrangeop(p1, p2, ipprotoUDP, dir)
		genOr(tmp, b1)
		tmp = c.genPortrangeop(p1, p2, ipprotoSCTP, dir)
		genOr(tmp, b1)
	}
	genAnd(b0, b1)
	return b1
}

func (c *compiler) genPortrangeop6(p1, p2, proto uint32, dir int) *block {
	b0 := c.genCmp(orLinkpl, 6, cbpf.SizeB, proto)
	b1 := genDirPair(dir, func(off uint32) *block { return c.genPortrangeatom(orTranIPv6, off, p1, p2) })
	genAnd(b0, b1)
	return b1
}

func (c *compiler) genPortrange6(p1, p2 uint32, ipProto, dir int) *block {
	b0 := c.genLinktype(ethertypeIPv6)
	var b1 *block
	switch ipProto {
	case ipprotoUDP, ipprotoTCP, ipprotoSCTP:
		b1 = c.genPortrangeop6(p1, p2, uint32(ipProto), dir)
	default:
		tmp := c.genPortrangeop6(p1, p2, ipprotoTCP, dir)
		b1 = c.genPortrangeop6(p1, p2, ipprotoUDP, dir)
		genOr(tmp, b1)
		tmp = c.genPortrangeop6(p1, p2, ipprotoSCTP, dir)
		genOr(tmp, b1)
	}
	genAnd(b0, b1)
	return b1
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
		b := c.genPort(v, proto, q.dir)
		genOr(c.genPort6(v, proto, q.dir), b)
		return b
	case qaPortrange:
		proto := c.portProto(q.proto, "portrange")
		if v > 65535 {
			c.errorf("illegal port number %d > 65535", v)
		}
		b := c.genPortrange(v, v, proto, q.dir)
		genOr(c.genPortrange6(v, v, proto, q.dir), b)
		return b
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
	var offsetSh, offsetLh uint32
	switch dir {
	case qdDst:
		offsetSh, offsetLh = 1, 7
	case qdSrc:
		offsetSh, offsetLh = 3, 15
	case qdAnd:
		b0 := c.genDnhostop(addr, qdSrc)
		b1 := c.genDnhostop(addr, qdDst)
		genAnd(b0, b1)
		return b1
	case qdDefault, qdOr:
		b0 := c.genDnhostop(addr, qdSrc)
		b1 := c.genDnhostop(addr, qdDst)
		genOr(b0, b1)
		return b1
	default:
		c.errorf("%s", wlanDirError(dir, "addresses other than 802.11 MAC addresses"))
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
