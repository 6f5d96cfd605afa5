package tcpdump

import (
	"fmt"
	"net"
)

// DLT values of the link types the printer decodes.
const (
	dltNull        = 0
	dltEthernet    = 1
	dltSLIP        = 8
	dltRaw         = 12
	dltRawBSD      = 14
	dltCHDLC       = 104
	dltIEEE80211   = 105
	dltLoop        = 108
	dltLinuxSLL    = 113
	dltRadiotap    = 127
	dltARCNETLinux = 129
	dltPPI         = 192
	dltIPv4        = 228
	dltIPv6        = 229
	dltLinuxSLL2   = 276
	dltBRCMTag     = 281
	dltDSATagDSA   = 284
)

// link1 prints a packet from its link-layer header and returns the length
// of that header.
func (p *Printer) link1(b []byte, wireLen int) int {
	switch p.link {
	case dltEthernet:
		return p.ether(b, wireLen, 0, nil)
	case dltLinuxSLL:
		return p.sll(b, wireLen)
	case dltLinuxSLL2:
		return p.sll2(b, wireLen)
	case dltNull, dltLoop:
		return p.null(b, wireLen)
	case dltRaw, dltRawBSD, dltIPv4, dltIPv6:
		if p.opts.Ether {
			p.str("ip: ")
		}
		p.ipAny(b, wireLen)
		return 0
	case dltARCNETLinux:
		return p.arcnetLinux(b, wireLen)
	case dltBRCMTag:
		return p.ether(b, wireLen, 4, p.brcmTag)
	case dltDSATagDSA:
		return p.ether(b, wireLen, 4, p.dsaTag)
	case dltSLIP:
		return p.slip(b, wireLen)
	case dltCHDLC:
		return p.chdlc(b, wireLen)
	case dltIEEE80211:
		return p.wifi(b, wireLen, len(b), 0, false)
	case dltRadiotap:
		return p.radiotap(b, wireLen)
	case dltPPI:
		return p.ppi(b, wireLen)
	}
	p.proto = "unsupported"
	p.str("UNSUPPORTED")
	p.hexASCII("\n\t", b, 0)
	return 0
}

// ipAny prints an IPv4 or IPv6 packet by its version field.
func (p *Printer) ipAny(b []byte, length int) {
	switch u8(b, 0) >> 4 {
	case 4:
		p.ip4(b, length)
	case 6:
		p.ip6(b, length)
	default:
		p.printf("ip v%d", b[0]>>4)
	}
}

// etherAddr formats a MAC address as tcpdump's etheraddr_string does:
// without -n it names the vendor part.
func (p *Printer) etherAddr(b []byte) string {
	need(b, 6)
	s := fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5])
	if p.opts.Numeric == 0 {
		s += " (oui " + tok(ouiNames, "Unknown", uint32(b[0])<<16|uint32(b[1])<<8|uint32(b[2])) + ")"
	}
	return s
}

// rawEtherAddr formats a MAC address without a vendor name.
func rawEtherAddr(b []byte) string {
	need(b, 6)
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5])
}

var ouiNames = map[uint32]string{0x000000: "Ethernet", 0x00000c: "Cisco", 0x00005e: "IANA",
	0x000081: "Nortel Networks SONMP", 0x0000f8: "Cisco bridged", 0x0080c2: "Ethernet bridged",
	0x00a03e: "ATM Forum", 0x00e02f: "DOCSIS Spanning Tree", 0x080007: "Appletalk", 0x009069: "Juniper",
	0x080009: "Hewlett-Packard", 0x00120f: "IEEE 802.3 Private", 0x0012bb: "ANSI/TIA", 0x001b21: "DCBX",
	0x002320: "Nicira Networks", 0x5c16c7: "Big Switch Networks", 0xb0d2f5: "Vello Systems", 0x002481: "HP",
	0x0004ea: "HP-Labs", 0x748771: "Infoblox Inc", 0xa42305: "Open Networking Lab", 0x00049f: "Freescale",
	0x0015ad: "Netronome", 0x001018: "Broadcom", 0x00e004: "PMC-Sierra", 0xd0f0db: "Ericsson"}

