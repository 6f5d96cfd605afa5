package tcpdump

import (
	"fmt"
	"net/netip"
	"strings"
)

var ipProtoNames = map[uint8]string{
	0: "Options", 1: "ICMP", 2: "IGMP", 4: "IPIP", 6: "TCP", 8: "EGP", 9: "IGRP", 17: "UDP",
	33: "DCCP", 41: "IPv6", 43: "Routing", 44: "Fragment", 46: "RSVP", 47: "GRE", 50: "ESP",
	51: "AH", 55: "Mobile IP", 58: "ICMPv6", 62: "Mobile IP (old)", 88: "EIGRP", 89: "OSPF",
	103: "PIM", 108: "Compressed IP", 112: "VRRP", 113: "PGM", 132: "SCTP", 135: "Mobility",
	143: "Ethernet",
}

// host prints an address, by name without -n if the resolver knows one.
func (p *Printer) host(a netip.Addr) string {
	if p.opts.Numeric == 0 && p.opts.Names != nil {
		if n := p.opts.Names.Host(a); n != "" {
			return n
		}
	}
	return a.String()
}

func (p *Printer) addr4(b []byte, i int) string {
	need(b, i+4)
	return p.host(netip.AddrFrom4([4]byte(b[i : i+4])))
}

func (p *Printer) addr6(b []byte, i int) string {
	need(b, i+16)
	return p.host(netip.AddrFrom16([16]byte(b[i : i+16])))
}

func (p *Printer) port(proto string, v uint16) string {
	if p.opts.Numeric == 0 && p.opts.Names != nil {
		if n := p.opts.Names.Port(proto, v); n != "" {
			return n
		}
	}
	return fmt.Sprint(v)
}

// ipHdr is what transport printers need of the IP header before them.
type ipHdr struct {
	v6       bool
	b        []byte // the IP header (and more)
	nextIsUs bool   // the IP header's protocol is the transport's (no extension in between)
	ttl      int
}

func (h ipHdr) src(p *Printer) string {
	if h.v6 {
		return p.addr6(h.b, 8)
	}
	return p.addr4(h.b, 12)
}

func (h ipHdr) dst(p *Printer) string {
	if h.v6 {
		return p.addr6(h.b, 24)
	}
	return p.addr4(h.b, 16)
}

var ipFragBits = []bitName{{0x8000, "rsvd"}, {0x4000, "DF"}, {0x2000, "+"}}

func inCksum(sum uint32, b []byte) uint32 {
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	return sum
}