var ethertypeNames = map[uint16]string{
	0x0800: "IPv4", 0x8847: "MPLS unicast", 0x8848: "MPLS multicast", 0x86dd: "IPv6",
	0x8100: "802.1Q", 0x9100: "802.1Q-9100", 0x88a8: "802.1Q-QinQ", 0x9200: "802.1Q-9200",
	0x88e5: "802.1AE MACsec", 0x0200: "PUP", 0x0806: "ARP", 0x8035: "Reverse ARP",
	0x0600: "NS", 0x0500: "Sprite", 0x1000: "Trail", 0x6001: "MOP DL", 0x6002: "MOP RC",
	0x6003: "DN", 0x6004: "LAT", 0x6007: "SCA", 0x6558: "TEB", 0x8038: "Lanbridge",
	0x803c: "DEC DNS", 0x803e: "DEC DTS", 0x805b: "VEXP", 0x805c: "VPROD",
	0x809b: "Appletalk", 0x80f3: "Appletalk ARP", 0x8137: "IPX", 0x880b: "PPP",
	0x8808: "MPCP", 0x8809: "Slow Protocols", 0x8863: "PPPoE D", 0x8864: "PPPoE S",
	0x888e: "EAPOL", 0x8899: "Realtek protocols", 0x886f: "MS NLB heartbeat",
	0x8870: "Jumbo", 0x894f: "NSH", 0x9000: "Loopback", 0xfefe: "OSI", 0x00fe: "GRE-OSI",
	0xabcd: "CFM (old)", 0x8902: "CFM", 0x893a: "IEEE1905.1", 0x88cc: "LLDP",
	0x88ca: "TIPC", 0x0707: "GeoNet (old)", 0x8947: "GeoNet", 0x1111: "CALM FAST",
	0x88a2: "AoE", 0x88f7: "PTP", 0xd28b: "Arista Vendor Specific Protocol",
}

func (p *Printer) etherType(t uint16) {
	if p.opts.Quiet {
		p.str(tok(ethertypeNames, "Unknown Ethertype (0x%04x)", t))
		return
	}
	p.printf("ethertype %s (0x%04x)", tok(ethertypeNames, "Unknown", t), t)
}

func isVLAN(t uint16) bool { return t == 0x8100 || t == 0x9100 || t == 0x9200 || t == 0x88a8 }

// ether prints an Ethernet frame, with a switch tag of tagLen bytes after
// the addresses printed by tag, and returns the header length.
func (p *Printer) ether(b []byte, length, tagLen int, tag func([]byte)) int {
	caplen := len(b)
	if length < caplen {
		p.printf("[length %d < caplen %d] (invalid)", length, caplen)
		return length
	}
	if caplen < 14+tagLen {
		p.trunc()
		return caplen
	}
	origLen := length
	src, dst := b[6:12], b[0:6]
	if p.opts.Ether {
		p.printf("%s > %s, ", p.etherAddr(src), p.etherAddr(dst))
	}
	hdr := 12
	if tag != nil {
		tag(b[12:])
	}
	hdr += tagLen
	length -= hdr
	printedLen := false
	t := u16(b, hdr)
	hdr += 2
	length -= 2
	for isVLAN(t) {
		if len(b)-hdr < 4 || length < 4 {
			p.proto = "vlan"
			p.trunc()
			return min(len(b), hdr+length)
		}
		if p.opts.Ether {
			tci := u16(b, hdr)
			p.etherType(t)
			if !printedLen {
				p.printf(", length %d: ", origLen)
				printedLen = true
			} else {
				p.str(", ")
			}
			p.printf("vlan %d, p %d%s, ", tci&0xfff, tci>>13, map[bool]string{true: ", DEI"}[tci&0x1000 != 0])
		}
		t = u16(b, hdr+2)
		hdr += 4
		length -= 4
	}
	body := b[hdr:]
	if t <= 1500 {
		if int(t) < length {
			length = int(t)
		}
		body = clip(body, length)
		if p.opts.Ether {
			p.str("802.3")
			if !printedLen {
				p.printf(", length %d: ", length)
			}
		}
		n := p.llc(body, length, src, dst)
		if n < 0 {
			p.defaultPrint(body)
			n = -n
		}
		return hdr + n
	}
	if p.opts.Ether {
		p.etherType(t)
		if !printedLen {
			p.printf(", length %d: ", origLen)
		} else {
			p.str(", ")
		}
	}
	if !p.etherTypePrint(t, body, length, src, dst) {
		if !p.opts.Ether {
			p.printf("%s > %s, ", p.etherAddr(src), p.etherAddr(dst))
			p.etherType(t)
			p.printf(", length %d: ", origLen)
		}
		p.defaultPrint(body)
	}
	return hdr
}

// etherTypePrint prints the payload of an ethertype; false if it has no
// printer.
func (p *Printer) etherTypePrint(t uint16, b []byte, length int, src, dst []byte) bool {
	switch t {
	case 0x0800:
		p.ip4(b, length)
	case 0x86dd:
		p.ip6(b, length)
	case 0x0806, 0x8035:
		p.arp(b, length)
	case 0x8863, 0x8864:
		p.pppoe(b, length)
	case 0x8847, 0x8848:
		p.mpls(b, length)
	case 0x9000:
		p.loopback(b, length)
	case 0x6003:
		p.decnet(b, length)
	case 0x8137:
		p.str("(NOV-ETHII) ")
		p.ipx(b, length)
	case 0x888e:
		p.eapol(b)
	case 0x880b:
		p.str(": ")
		p.ppp(b, length)
	case 0x6004, 0x6007, 0x6002, 0x6001, 0x893a:
		return false
	default:
		return false
	}
	return true
}

// sll prints a Linux cooked v1 header.
func (p *Printer) sll(b []byte, length int) int {
	p.proto = "sll"
	need(b, 16)
	pkttype := u16(b, 0)
	if p.opts.Ether {
		p.printf("%s ", tok(sllTypes, "?", pkttype))
		if alen := u16(b, 4); alen == 6 {
			p.printf("%s ", p.etherAddr(b[6:]))
		}
		if !p.opts.Quiet {
			p.etherType(u16(b, 14))
		}
		p.printf(", length %d: ", length)
	}
	return 16 + p.sllPayload(u16(b, 14), b[16:], length-16, b[6:12])
}

var sllTypes = map[uint16]string{0: "In", 1: "B", 2: "M", 3: "P", 4: "Out"}

func (p *Printer) sllPayload(t uint16, b []byte, length int, src []byte) int {
	if t <= 1500 {
		switch t {
		case 1: // LINUX_SLL_P_802_3: IPX without LLC
			p.ipx(b, length)
			return 0
		case 4: // 802.2
			n := p.llc(b, length, nil, nil)
			if n < 0 {
				p.defaultPrint(b)
				return -n
			}
			return n
		}
		p.defaultPrint(b)
		return 0
	}
	for isVLAN(t) && len(b) >= 4 {
		if p.opts.Ether {
			tci := u16(b, 0)
			p.printf("vlan %d, p %d, ", tci&0xfff, tci>>13)
		}
		t = u16(b, 2)
		b = b[4:]
		length -= 4
	}
	if !p.etherTypePrint(t, b, length, src, nil) {
		if !p.opts.Ether {
			p.etherType(t)
			p.printf(", length %d: ", length)
		}
		p.defaultPrint(b)
	}
	return 0
}

// sll2 prints a Linux cooked v2 header: the interface's name and the
// packet's direction always, the rest with -e.
func (p *Printer) sll2(b []byte, length int) int {
	p.proto = "sll2"
	need(b, 20)
	t := u16(b, 0)
	ifindex := u32(b, 4)
	name := "?"
	if ifi, err := net.InterfaceByIndex(int(ifindex)); err == nil {
		name = ifi.Name
	}
	p.printf("%-5s ", name)
	p.printf("%-3s ", tok(sllTypes, "?", uint16(b[10])))
	if p.opts.Ether {
		p.printf("ifindex %d ", ifindex)
		if b[11] == 6 {
			p.printf("%s ", p.etherAddr(b[12:]))
		}
		if !p.opts.Quiet {
			switch {
			case t == 1:
				p.str("802.3")
			case t == 4:
				p.str("802.2")
			case t <= 1500:
				p.printf("ethertype Unknown (0x%04x)", t)
			default:
				p.etherType(t)
			}
			p.printf(", length %d: ", length)
		}
	}
	return 20 + p.sllPayload(t, b[20:], length-20, b[12:18])
}

// null prints a BSD loopback (DLT_NULL, DLT_LOOP) header.
func (p *Printer) null(b []byte, length int) int {
	if len(b) < 4 {
		p.proto = "null"
		p.trunc()
		return len(b)
	}
	af := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
	if p.link == dltLoop || af&0xffff0000 != 0 {
		af = u32(b, 0)
	}
	if p.opts.Ether {
		name := map[uint32]string{2: "IPv4", 24: "IPv6", 28: "IPv6", 30: "IPv6", 10: "IPv6", 23: "IPv6"}[af]
		if name == "" {
			name = fmt.Sprintf("Unknown AF %d", af)
		}
		p.printf("AF %s (%d), length %d: ", name, af, length)
	}
	switch af {
	case 2:
		p.ip4(b[4:], length-4)
	case 24, 28, 30, 10, 23:
		p.ip6(b[4:], length-4)
	default:
		if !p.opts.Ether {
			p.printf("AF Unknown AF %d (%d), length %d: ", af, af, length)
		}
		p.defaultPrint(b[4:])
	}
	return 4
}