func foldCksum(sum uint32) uint16 {
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// shouldBe is tcpdump's in_cksum_shouldbe.
func shouldBe(sum, computed uint16) uint16 {
	s := uint32(^sum) + uint32(^computed)
	s = s&0xffff + s>>16
	s = s&0xffff + s>>16
	return ^uint16(s)
}

// pseudoSum is the checksum of the pseudo-header of a transport segment.
func (h ipHdr) pseudoSum(proto uint8, length int) uint32 {
	var sum uint32
	if h.v6 {
		sum = inCksum(0, h.b[8:40])
	} else {
		sum = inCksum(0, h.b[12:20])
	}
	return sum + uint32(proto) + uint32(length)
}

// ip4 prints an IPv4 packet of length bytes.
func (p *Printer) ip4(b []byte, length int) {
	p.proto = "ip"
	if len(b) > 0 && b[0]>>4 != 4 {
		if b[0]>>4 == 6 {
			p.str("IP6, wrong link-layer encapsulation (invalid)")
		} else {
			p.printf("IP%d (invalid)", b[0]>>4)
		}
		return
	}
	if !p.opts.Ether {
		p.str("IP ")
	}
	need(b, 20)
	if length < 20 {
		p.printf("truncated-ip %d", length)
		return
	}
	hlen := int(b[0]&0xf) * 4
	if hlen < 20 {
		p.printf("bad-hlen %d", hlen)
		return
	}
	tlen := int(u16(b, 2))
	if length < tlen {
		p.printf("truncated-ip - %d bytes missing! ", tlen-length)
	}
	if tlen < hlen {
		p.printf("bad-len %d", tlen)
		return
	}
	b = clip(b, tlen)
	plen := tlen - hlen
	off := u16(b, 6)
	proto := b[9]
	if p.opts.Verbose > 0 {
		tos := b[1]
		p.printf("(tos 0x%x", tos)
		p.str([]string{"", ",ECT(1)", ",ECT(0)", ",CE"}[tos&3])
		if b[8] >= 1 {
			p.printf(", ttl %d", b[8])
		}
		p.printf(", id %d, offset %d, flags [%s], proto %s (%d)", u16(b, 4), (off&0x1fff)*8,
			bits(ipFragBits, "none", "", uint32(off&0xe000)), tok(ipProtoNames, "unknown", proto), proto)
		p.printf(", length %d", tlen)
		if hlen > 20 {
			p.str(", options (")
			p.ipOptions(b[20:min(hlen, len(b))])
			p.str(")")
		}
		if hlen <= len(b) {
			if s := foldCksum(inCksum(0, b[:hlen])); s != 0 {
				sum := u16(b, 10)
				p.printf(", bad cksum %x (->%x)!", sum, shouldBe(sum, s))
			}
		}
		p.str(")\n    ")
	}
	h := ipHdr{b: b, nextIsUs: true, ttl: int(b[8])}
	if off&0x1fff == 0 {
		if proto != 6 && proto != 17 && proto != 132 && proto != 33 {
			p.printf("%s > %s: ", h.src(p), h.dst(p))
		}
		if len(b) < hlen {
			p.printf(" [remaining caplen(%d) < header length(%d)]", len(b), hlen)
			panic(truncated{})
		}
		p.demux(b[hlen:], plen, h, off&0x2000 != 0, proto)
		return
	}
	p.printf("%s > %s:", h.src(p), h.dst(p))
	p.printf(" %s", p.protoName(proto))
}

func (p *Printer) protoName(proto uint8) string {
	if p.opts.Numeric == 0 {
		if n, ok := netdbProtos[proto]; ok {
			return n
		}
	}
	return fmt.Sprintf("ip-proto-%d", proto)
}

// netdbProtos are the names of /etc/protocols that tcpdump prints
// without -n.
var netdbProtos = map[uint8]string{
	0: "ip", 1: "icmp", 2: "igmp", 4: "ipencap", 6: "tcp", 8: "egp", 12: "pup", 17: "udp",
	20: "hmp", 22: "xns-idp", 27: "rdp", 29: "iso-tp4", 33: "dccp", 36: "xtp", 37: "ddp",
	38: "idpr-cmtp", 41: "ipv6", 43: "ipv6-route", 44: "ipv6-frag", 45: "idrp", 46: "rsvp",
	47: "gre", 50: "esp", 51: "ah", 57: "skip", 58: "ipv6-icmp", 59: "ipv6-nonxt",
	60: "ipv6-opts", 73: "rspf", 81: "vmtp", 88: "eigrp", 89: "ospf", 93: "ax.25",
	94: "ipip", 97: "etherip", 98: "encap", 103: "pim", 108: "ipcomp", 112: "vrrp",
	115: "l2tp", 124: "isis", 132: "sctp", 133: "fc", 135: "mobility-header",
	136: "udplite", 137: "mpls-in-ip", 138: "manet", 139: "hip", 140: "shim6", 141: "wesp",
	142: "rohc", 143: "ethernet",
}

func (p *Printer) ipOptions(b []byte) {
	for len(b) > 0 {
		t := b[0]
		switch t {
		case 0:
			p.str(" EOL")
			if len(b) > 1 {
				p.printf("-%d", len(b)-1)
			}
			return
		case 1:
			p.str(" NOP")
			b = b[1:]
			continue
		}
		if len(b) < 2 {
			p.printf(" [|ip]")
			return
		}
		l := int(b[1])
		name := tok(map[uint8]string{7: "RR", 68: "TS", 130: "SEC", 131: "LSRR", 137: "SSRR", 148: "RA", 136: "SID", 133: "ESEC"}, "unknown %d", t)
		p.printf("%s", name)
		if l < 2 || l > len(b) {
			p.printf(" [bad length %d]", l)
			return
		}
		switch t {
		case 148:
			if l == 4 {
				if v := u16(b, 2); v != 0 {
					p.printf(" value %d", v)
				}
			}
		case 7, 131, 137:
			if l >= 3 {
				ptr := int(b[2]) - 1
				for i := 3; i+4 <= l; i += 4 {
					p.printf(" %s", netip.AddrFrom4([4]byte(b[i:i+4])))
					if ptr == i {
						p.str(",")
					}
				}
			}
		}
		b = b[l:]
	}
}

// demux prints the payload of an IP header of protocol nh.
func (p *Printer) demux(b []byte, length int, h ipHdr, fragmented bool, nh uint8) {
	for {
		switch nh {
		case 51:
			if len(b) < 1 {
				p.proto = "ah"
				p.trunc()
				return
			}
			nh = b[0]
			adv := p.ah(b)
			if adv <= 0 {
				return
			}
			b = from(b, adv)
			length -= adv
			h.nextIsUs = false
			continue
		case 50:
			p.esp(b, length)
		case 108:
			p.proto = "ipcomp"
			p.printf("IPComp(cpi=0x%04x)", u16(b, 2))
		case 132:
			p.sctp(b, h, length)
		case 6:
			p.tcpPrint(b, length, h, fragmented)
		case 17:
			p.udp(b, length, h, fragmented)
		case 1:
			if h.v6 {
				p.str("[ICMP requires IPv6] (invalid)")
				return
			}
			p.icmp(b, length, h, fragmented)
		case 58:
			if !h.v6 {
				p.str("[ICMPv6 requires IPv4] (invalid)")
				return
			}
			p.icmp6(b, length, h)
		case 2:
			if h.v6 {
				p.str("[IGMP requires IPv4] (invalid)")
				return
			}
			p.igmp(b, length)
		case 4:
			p.ip4(b, length)
		case 41:
			p.ip6(b, length)
		case 47:
			p.gre(b, length)
		case 103:
			p.pim(b, length, h)
		case 112:
			p.vrrp(b, length, h)
		case 59:
			p.str("no next header")
		case 143:
			if h.v6 {
				p.ether(b, length, 0, nil)
			} else {
				p.str("[Ethernet requires IPv6] (invalid)")
			}
		default:
			p.printf(" %s %d", p.protoName(nh), length)
		}
		return
	}
}

// ah prints an authentication header and returns its length.
func (p *Printer) ah(b []byte) int {
	p.proto = "ah"
	need(b, 12)
	l := (int(b[1]) + 2) * 4
	p.str("AH(")
	if p.opts.Verbose > 0 {
		p.printf("length=%d(%d-bytes),", b[1], l)
	}
	if r := u16(b, 2); r != 0 {
		p.printf("reserved=0x%x[MustBeZero],", r)
	}
	p.printf("spi=0x%08x,seq=0x%x,icv=0x", u32(b, 4), u32(b, 8))
	need(b, l)
	for _, c := range b[12:l] {
		p.printf("%02x", c)
	}
	p.str("): ")
	return l
}

// esp prints an encapsulating security payload header.
func (p *Printer) esp(b []byte, length int) {
	p.proto = "esp"
	need(b, 8)
	p.printf("ESP(spi=0x%08x,seq=0x%x), length %d", u32(b, 0), u32(b, 4), length)
}

// ip6 prints an IPv6 packet of length bytes.
func (p *Printer) ip6(b []byte, length int) {
	p.proto = "ip6"
	need(b, 40)
	if length < 40 {
		p.printf("truncated-ip6 %d", length)
		return
	}
	if !p.opts.Ether {
		p.str("IP6 ")
	}
	if b[0]>>4 != 6 {
		p.printf("version error: %d != 6", b[0]>>4)
		return
	}
	plen := int(u16(b, 4))
	var tlen int
	if plen != 0 {
		tlen = plen + 40
		if length < tlen {
			p.printf("truncated-ip6 - %d bytes missing!", tlen-length)
		}
	} else {
		tlen = length + 40
	}
	nh := b[6]
	if p.opts.Verbose > 0 {
		flow := u32(b, 0)
		p.str("(")
		if flow&0x0ff00000 != 0 {
			p.printf("class 0x%02x, ", (flow&0x0ff00000)>>20)
		}
		if flow&0xfffff != 0 {
			p.printf("flowlabel 0x%05x, ", flow&0xfffff)
		}
		p.printf("hlim %d, next-header %s (%d) payload length: %d) ", b[7], tok(ipProtoNames, "unknown", nh), nh, plen)
	}
	b = clip(b, tlen)
	h := ipHdr{v6: true, b: b, nextIsUs: true, ttl: int(b[7])}
	cur, adv, rest := 0, 40, tlen
	fragmented := false
	first := true
	foundHBH := false
	var ph uint8 = 255
	for cur < len(b) && adv > 0 {
		if rest < adv {
			p.trunc()
			return
		}
		cur += adv
		rest -= adv
		if first && nh != 6 && nh != 17 && nh != 33 && nh != 132 {
			p.printf("%s > %s: ", h.src(p), h.dst(p))
		}
		first = false
		c := from(b, cur)
		if nh == 0 {
			if foundHBH {
				p.str("[The Hop-by-Hop Options header was already found] (invalid)")
				return
			}
			if ph != 255 {
				p.str("[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)")
				return
			}
			foundHBH = true
		}
		switch nh {
		case 0, 60:
			if nh == 0 {
				p.str("HBH ")
			} else {
				p.str("DSTOPT ")
			}
			p.proto = map[uint8]string{0: "hbhopt", 60: "dstopt"}[nh]
			l := (int(u8(c, 1)) + 1) * 8
			need(c, l)
			p.ip6Opts(c[2:l])
			adv = l
			nh = c[0]
			h.nextIsUs = false
		case 44:
			p.proto = "frag6"
			need(c, 8)
			fo := u16(c, 2) & 0xfff8
			if p.opts.Verbose > 0 {
				p.printf("frag (0x%08x:%d|%d)", u32(c, 4), fo, 40+plen-cur-8)
			} else {
				p.printf("frag (%d|%d)", fo, 40+plen-cur-8)
			}
			if fo != 0 || cur+8 >= len(b) {
				return
			}
			p.str(" ")
			adv = 8
			nh = c[0]
			fragmented = true
			h.nextIsUs = false
		case 43:
			adv = p.rt6(c)
			if adv < 0 {
				return
			}
			nh = c[0]
			h.nextIsUs = false
		default:
			l := rest
			if plen == 0 {
				l = 0
			}
			p.demux(c, l, h, fragmented, nh)
			return
		}
		ph = nh
		p.proto = "ip6"
	}
}

func (p *Printer) ip6Opts(b []byte) {
	for i := 0; i < len(b); {
		t := b[i]
		l := 1
		if t != 0 {
			if i+1 >= len(b) {
				return
			}
			l = int(b[i+1]) + 2
		}
		if i+l > len(b) {
			return
		}
		if p.opts.Verbose > 0 {
			switch t {
			case 0:
				p.str("(pad1)")
			case 1:
				p.str("(padn)")
			case 5:
				p.printf("(rtalert: 0x%04x) ", u16(b, i+2))
			case 0xc2:
				p.printf("(jumbo: %d) ", u32(b, i+2))
			default:
				p.printf("(opt_type 0x%02x: len=%d)", t, b[i+1])
			}
		}
		i += l
	}
	if p.opts.Verbose > 0 {
		p.str(" ")
	}
}

// rt6 prints a routing header and returns its length.
func (p *Printer) rt6(b []byte) int {
	p.proto = "rt6"
	need(b, 4)
	l := int(b[1])
	p.printf("RT6 (len=%d", l)
	t := b[2]
	p.printf(", type=%d", t)
	if t == 0 {
		p.str(" [Deprecated]")
	}
	p.printf(", segleft=%d", b[3])
	switch t {
	case 0, 2:
		if v := u32(b, 4); v != 0 || p.opts.Verbose > 0 {
			p.printf(", rsv=0x%0x", v)
		}
		if l%2 == 1 {
			p.printf(" (invalid length %d)", l)
			return -1
		}
		for i := 0; i < l/2; i++ {
			p.printf(", [%d]%s", i, p.addr6(b, 8+16*i))
		}
		p.str(") ")
		return (l + 1) * 8
	case 4:
		p.printf(", last-entry=%d", u8(b, 4))
		if f := u8(b, 5); f != 0 || p.opts.Verbose > 0 {
			p.printf(", flags=0x%0x", f)
		}
		p.printf(", tag=%x", u16(b, 6))
		if l%2 == 1 {
			p.printf(" (invalid length %d)", l)
			return -1
		}
		for i := 0; i < l/2; i++ {
			p.printf(", [%d]%s", i, p.addr6(b, 8+16*i))
		}
		p.str(") ")
		return (l + 1) * 8
	}
	p.str(" (unknown type)")
	return -1
}

// portPair prints "src.sport > dst.dport: " or, after extension headers,
// "sport > dport: ".
func (p *Printer) portPair(h ipHdr, proto string, sp, dp uint16) {
	if h.nextIsUs {
		p.printf("%s.%s > %s.%s: ", h.src(p), p.port(proto, sp), h.dst(p), p.port(proto, dp))
	} else {
		p.printf("%s > %s: ", p.port(proto, sp), p.port(proto, dp))
	}
}

func isPort(sp, dp, v uint16) bool { return sp == v || dp == v }

var _ = strings.Builder{}
