package tcpdump

import (
	"fmt"
	"strings"
)

var arpHrdNames = map[uint16]string{1: "Ethernet", 6: "TokenRing", 7: "ArcNet", 15: "FrameRelay",
	16: "Strip", 17: "IEEE 1394", 19: "ATM", 32: "InfiniBand"}

var arpOpNames = map[uint16]string{1: "Request", 2: "Reply", 3: "Reverse Request", 4: "Reverse Reply",
	8: "Inverse Request", 9: "Inverse Reply", 10: "NACK Reply"}

// linkAddr prints a hardware address of any length as tcpdump does.
func linkAddr(b []byte) string {
	if len(b) == 0 {
		return "<empty>"
	}
	var s strings.Builder
	for i, c := range b {
		if i > 0 {
			s.WriteByte(':')
		}
		if i == 0 && len(b) != 6 {
			fmt.Fprintf(&s, "%x", c)
		} else {
			fmt.Fprintf(&s, "%02x", c)
		}
	}
	return s.String()
}

// arp prints an ARP or RARP packet.
func (p *Printer) arp(b []byte, length int) {
	p.proto = "arp"
	need(b, 8)
	hrd, pro, op := u16(b, 0), u16(b, 2), u16(b, 6)
	hl, pl := int(b[4]), int(b[5])
	sha := 8
	spa := sha + hl
	tha := spa + pl
	tpa := tha + hl
	need(b, tpa+pl)
	if !p.opts.Ether {
		p.str("ARP, ")
	}
	if (pro != 0x0800 && pro != 0x1000) || pl != 4 || hl == 0 || p.opts.Verbose > 0 {
		p.printf("%s (len %d), %s (len %d)", tok(arpHrdNames, "Unknown Hardware (%d)", hrd), hl,
			tok(ethertypeNames, "Unknown Protocol (0x%04x)", pro), pl)
		if p.opts.Verbose == 0 {
			p.printf(", length %d", length)
			return
		}
	}
	sep := ""
	if p.opts.Verbose > 0 {
		sep = ", "
	}
	p.printf("%s%s ", sep, tok(arpOpNames, "Unknown (%d)", op))
	paddr := func(i int) string {
		if (pro != 0x0800 && pro != 0x1000) || pl != 4 {
			return "<wrong proto type>"
		}
		return p.addr4(b, i)
	}
	hw := func(i int) string {
		if hl == 6 {
			return p.etherAddr(b[i : i+hl])
		}
		return linkAddr(b[i : i+hl])
	}
	switch op {
	case 1:
		p.printf("who-has %s", paddr(tpa))
		if !allZero(b[tha : tha+hl]) {
			p.printf(" (%s)", hw(tha))
		}
		p.printf(" tell %s", paddr(spa))
	case 2:
		p.printf("%s is-at %s", paddr(spa), hw(sha))
	case 3, 8:
		p.printf("who-is %s tell %s", hw(tha), hw(sha))
	case 4:
		p.printf("%s at %s", hw(tha), paddr(tpa))
	case 9:
		p.printf("%s at %s", hw(sha), paddr(spa))
	default:
		p.defaultPrint(b)
		return
	}
	p.printf(", length %d", length)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

var pppoeCodes = map[uint8]string{0x09: "PADI", 0x07: "PADO", 0x19: "PADR", 0x65: "PADS", 0xa7: "PADT", 0: ""}

var pppoeTags = map[uint16]string{0: "EOL", 0x0101: "Service-Name", 0x0102: "AC-Name", 0x0103: "Host-Uniq",
	0x0104: "AC-Cookie", 0x0105: "Vendor-Specific", 0x0110: "Relay-Session-ID", 0x0120: "PPP-Max-Payload",
	0x0201: "Service-Name-Error", 0x0202: "AC-System-Error", 0x0203: "Generic-Error"}

// pppoe prints a PPPoE discovery or session packet.
func (p *Printer) pppoe(b []byte, length int) {
	p.proto = "pppoe"
	need(b, 6)
	code := b[1]
	sess := u16(b, 2)
	plen := int(u16(b, 4))
	p.printf("PPPoE %s", tok(pppoeCodes, "UNKNOWN", code))
	if sess != 0 {
		p.printf(" [ses 0x%x]", sess)
	}
	if plen+6 > length {
		p.printf(" [length %d (%d extra bytes)]", plen, plen+6-length)
	}
	body := clip(from(b, 6), plen)
	if code != 0 {
		for len(body) >= 4 {
			t, l := u16(body, 0), int(u16(body, 2))
			if t == 0 {
				break
			}
			p.printf(" [%s", tok(pppoeTags, "TAG-0x%x", t))
			if l > len(body)-4 {
				p.str("]")
				break
			}
			v := body[4 : 4+l]
			if l > 0 {
				printable := true
				for _, c := range v {
					if !isPrint(c) {
						printable = false
					}
				}
				if printable {
					p.printf(" \"%s\"", v)
				} else {
					p.printf(" 0x%X", v)
				}
			}
			p.str("]")
			body = body[4+l:]
		}
		return
	}
	p.str(" ")
	p.ppp(body, plen)
}

var pppProtos = map[uint16]string{0x0021: "IP", 0x0057: "IPV6", 0xc021: "LCP", 0x8021: "IPCP",
	0x8057: "IP6CP", 0xc023: "PAP", 0xc223: "CHAP", 0x80fd: "CCP", 0x0281: "MPLS"}

var lcpCodes = map[uint8]string{1: "Conf-Request", 2: "Conf-Ack", 3: "Conf-Nack", 4: "Conf-Reject",
	5: "Term-Request", 6: "Term-Ack", 7: "Code-Reject", 8: "Prot-Reject", 9: "Echo-Request",
	10: "Echo-Reply", 11: "Disc-Req", 12: "Ident", 13: "Time-Remain"}

// ppp prints a PPP frame from its protocol field.
func (p *Printer) ppp(b []byte, length int) {
	p.proto = "ppp"
	proto := uint16(u8(b, 0))
	i := 1
	if proto&1 == 0 {
		proto = u16(b, 0)
		i = 2
	}
	full := length
	frame := b
	length -= i
	b = from(b, i)
	if p.opts.Ether {
		p.printf("%s (0x%04x), length %d: ", tok(pppProtos, "unknown", proto), proto, full)
	}
	switch proto {
	case 0x0021:
		p.ip4(b, length)
	case 0x0057:
		p.ip6(b, length)
	case 0xc021, 0x8021, 0x8057, 0x80fd:
		p.printf("%s, ", pppProtos[proto])
		code := u8(b, 0)
		p.printf("%s (0x%02x), id %d, length %d", tok(lcpCodes, "Unknown Opcode", code), code, u8(b, 1), full)
		if p.opts.Verbose == 0 {
			return
		}
		l := int(u16(b, 2))
		switch {
		case l < 4:
			p.printf("\n\tencoded length %d (< 4))", l)
			return
		case l > length:
			p.printf("\n\tencoded length %d (> packet length %d))", l, length)
			return
		}
		p.printf("\n\tencoded length %d (=Option(s) length %d)", l, l-4)
		if l == 4 {
			return
		}
		if p.opts.Verbose > 1 {
			p.hex("\n\t", frame[:min(6, len(frame))], 0)
		}
		switch code {
		case 9, 10, 11:
			if l < 8 {
				return
			}
			p.printf("\n\t  Magic-Num 0x%08x", u32(b, 4))
			if l > 8 {
				p.str("\n\t  -----trailing data-----")
				need(b, l)
				p.hex("\n\t  ", b[8:l], 0)
			}
		}
	default:
		p.printf("%s, length %d", tok(pppProtos, "unknown (0x%04x)", proto), length)
	}
}

// mpls prints a label stack and guesses the payload as tcpdump does.
func (p *Printer) mpls(b []byte, length int) {
	p.proto = "mpls"
	var label uint32
	for {
		e := u32(b, 0)
		label = e >> 12
		p.str("MPLS")
		p.printf(" (label %d", label)
		if label < 16 {
			p.printf(" (%s)", []string{"IPv4 explicit NULL", "router alert", "IPv6 explicit NULL", "implicit NULL", "", "", "", "ELI", "", "", "", "", "", "GAL", "OAM", ""}[label])
		}
		p.printf(", tc %d", (e>>9)&7)
		if e&0x100 != 0 {
			p.str(", [S]")
		}
		p.printf(", ttl %d)", e&0xff)
		b = b[4:]
		length -= 4
		if e&0x100 != 0 {
			break
		}
		p.str(" ")
	}
	if len(b) == 0 {
		return
	}
	nl := " "
	if p.opts.Verbose > 0 {
		nl = "\n\t"
	}
	switch {
	case label == 0:
		p.str(nl)
		p.ip4(b, length)
	case label == 2:
		p.str(nl)
		p.ip6(b, length)
	default:
		switch b[0] >> 4 {
		case 4:
			if len(b) >= 20 && b[0]&0xf >= 5 {
				p.str(nl)
				p.ip4(b, length)
				return
			}
		case 6:
			p.str(nl)
			p.ip6(b, length)
			return
		}
		p.str(nl)
		p.ether(b, length, 0, nil)
	}
}

// loopback prints an Ethernet configuration test protocol packet.
func (p *Printer) loopback(b []byte, length int) {
	p.proto = "loopback"
	p.str("Loopback")
	if length < 2 {
		p.printf(" [length %d < 2] (invalid)", length)
		return
	}
	skip := int(uint16(u8(b, 0)) | uint16(u8(b, 1))<<8)
	p.printf(", skipCount %d", skip)
	if skip%8 != 0 {
		p.str(" (bogus)")
	}
	if skip > length-2 {
		return
	}
	f := from(b, 2+skip)
	fn := uint16(u8(f, 0)) | uint16(u8(f, 1))<<8
	p.printf(", %s", tok(map[uint16]string{1: "Reply", 2: "Forward Data"}, "unknown (%d)", fn))
	switch fn {
	case 1:
		p.printf(", receipt number %d", uint16(u8(f, 2))|uint16(u8(f, 3))<<8)
		p.printf(", data (%d octets)", length-skip-6)
	case 2:
		p.printf(", forwarding address %s", p.etherAddr(from(f, 2)))
		p.printf(", data (%d octets)", length-skip-10)
	}
}

// decnet prints a DECnet Phase IV routing message and the NSP message it
// carries.
func (p *Printer) decnet(b []byte, length int) {
	p.proto = "decnet"
	le := func(i int) uint16 { need(b, i+2); return uint16(b[i]) | uint16(b[i+1])<<8 }
	if length < 6 {
		p.printf(" (length %d < 6) (invalid)", length)
		return
	}
	pktlen := int(le(0))
	if pktlen < 6 {
		p.printf(" (pktlen %d < 6) (invalid)", pktlen)
		return
	}
	if pktlen > length {
		p.printf(" (pktlen %d > %d) (invalid)", pktlen, length)
		return
	}
	length = pktlen
	rh := 2
	flags := u8(b, rh)
	if flags&0x80 != 0 {
		pad := int(flags & 0x7f)
		if p.opts.Verbose > 0 {
			p.printf("[pad:%d] ", pad)
		}
		if length < pad+2 {
			p.printf(" (length %d < %d) (invalid)", length, pad+2)
			return
		}
		need(b, rh+pad)
		b = b[pad:]
		length -= pad
		flags = u8(b, rh)
	}
	if flags&0x40 != 0 {
		p.str("future-version-decnet")
		p.defaultPrint(clip(b, length))
		return
	}
	if flags&1 != 0 {
		p.decnetCtl(b[rh:], length)
		return
	}
	var src, dst uint16
	var hops int
	var nsp []byte
	var nsplen int
	switch flags & 7 {
	case 6:
		if length < 21 {
			p.printf(" (length %d < 21) (invalid)", length)
			return
		}
		need(b, rh+21)
		dst, src = le(rh+7), le(rh+15)
		hops = int(b[rh+18])
		nsp, nsplen = from(b, rh+21), length-21
	case 2:
		need(b, rh+6)
		dst, src = le(rh+1), le(rh+3)
		hops = int(b[rh+5]&0x3f) + 1
		nsp, nsplen = from(b, rh+6), length-6
	default:
		p.str("unknown message flags under mask")
		p.defaultPrint(clip(b, length))
		return
	}
	p.printf("%s > %s %d ", dnAddr16(src), dnAddr16(dst), pktlen)
	if p.opts.Verbose > 0 {
		if flags&010 != 0 {
			p.str("RQR ")
		}
		if flags&020 != 0 {
			p.str("RTS ")
		}
		if flags&040 != 0 {
			p.str("IE ")
		}
		p.printf("%d hops ", hops)
	}
	if !p.nsp(nsp, nsplen) {
		p.str(" (invalid)")
	}
}

func dnAddr16(v uint16) string { return fmt.Sprintf("%d.%d", v>>10, v&0x3ff) }

// decnetCtl prints a DECnet routing control message (a subset).
func (p *Printer) decnetCtl(b []byte, length int) {
	switch (b[0] >> 1) & 7 {
	case 6: // endnode hello
		p.str("endnode-hello ")
		if length < 32 {
			p.str(" (invalid)")
			return
		}
		need(b, 32)
		le := func(i int) uint16 { return uint16(b[i]) | uint16(b[i+1])<<8 }
		info := b[10]
		p.str([]string{"reserved-ntype? ", "l2rout ", "l1rout ", "endnode "}[info&3])
		if info&04 != 0 {
			p.str("verif ")
		}
		if info&040 != 0 {
			p.str("nomcast ")
		}
		if info&0100 != 0 {
			p.str("blo ")
		}
		p.printf("vers %d eco %d ueco %d src %s blksize %d rtr %s hello %d data %o",
			b[1], b[2], b[3], dnAddr16(le(8)), le(11), dnAddr16(le(26)), le(28), b[31])
	default:
		p.printf("control msg %d", (b[0]>>1)&7)
	}
}

// nsp prints a DECnet NSP message; false if it is malformed.
func (p *Printer) nsp(b []byte, n int) bool {
	if n < 5 {
		p.printf(" (nsplen %d < 5)", n)
		return false
	}
	le := func(i int) uint16 { need(b, i+2); return uint16(b[i]) | uint16(b[i+1])<<8 }
	flags := u8(b, 0)
	dst, src := le(1), le(3)
	acks := func(second string, segs bool) {
		ack := le(5)
		if ack&0x8000 != 0 {
			if ack&0xf000 == 0x9000 {
				p.printf("nak %d ", ack&07777)
			} else {
				p.printf("ack %d ", ack&07777)
			}
			if n < 9 && segs {
				return
			}
			ack = le(7)
			if ack&0xa000 == 0xa000 {
				if ack&0xb000 == 0xb000 {
					p.printf("%s %d ", map[string]string{"oack": "onak", "ackdat": "nakdat"}[second], ack&07777)
				} else {
					p.printf("%s %d ", second, ack&07777)
				}
				if segs {
					ack = le(9)
				}
			}
		}
		if segs {
			p.printf("seg %d ", ack&07777)
		}
	}
	switch flags & 014 {
	case 0:
		switch flags & 0160 {
		case 040, 0, 0100, 0140:
			p.printf("data %d>%d ", src, dst)
			if n < 7 {
				return false
			}
			acks("oack", true)
		case 060:
			p.str("intr ")
			if n < 7 {
				return false
			}
			acks("ackdat", true)
		case 020:
			p.printf("link-service %d>%d ", src, dst)
			if n < 13 {
				return false
			}
			acks("ackdat", true)
			ls, fc := u8(b, 11), u8(b, 12)
			switch ls & 014 {
			case 0:
				p.printf("dat seg count %d ", fc)
				switch ls & 3 {
				case 1:
					p.str("donotsend-data ")
				case 2:
					p.str("send-data ")
				case 3:
					p.printf("reserved-fcmod? %x", ls)
				}
			case 4:
				p.printf("intr req count %d ", fc)
			default:
				p.printf("reserved-fcval-int? %x", ls)
			}
		default:
			p.printf("reserved-subtype? %x %d > %d", flags, src, dst)
		}
	case 04:
		switch flags & 0160 {
		case 0:
			p.printf("data-ack %d>%d ", src, dst)
			if n < 7 {
				return false
			}
			acks("oack", false)
		case 020:
			p.printf("ils-ack %d>%d ", src, dst)
			if n < 7 {
				return false
			}
			acks("ackdat", false)
		case 040:
			p.printf("conn-ack %d", dst)
		default:
			p.printf("reserved-acktype? %x %d > %d", flags, src, dst)
		}
	case 010:
		switch flags & 0160 {
		case 020, 0140, 040:
			if flags&0160 == 040 {
				p.printf("conn-confirm %d>%d ", src, dst)
			} else {
				if flags&0160 == 020 {
					p.str("conn-initiate ")
				} else {
					p.str("retrans-conn-initiate ")
				}
				p.printf("%d>%d ", src, dst)
			}
			min := 9
			if flags&0160 == 040 {
				min = 10
			}
			if n < min {
				return false
			}
			services, info, segsize := u8(b, 5), u8(b, 6), le(7)
			switch services & 014 {
			case 04:
				p.str("seg ")
			case 010:
				p.str("msg ")
			}
			p.str([]string{"ver 3.2 ", "ver 3.1 ", "ver 4.0 ", "ver 4.1 "}[info&3])
			p.printf("segsize %d ", segsize)
			if flags&0160 == 040 {
				if optlen := u8(b, 9); optlen != 0 {
					p.printf("optlen %d ", optlen)
				}
			}
		case 060:
			p.printf("disconn-initiate %d>%d ", src, dst)
		case 0100:
			p.printf("disconn-confirm %d>%d ", src, dst)
		default:
			p.printf("reserved-ctltype? %x %d > %d", flags, src, dst)
		}
	default:
		p.printf("reserved-type? %x %d > %d", flags, src, dst)
	}
	return true
}

// ipx prints an IPX header's addresses.
func (p *Printer) ipx(b []byte, length int) {
	p.proto = "ipx"
	if !p.opts.Ether {
		p.str("IPX ")
	}
	need(b, 30)
	p.printf("%08x.%s.%04x > ", u32(b, 18), rawEtherAddr(b[22:28]), u16(b, 28))
	p.printf("%08x.%s.%04x: ", u32(b, 6), rawEtherAddr(b[10:16]), u16(b, 16))
	l := int(u16(b, 2)) - 30
	dsock := u16(b, 16)
	switch dsock {
	case 0x0455:
		p.printf("ipx-netbios %d", l)
	case 0x0452:
		p.printf("ipx-sap %d", l)
	case 0x0453:
		p.printf("ipx-rip %d", l)
	default:
		p.printf("ipx-#%x %d", dsock, l)
	}
}

// eapol prints an 802.1X frame header.
func (p *Printer) eapol(b []byte) {
	p.proto = "eap"
	need(b, 4)
	t := b[1]
	p.printf("EAPOL %s (%d) v%d, len %d", tok(map[uint8]string{0: "EAP packet", 1: "start", 2: "logoff", 3: "key", 4: "encap-asf-alert"}, "unknown", t), t, b[0], u16(b, 2))
}

var llcSAPNames = map[uint8]string{0x00: "Null", 0xff: "Global", 0x02: "802.1B I", 0x03: "802.1B G",
	0x06: "IP", 0x04: "SNA", 0x0e: "ProWay NM", 0x42: "STP", 0x4e: "RS511", 0x7e: "ISO8208",
	0x8e: "ProWay", 0xaa: "SNAP", 0xe0: "IPX", 0xf0: "NetBeui", 0xfe: "OSI"}

var llcUFuncs = map[uint16]string{0x03: "ui", 0xe3: "test", 0xaf: "xid", 0x63: "ua", 0x43: "disc",
	0x0f: "dm", 0x6f: "sabme", 0x87: "frmr"}

var llcFlagNames = map[uint16]string{0: "Command", 1: "Response", 0x10: "Poll", 0x11: "Final", 0x100: "Poll", 0x101: "Final"}

// llc prints an 802.2 LLC header and what follows; it returns the header
// length, negative when the payload was not printed.
func (p *Printer) llc(b []byte, length int, src, dst []byte) int {
	p.proto = "llc"
	if len(b) < 3 || length < 3 {
		p.trunc()
		p.defaultPrint(b)
		return min(len(b), length)
	}
	dsapF, ssapF := b[0], b[1]
	ctl := uint16(b[2])
	isU := ctl&3 == 3
	hdr := 3
	if !isU {
		if len(b) < 4 || length < 4 {
			p.trunc()
			p.defaultPrint(b)
			return min(len(b), length)
		}
		ctl = uint16(b[2]) | uint16(b[3])<<8
		hdr = 4
	}
	if ssapF == 0xff && dsapF == 0xff {
		if p.opts.Ether {
			p.str("IPX 802.3: ")
		}
		p.ipx(b, length)
		return 0
	}
	dsap, ssap := dsapF&^1, ssapF&^1
	if p.opts.Ether {
		p.printf("LLC, dsap %s (0x%02x) %s, ssap %s (0x%02x) %s", tok(llcSAPNames, "Unknown", dsap), dsap,
			map[bool]string{false: "Individual", true: "Group"}[dsapF&1 != 0], tok(llcSAPNames, "Unknown", ssap), ssap,
			map[bool]string{false: "Command", true: "Response"}[ssapF&1 != 0])
		if isU {
			p.printf(", ctrl 0x%02x: ", ctl)
		} else {
			p.printf(", ctrl 0x%04x: ", ctl)
		}
	}
	body := b[hdr:]
	length -= hdr
	if ssap == 0xaa && dsap == 0xaa && ctl == 3 {
		if !p.snap(body, length, src, dst) {
			return -(hdr + 5)
		}
		return hdr + 5
	}
	if ssap == 0x42 && dsap == 0x42 && ctl == 3 {
		p.stp(body, length)
		return hdr
	}
	if ssap == 0x06 && dsap == 0x06 && ctl == 3 {
		p.ip4(body, length)
		return hdr
	}
	if ssap == 0xe0 && dsap == 0xe0 && ctl == 3 {
		if p.opts.Ether {
			p.str("IPX 802.2: ")
		}
		p.ipx(body, length)
		return hdr
	}
	if ssap == 0xfe && dsap == 0xfe && ctl == 3 {
		p.isoclns(body, length)
		return hdr
	}
	if !p.opts.Ether {
		if ssap == dsap {
			if src == nil {
				p.printf("%s ", tok(llcSAPNames, "Unknown DSAP 0x%02x", dsap))
			} else {
				p.printf("%s > %s %s ", p.etherAddr(src), p.etherAddr(dst), tok(llcSAPNames, "Unknown DSAP 0x%02x", dsap))
			}
		} else if src == nil {
			p.printf("%s > %s ", tok(llcSAPNames, "Unknown SSAP 0x%02x", ssap), tok(llcSAPNames, "Unknown DSAP 0x%02x", dsap))
		} else {
			p.printf("%s %s > %s %s ", p.etherAddr(src), tok(llcSAPNames, "Unknown SSAP 0x%02x", ssap), p.etherAddr(dst), tok(llcSAPNames, "Unknown DSAP 0x%02x", dsap))
		}
	}
	gsap := uint16(ssapF & 1)
	if isU {
		p.printf("Unnumbered, %s, Flags [%s], length %d", tok(llcUFuncs, "%02x", ctl&0xef), tok(llcFlagNames, "?", gsap|ctl&0x10), length+hdr)
		if ctl&^0x10 == 0xaf {
			if length == 0 {
				return hdr
			}
			if len(body) < 1 {
				p.trunc()
				return hdr
			}
			if body[0] == 0x81 {
				if len(body) < 3 || length < 3 {
					p.trunc()
					p.defaultPrint(body)
				} else {
					p.printf(": %02x %02x", body[1], body[2])
				}
				return hdr
			}
		}
	} else if ctl&3 == 1 {
		p.printf("Supervisory, %s, rcv seq %d, Flags [%s], length %d", tok(map[uint16]string{0: "Receiver Ready", 1: "Receiver not Ready", 2: "Reject"}, "?", (ctl>>2)&3),
			(ctl>>9)&0x7f, tok(llcFlagNames, "?", gsap|ctl&0x100), length+hdr)
		return hdr
	} else {
		p.printf("Information, send seq %d, rcv seq %d, Flags [%s], length %d", (ctl>>1)&0x7f, (ctl>>9)&0x7f,
			tok(llcFlagNames, "?", gsap|ctl&0x100), length+hdr)
	}
	return -hdr
}

// snap prints a SNAP header and its payload; false if nothing decoded it.
func (p *Printer) snap(b []byte, length int, src, dst []byte) bool {
	need(b, 5)
	oui := u24(b, 0)
	et := u16(b, 3)
	ouiName := tok(map[uint32]string{0: "Ethernet", 0xc: "Cisco", 0x80c2: "IEEE 802.1", 0xf8: "Cisco"}, "Unknown", oui)
	if p.opts.Ether {
		p.printf("oui %s (0x%06x), ethertype %s (0x%04x), length %d: ", ouiName, oui, tok(ethertypeNames, "Unknown", et), et, length-5)
	}
	if oui == 0 || oui == 0xf8 {
		if p.etherTypePrint(et, b[5:], length-5, src, dst) {
			return true
		}
	}
	if !p.opts.Ether {
		if src != nil {
			p.printf("%s > %s ", p.etherAddr(src), p.etherAddr(dst))
		}
		p.printf("SNAP, oui %s (0x%06x), ethertype %s (0x%04x), length %d: ", ouiName, oui, tok(ethertypeNames, "Unknown", et), et, length-5)
	}
	return false
}

// stp prints a spanning tree BPDU's first line.
func (p *Printer) stp(b []byte, length int) {
	p.proto = "stp"
	need(b, 4)
	ver := b[2]
	t := b[3]
	switch ver {
	case 0:
		p.str("STP 802.1d")
	case 2:
		p.str("RSTP 802.1w")
	case 3:
		p.str("MSTP 802.1s")
	default:
		p.printf("STP v%d", ver)
	}
	switch t {
	case 0:
		need(b, 35)
		p.printf(", Config, Flags [%s]", bits([]bitName{{0x01, "Topology change"}, {0x02, "Proposal"}, {0x10, "Learn"}, {0x20, "Forward"}, {0x40, "Agreement"}, {0x80, "Topology change ACK"}}, "none", ", ", uint32(b[4])))
		p.printf(", bridge-id %s.%04x", stpBridgeID(b[17:25]), u16(b, 25))
		if p.opts.Verbose == 0 {
			p.printf(", length %d", length)
			return
		}
		p.printf(", length %d", length)
		p.printf("\n\tmessage-age %.2fs, max-age %.2fs, hello-time %.2fs, forwarding-delay %.2fs",
			float64(u16(b, 27))/256, float64(u16(b, 29))/256, float64(u16(b, 31))/256, float64(u16(b, 33))/256)
		p.printf("\n\troot-id %s, root-pathcost %d", stpBridgeID(b[5:13]), u32(b, 13))
	case 0x80:
		p.printf(", Topology Change, length %d", length)
	case 2:
		p.printf(", Rapid STP, length %d", length)
	default:
		p.printf(", unknown type 0x%x", t)
	}
}

func stpBridgeID(b []byte) string {
	return fmt.Sprintf("%04x.%02x:%02x:%02x:%02x:%02x:%02x", uint16(b[0])<<8|uint16(b[1]), b[2], b[3], b[4], b[5], b[6], b[7])
}

// isoclns prints an OSI network layer PDU; IS-IS gets its first line.
func (p *Printer) isoclns(b []byte, length int) {
	p.proto = "isoclns"
	nlpid := u8(b, 0)
	if p.opts.Ether {
		p.printf("OSI NLPID %s (0x%02x): ", tok(map[uint8]string{0x81: "CLNP", 0x82: "ES-IS", 0x83: "IS-IS", 0x00: "NULLNS", 0xcc: "IPv4", 0x8e: "IPv6", 0xcf: "PPP", 0x08: "Q.933"}, "Unknown", nlpid), nlpid)
	}
	switch nlpid {
	case 0x83:
		p.isis(b, length)
	case 0x81:
		p.printf("CLNP, length %d", length)
	case 0x82:
		p.printf("ES-IS, length %d", length)
	default:
		if !p.opts.Ether {
			p.printf("OSI NLPID 0x%02x unknown", nlpid)
		}
		p.printf("%slength: %d", map[bool]string{false: ", "}[p.opts.Ether], length)
		if length > 1 {
			p.unknownData("\n\t", b, length)
		}
	}
}

func sysID(b []byte) string {
	return fmt.Sprintf("%02x%02x.%02x%02x.%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5])
}

// isisID formats a system (6 bytes), node (7) or LSP (8) identifier.
func isisID(b []byte) string {
	need(b, len(b))
	s := sysID(b)
	if len(b) >= 7 {
		s += fmt.Sprintf(".%02x", b[6])
	}
	if len(b) == 8 {
		s += fmt.Sprintf("-%02x", b[7])
	}
	return s
}

var isisTLVNames = map[uint8]string{1: "Area address(es)", 2: "IS Reachability", 3: "ES Neighbor(s)", 4: "Partition DIS",
	5: "Prefix Neighbors", 6: "IS Neighbor(s)", 7: "Instance Identifier", 8: "Padding", 9: "LSP entries",
	10: "Authentication", 12: "Checksum", 13: "Purge Originator Identifier", 14: "LSP Buffersize",
	22: "Extended IS Reachability", 24: "IS Alias ID", 42: "DECnet Phase IV", 66: "Lucent Proprietary",
	128: "IPv4 Internal Reachability", 129: "Protocols supported", 130: "IPv4 External Reachability",
	131: "Inter-Domain Information Type", 132: "IPv4 Interface address(es)", 133: "IPv4 authentication (deprecated)",
	134: "Traffic Engineering Router ID", 135: "Extended IPv4 Reachability", 137: "Hostname",
	138: "Shared Risk Link Group", 143: "Multi-Topology-Aware Port Capability", 144: "Multi-Topology Capability",
	176: "Nortel Proprietary", 177: "Nortel Proprietary", 211: "Restart Signaling",
	222: "Multi Topology IS Reachability", 229: "Multi Topology", 232: "IPv6 Interface address(es)",
	235: "Multi-Topology IPv4 Reachability", 236: "IPv6 reachability", 237: "Multi-Topology IP6 Reachability",
	240: "Point-to-point Adjacency State", 241: "Hello PDU Sequence Number", 242: "IS-IS Router Capability",
	250: "Vendor Private"}

var nlpidNames = map[uint8]string{0x81: "CLNP", 0x82: "ES-IS", 0x83: "IS-IS", 0x00: "NULLNS", 0xcc: "IPv4",
	0x8e: "IPv6", 0xcf: "PPP", 0x08: "Q.933", 0x80: "IEEE 802.1Q"}

// osiCksum is the Fletcher checksum IS-IS LSPs carry, computed with the
// checksum field (at off) taken as zero.
func osiCksum(b []byte, off int) uint16 {
	var c0, c1 uint32
	for i, v := range b {
		if i != off && i != off+1 {
			c0 += uint32(v)
		}
		c1 += c0
	}
	c0 %= 255
	c1 %= 255
	mul := int(len(b)-off) * int(c0)
	x := mul - int(c0) - int(c1)
	y := int(c1) - mul - 1
	if y >= 0 {
		y++
	}
	if x < 0 {
		x--
	}
	x %= 255
	y %= 255
	if x == 0 {
		x = 255
	}
	if y == 0 {
		y = 255
	}
	return uint16(x&0xff)<<8 | uint16(y&0xff)
}

func isisMetric(v uint8) string {
	return fmt.Sprintf("%d, %s", v&0x3f, map[bool]string{true: "External", false: "Internal"}[v&0x40 != 0])
}

// isis prints an IS-IS PDU: its first line, and under -v its header
// fields and TLVs (the ones tcpdump decodes that IS-IS routers commonly
// send).
func (p *Printer) isis(b []byte, length int) {
	p.proto = "isis"
	need(b, 8)
	t := b[4] & 0x1f
	sep := ", "
	if p.opts.Ether {
		sep = ""
	} else {
		p.str("IS-IS")
	}
	names := map[uint8]string{15: "L1 Lan IIH", 16: "L2 Lan IIH", 17: "p2p IIH", 18: "L1 LSP", 20: "L2 LSP", 24: "L1 CSNP", 25: "L2 CSNP", 26: "L1 PSNP", 27: "L2 PSNP"}
	fixed := int(b[1])
	idLen := int(b[3])
	switch idLen {
	case 0:
		idLen = 6
	case 255:
		idLen = 0
	}
	maxArea := int(b[7])
	if maxArea == 0 {
		maxArea = 3
	}
	if b[2] != 1 {
		p.printf("version %d packet not supported", b[2])
		return
	}
	if idLen != 6 {
		p.printf("bad packet -- illegal sys-ID length (%d)", idLen)
		return
	}
	if p.opts.Verbose == 0 {
		p.printf("%s%s", sep, tok(names, "unknown PDU-Type %d", t))
	} else {
		p.printf("%slength %d", sep, length)
		p.printf("\n\t%s, hlen: %d, v: %d, pdu-v: %d, sys-id-len: %d (%d), max-area: %d (%d)",
			tok(names, "unknown, type %d", t), fixed, b[2], b[5], idLen, b[3], maxArea, b[7])
		if p.opts.Verbose > 1 {
			p.hex("\n\t", b[:8], 0)
		}
	}
	h := from(b, 8)
	hdrSize := map[uint8]int{15: 19, 16: 19, 17: 12, 18: 19, 20: 19, 24: 25, 25: 25, 26: 9, 27: 9}[t]
	if hdrSize == 0 {
		if p.opts.Verbose == 0 {
			p.printf(", length %d", length)
			return
		}
		p.unknownData("\n\t  ", b, length)
		return
	}
	if fixed != 8+hdrSize {
		p.printf(", bogus fixed header length %d should be %d", fixed, 8+hdrSize)
		return
	}
	need(h, hdrSize)
	if length < 8+hdrSize {
		p.trunc()
		return
	}
	if p.opts.Verbose == 0 {
		switch t {
		case 15, 16:
			p.printf(", src-id %s, lan-id %s, prio %d", isisID(h[1:7]), isisID(h[12:19]), h[11])
		case 17:
			p.printf(", src-id %s", isisID(h[1:7]))
		case 18, 20:
			p.printf(", lsp-id %s, seq 0x%08x, lifetime %5ds", isisID(h[4:12]), u32(h, 12), u16(h, 2))
		default:
			p.printf(", src-id %s", isisID(h[2:9]))
		}
		p.printf(", length %d", length)
		return
	}
	circuit := map[uint8]string{1: "Level 1 only", 2: "Level 2 only", 3: "Level 1, Level 2"}
	var pduLen int
	switch t {
	case 15, 16:
		pduLen = int(u16(h, 9))
		p.printf("\n\t  source-id: %s,  holding time: %ds, Flags: [%s]", isisID(h[1:7]), u16(h, 7), tok(circuit, "unknown circuit type 0x%02x", h[0]))
		p.printf("\n\t  lan-id:    %s, Priority: %d, PDU length: %d", isisID(h[12:19]), h[11]&0x7f, pduLen)
	case 17:
		pduLen = int(u16(h, 9))
		p.printf("\n\t  source-id: %s, holding time: %ds, Flags: [%s]", isisID(h[1:7]), u16(h, 7), tok(circuit, "unknown circuit type 0x%02x", h[0]))
		p.printf("\n\t  circuit-id: 0x%02x, PDU length: %d", h[11], pduLen)
	case 18, 20:
		pduLen = int(u16(h, 0))
		if length > pduLen {
			length = pduLen
		}
		ck := u16(h, 16)
		p.printf("\n\t  lsp-id: %s, seq: 0x%08x, lifetime: %5ds\n\t  chksum: 0x%04x", isisID(h[4:12]), u32(h, 12), u16(h, 2), ck)
		lsp := from(b, 12)
		switch {
		case ck == 0 || length-12 < 14 || len(lsp) < length-12:
			p.str(" (unverified)")
		default:
			if c := osiCksum(lsp[:length-12], 12); c == ck {
				p.str(" (correct)")
			} else {
				p.printf(" (incorrect should be 0x%04x)", c)
			}
		}
		tb := h[18]
		p.printf(", PDU length: %d, Flags: [ ", pduLen)
		if tb&4 != 0 {
			p.str("Overload bit set, ")
		}
		if tb&0x78 != 0 {
			for _, f := range []struct {
				bit  uint8
				name string
			}{{8, "default "}, {0x10, "delay "}, {0x20, "expense "}, {0x40, "error "}} {
				if tb&f.bit != 0 {
					p.str(f.name)
				}
			}
			p.str("ATT bit set, ")
		}
		if tb&0x80 != 0 {
			p.str("P bit set, ")
		}
		p.printf("%s ]", []string{"Unused 0x0 (invalid)", "L1 IS", "Unused 0x2 (invalid)", "L2 IS"}[tb&3])
	case 24, 25:
		pduLen = int(u16(h, 0))
		p.printf("\n\t  source-id:    %s, PDU length: %d", isisID(h[2:9]), pduLen)
		p.printf("\n\t  start lsp-id: %s", isisID(h[9:17]))
		p.printf("\n\t  end lsp-id:   %s", isisID(h[17:25]))
	case 26, 27:
		pduLen = int(u16(h, 0))
		p.printf("\n\t  source-id:    %s, PDU length: %d", isisID(h[2:9]), pduLen)
	}
	if t != 18 && t != 20 && length > pduLen {
		length = pduLen
	}
	if p.opts.Verbose > 1 {
		p.hex("\n\t  ", h[:hdrSize], 0)
	}
	rest := length - 8 - hdrSize
	tl := from(b, 8+hdrSize)
	for rest > 0 {
		if len(tl) < 2 || rest < 2 {
			p.trunc()
			return
		}
		tt, tlen := tl[0], int(tl[1])
		tl = tl[2:]
		rest -= 2
		p.printf("\n\t    %s TLV #%d, length: %d", tok(isisTLVNames, "unknown", tt), tt, tlen)
		if rest < tlen {
			p.trunc()
			return
		}
		need(tl, tlen)
		p.isisTLV(tt, tl[:tlen])
		if p.opts.Verbose > 1 {
			p.hex("\n\t      ", tl[:tlen], 0)
		}
		tl = tl[tlen:]
		rest -= tlen
	}
}

// isisTLV prints one TLV's value.
func (p *Printer) isisTLV(t uint8, v []byte) {
	switch t {
	case 1:
		for len(v) > 0 {
			al := int(v[0])
			v = v[1:]
			if len(v) < al {
				return
			}
			s := ""
			for i := 0; i < al; i++ {
				s += fmt.Sprintf("%02x", v[i])
				if i&1 == 0 && i+1 < al {
					s += "."
				}
			}
			p.printf("\n\t      Area address (length: %d): %s", al, s)
			v = v[al:]
		}
	case 2:
		if len(v) < 1 {
			return
		}
		p.printf("\n\t      %s", tok(map[uint8]string{0: "IsNotVirtual", 1: "IsVirtual"}, "bogus virtual flag 0x%02x", v[0]))
		v = v[1:]
		for len(v) >= 11 {
			p.printf("\n\t      IS Neighbor: %s, Default Metric: %s", isisID(v[4:11]), isisMetric(v[0]))
			for i, n := range []string{"Delay", "Expense", "Error"} {
				if v[1+i]&0x80 == 0 {
					p.printf("\n\t\t  %s Metric: %s", n, isisMetric(v[1+i]))
				}
			}
			v = v[11:]
		}
	case 6:
		for len(v) >= 6 {
			p.printf("\n\t      SNPA: %s", isisID(v[:6]))
			v = v[6:]
		}
	case 8:
	case 9:
		for len(v) >= 16 {
			p.printf("\n\t      lsp-id: %s, seq: 0x%08x, lifetime: %5ds, chksum: 0x%04x", isisID(v[2:10]), u32(v, 10), u16(v, 0), u16(v, 14))
			v = v[16:]
		}
	case 128, 130:
		for len(v) >= 12 {
			mask := u32(v, 8)
			plen := -1
			for i := 0; i <= 32; i++ {
				if mask == ^uint32(0)<<(32-i) || (i == 0 && mask == 0) {
					plen = i
					break
				}
			}
			if plen < 0 {
				p.printf("\n\t      IPv4 prefix: %s mask %s", p.addr4(v, 4), p.addr4(v, 8))
			} else {
				p.printf("\n\t      IPv4 prefix: %15s/%d", p.addr4(v, 4), plen)
			}
			p.printf(", Distribution: %s, Metric: %d, %s", map[bool]string{true: "down", false: "up"}[v[0]&0x80 != 0], v[0]&0x3f,
				map[bool]string{true: "External", false: "Internal"}[v[0]&0x40 != 0])
			for i, n := range []string{"Delay", "Expense", "Error"} {
				if v[1+i]&0x80 == 0 {
					p.printf("\n\t        %s Metric: %s", n, isisMetric(v[1+i]))
				}
			}
			v = v[12:]
		}
	case 129:
		p.str("\n\t      NLPID(s): ")
		for i, c := range v {
			p.printf("%s (0x%02x)", tok(nlpidNames, "unknown", c), c)
			if i+1 < len(v) {
				p.str(", ")
			}
		}
	case 132:
		for len(v) >= 4 {
			p.printf("\n\t      IPv4 interface address: %s", p.addr4(v, 0))
			v = v[4:]
		}
	case 232:
		for len(v) >= 16 {
			p.printf("\n\t      IPv6 interface address: %s", p.addr6(v, 0))
			v = v[16:]
		}
	case 137:
		p.str("\n\t      Hostname: ")
		p.printn(v)
	case 211:
		if len(v) < 1 {
			return
		}
		p.printf("\n\t      Flags [%s]", bits([]bitName{{1, "Restart Request"}, {2, "Restart Acknowledgement"}, {4, "Suppress adjacency advertisement"}}, "none", ", ", uint32(v[0])))
		v = v[1:]
		if len(v) < 2 {
			return
		}
		p.printf(", Remaining holding time %ds", u16(v, 0))
		v = v[2:]
		if len(v) == 6 {
			p.printf(", for %s", isisID(v))
		}
	case 240:
		if len(v) >= 1 {
			p.printf("\n\t      Adjacency State: %s (%d)", tok(map[uint8]string{0: "Up", 1: "Initializing", 2: "Down"}, "unknown", v[0]), v[0])
			v = v[1:]
		}
		if len(v) > 4 {
			p.printf("\n\t      Extended Local circuit-ID: 0x%08x", u32(v, 0))
			v = v[4:]
		}
		if len(v) >= 6 {
			p.printf("\n\t      Neighbor System-ID: %s", isisID(v[:6]))
			v = v[6:]
		}
		if len(v) >= 4 {
			p.printf("\n\t      Neighbor Extended Local circuit-ID: 0x%08x", u32(v, 0))
		}
	default:
		if p.opts.Verbose <= 1 {
			p.unknownData("\n\t\t", v, len(v))
		}
	}
}

// arcnetLinux prints a Linux ARCNET header (DLT_ARCNET_LINUX).
func (p *Printer) arcnetLinux(b []byte, length int) int {
	p.proto = "arcnet_linux"
	if len(b) < 5 {
		panic(truncated{})
	}
	t := b[4]
	hdr := 8
	switch t {
	case 240, 241, 0x80:
		hdr = 5
	default:
		if len(b) < 8 {
			panic(truncated{})
		}
	}
	if p.opts.Ether {
		p.proto = "arcnet"
		if p.opts.Quiet {
			p.printf("%02x %02x %d: ", b[0], b[1], length)
		} else {
			// tcpdump reads the type where the generic ARCNET header
			// has it, the third byte, which in the Linux header is
			// part of the offset.
			name := tok(map[uint8]string{240: "oldip", 241: "oldarp", 212: "ip", 213: "arp", 214: "rarp", 221: "atalk", 247: "banyan", 250: "ipx", 0xc4: "ipv6", 0x80: "diag"}, "%02x", b[2])
			p.printf("%02x %02x %s %d: ", b[0], b[1], name, length)
		}
	}
	body := b[hdr:]
	l := length - hdr
	switch t {
	case 240, 212:
		p.ip4(body, l)
	case 0xc4:
		p.ip6(body, l)
	case 241, 213, 214:
		p.arp(body, l)
	case 250:
		p.ipx(body, l)
	default:
		// tcpdump dumps an unknown ARCNET payload even with -x or -q.
		p.hexASCII("\n\t", body, 0)
	}
	return hdr
}

// brcmTag prints a Broadcom switch tag.
func (p *Printer) brcmTag(b []byte) {
	need(b, 4)
	if b[0] != 0 {
		p.str("BRCM tag OP: IG")
	} else {
		p.str("BRCM tag OP: EG")
	}
	if b[0]&(1<<5) != 0 {
		p.printf(", TC: %d", (b[1]>>2)&7)
		p.printf(", TE: %s", []string{"None", "Untag", "Header", "Reserved"}[b[1]&3])
		p.printf(", TS: %d", b[1]>>7)
		p.printf(", DST map: 0x%04x", u16(b, 2)&0x1ff)
	} else {
		p.printf(", CID: %d", b[1])
		p.printf(", RC: %s", tok(map[uint8]string{1: "mirror", 2: "MAC learning", 4: "switching", 8: "prot term", 16: "prot snoop", 32: "exception"}, "reserved", b[2]))
		p.printf(", TC: %d", (b[3]>>5)&7)
		p.printf(", port: %d", b[3]&0x1f)
	}
	p.str(", ")
}

// dsaTag prints a Marvell DSA tag.
func (p *Printer) dsaTag(b []byte) {
	need(b, 4)
	mode := b[0] >> 6
	dev, port := b[0]&0x1f, (b[1]&0xf8)>>3
	trunk := b[1]&0x04 != 0
	tagged := b[0]&0x20 != 0
	vid := uint16(b[2]&0x0f)<<8 | uint16(b[3])
	if p.opts.Ether {
		p.str("Marvell DSA ")
		p.printf("mode %s, ", []string{"To CPU", "From CPU", "To Sniffer", "Forward"}[mode])
		switch mode {
		case 3:
			p.printf("dev %d, %s %d, ", dev, map[bool]string{true: "trunk", false: "port"}[trunk], port)
		case 1:
			p.printf("target dev %d, port %d, ", dev, port)
		case 0:
			p.printf("source dev %d, port %d, ", dev, port)
			code := (b[1]&0x06)>>1<<1 | (b[2]&0x10)>>4
			p.printf("code %s, ", tok(map[uint8]string{0: "BPDU (MGMT) Trap", 1: "Frame2Reg", 2: "IGMP/MLD Trap", 3: "Policy Trap", 4: "ARP Mirror", 5: "Policy Mirror"}, "reserved", code))
		case 2:
			p.printf("source dev %d, port %d, ", dev, port)
			p.printf("%s sniff, ", map[bool]string{true: "ingress", false: "egress"}[trunk])
		}
		p.printf("%s, ", map[bool]string{true: "tagged", false: "untagged"}[tagged])
		if b[1]&1 != 0 {
			p.str("CFI, ")
		}
		p.printf("VID %d, ", vid)
		p.printf("FPri %d, ", b[2]>>5)
		return
	}
	p.str("DSA ")
	switch mode {
	case 3:
		p.printf("Forward %s %d.%d, ", map[bool]string{true: "trunk", false: "port"}[trunk], dev, port)
	case 1:
		p.printf("CPU > port %d.%d, ", dev, port)
	case 0:
		p.printf("port %d.%d > CPU, ", dev, port)
	case 2:
		p.printf("port %d.%d > %s Sniffer, ", dev, port, map[bool]string{true: "Rx", false: "Tx"}[trunk])
	}
	p.printf("VLAN %d%s, ", vid, map[bool]string{true: "t", false: "u"}[tagged])
}

// slip prints a SLIP pseudo-header (with -e, the direction and the
// Van Jacobson compression state) and the IP packet after it.
func (p *Printer) slip(b []byte, length int) int {
	p.proto = "slip"
	need(b, 16)
	length -= 16
	ip := b[16:]
	if p.opts.Ether {
		p.slipLink(b, ip, length)
	}
	switch u8(ip, 0) >> 4 {
	case 4:
		p.ip4(ip, length)
	case 6:
		p.ip6(ip, length)
	default:
		p.printf("ip v%d", ip[0]>>4)
	}
	return 16
}

// tcpHdrWords is the length in 32-bit words of an IP header and the TCP
// header after it, as tcpdump's SLIP printer computes it.
func tcpHdrWords(ip []byte) int {
	need(ip, 20)
	hl := int(ip[0] & 0xf)
	need(ip, hl*4+20)
	return hl + int(ip[hl*4+12]>>4)
}

func (p *Printer) slipLink(b, ip []byte, length int) {
	dir := int(b[0])
	switch dir {
	case 0:
		p.str("I ")
	case 1:
		p.str("O ")
	default:
		p.printf("Invalid direction %d ", dir)
		dir = -1
	}
	chdr := b[1:]
	switch chdr[0] & 0xf0 {
	case 0x40:
		p.printf("ip %d: ", length+16)
	case 0x70:
		p.slipConn = int(u8(chdr, 9))
		p.printf("utcp %d: ", p.slipConn)
		if dir == -1 {
			return
		}
		p.slipLen[dir][p.slipConn] = length - tcpHdrWords(ip)*4
	default:
		if dir == -1 {
			return
		}
		if chdr[0]&0x80 == 0 {
			p.printf("slip-%d!: ", chdr[0])
			return
		}
		flags := chdr[0]
		cp := 1
		if flags&0x40 != 0 {
			p.slipConn = int(u8(chdr, cp))
			cp++
			p.printf("ctcp %d", p.slipConn)
		} else {
			p.str("ctcp *")
		}
		cp += 2
		change := func(str string) {
			v := int(u8(chdr, cp))
			cp++
			if v == 0 {
				v = int(u16(chdr, cp))
				cp += 2
			}
			p.printf(" %s%d", str, v)
		}
		switch flags & 0x0f {
		case 0x0b:
			p.printf(" *SA+%d", p.slipLen[dir][p.slipConn])
		case 0x0f:
			p.printf(" *S+%d", p.slipLen[dir][p.slipConn])
		default:
			if flags&0x01 != 0 {
				change("U=")
			}
			if flags&0x02 != 0 {
				v := int(int8(u8(chdr, cp)))
				cp++
				if v == 0 {
					v = int(int16(u16(chdr, cp)))
					cp += 2
				}
				if v >= 0 {
					p.printf(" W+%d", v)
				} else {
					p.printf(" W%d", v)
				}
			}
			if flags&0x04 != 0 {
				change("A+")
			}
			if flags&0x08 != 0 {
				change("S+")
			}
		}
		if flags&0x20 != 0 {
			change("I+")
		}
		p.slipLen[dir][p.slipConn] = length - tcpHdrWords(ip)*4
		p.printf(" %d (%d): ", p.slipLen[dir][p.slipConn], cp)
	}
}

// chdlc prints a Cisco HDLC frame.
func (p *Printer) chdlc(b []byte, length int) int {
	p.proto = "chdlc"
	need(b, 4)
	addr := b[0]
	proto := u16(b, 2)
	if p.opts.Ether {
		p.printf("%s, ethertype %s (0x%04x), length %d: ", tok(map[uint8]string{0x0f: "unicast", 0x8f: "bcast"}, "0x%02x", addr), tok(ethertypeNames, "Unknown", proto), proto, length)
	}
	body := b[4:]
	switch proto {
	case 0x0800:
		p.ip4(body, length-4)
	case 0x86dd:
		p.ip6(body, length-4)
	case 0xfefe:
		p.isoclns(body[1:], length-5)
	case 0x8847, 0x8848:
		p.mpls(body, length-4)
	default:
		if !p.opts.Ether {
			p.printf("unknown CHDLC protocol (0x%04x)", proto)
		}
	}
	return 4
}

func (p *Printer) bootpVerbose(b []byte, length int) {
	need(b, 12)
	htype, hlen := b[1], b[2]
	if htype != 1 {
		p.printf(", htype %d", htype)
	}
	if htype != 1 || hlen != 6 {
		p.printf(", hlen %d", hlen)
	}
	if b[3] != 0 {
		p.printf(", hops %d", b[3])
	}
	if x := u32(b, 4); x != 0 {
		p.printf(", xid 0x%x", x)
	}
	if s := u16(b, 8); s != 0 {
		p.printf(", secs %d", s)
	}
	fl := u16(b, 10)
	p.printf(", Flags [%s]", bits([]bitName{{0x8000, "Broadcast"}}, "none", ", ", uint32(fl)))
	if p.opts.Verbose > 1 {
		p.printf(" (0x%04x)", fl)
	}
	for _, a := range []struct {
		off  int
		name string
	}{{12, "Client-IP"}, {16, "Your-IP"}, {20, "Server-IP"}, {24, "Gateway-IP"}} {
		if u32(b, a.off) != 0 {
			p.printf("\n\t  %s %s", a.name, p.addr4(b, a.off))
		}
	}
	if htype == 1 && hlen == 6 {
		p.printf("\n\t  Client-Ethernet-Address %s", p.etherAddr(b[28:34]))
	}
	for _, f := range []struct {
		off, n int
		name   string
	}{{44, 64, "sname"}, {108, 128, "file"}} {
		if u8(b, f.off) != 0 {
			p.printf("\n\t  %s \"", f.name)
			z := from(b, f.off)
			z = z[:min(len(z), f.n)]
			for _, c := range z {
				if c == 0 {
					break
				}
				p.charEsc(c)
			}
			p.str("\"")
		}
	}
	switch v := u32(b, 236); v {
	case 0x63825363:
		p.rfc1048(b[236:])
	case 0x434d5500:
		p.str("\n\t  Vendor-#0x434d5500")
	default:
		if v != 0 {
			p.printf("\n\t  Vendor-#0x%x", v)
		}
	}
}

var dhcpMsgNames = map[uint8]string{1: "Discover", 2: "Offer", 3: "Request", 4: "Decline", 5: "ACK", 6: "NACK",
	7: "Release", 8: "Inform", 10: "LeaseQuery", 11: "LeaseUnassigned", 12: "LeaseUnknown", 13: "LeaseActive"}

// rfc1048 prints DHCP options as tcpdump's rfc1048_print does.
func (p *Printer) rfc1048(b []byte) {
	p.str("\n\t  Vendor-rfc1048 Extensions")
	p.printf("\n\t    Magic Cookie 0x%08x", u32(b, 0))
	i := 4
	for i < len(b) {
		tag := b[i]
		i++
		if tag == 0 && p.opts.Verbose < 3 {
			continue
		}
		if tag == 255 && p.opts.Verbose < 3 {
			return
		}
		name := tok(bootpTags, "?Unknown", tag)
		c := name[0]
		name = name[1:]
		l := 0
		if tag != 0 && tag != 255 {
			l = int(u8(b, i))
			i++
		}
		p.printf("\n\t    %s (%d), length %d%s", name, tag, l, map[bool]string{true: ": "}[l > 0])
		if tag == 0 && p.opts.Verbose > 2 {
			n := 1
			for i < len(b) && b[i] == 0 {
				i++
				n++
			}
			if n > 1 {
				p.printf(", occurs %d", n)
			}
		}
		need(b, i+l)
		v := b[i : i+l]
		i += l
		if tag == 53 && l == 1 {
			p.str(tok(dhcpMsgNames, "Unknown (%d)", v[0]))
			continue
		}
		if tag == 55 {
			for k, t := range v {
				if k%4 == 0 {
					p.str("\n\t      ")
				} else {
					p.str(", ")
				}
				p.printf("%s (%d)", tok(bootpTags, "?Unknown", t)[1:], t)
			}
			continue
		}
		if c == '?' {
			switch {
			case l&1 != 0:
				c = 'b'
			case l&2 != 0:
				c = 's'
			default:
				c = 'l'
			}
		}
		first := true
		sep := func(s string) {
			if !first {
				p.str(s)
			}
			first = false
		}
		switch c {
		case 'a':
			p.str("\"")
			p.printn(v)
			p.str("\"")
			v = nil
		case 'i', 'l', 'L':
			for len(v) >= 4 {
				sep(",")
				switch c {
				case 'i':
					p.str(p.addr4(v, 0))
				case 'L':
					p.printf("%d", int32(u32(v, 0)))
				default:
					p.printf("%d", u32(v, 0))
				}
				v = v[4:]
			}
		case 'p':
			for len(v) >= 8 {
				sep(",")
				p.printf("(%s:%s)", p.addr4(v, 0), p.addr4(v, 4))
				v = v[8:]
			}
		case 's':
			for len(v) >= 2 {
				sep(",")
				p.printf("%d", u16(v, 0))
				v = v[2:]
			}
		case 'B':
			for len(v) > 0 {
				sep(",")
				switch v[0] {
				case 0:
					p.str("N")
				case 1:
					p.str("Y")
				default:
					p.printf("%d?", v[0])
				}
				v = v[1:]
			}
		case '$':
			v = p.dhcpSpecial(tag, v)
		default:
			for len(v) > 0 {
				if c == 'x' {
					sep(":")
					p.printf("%02x", v[0])
				} else {
					sep(".")
					p.printf("%d", v[0])
				}
				v = v[1:]
			}
		}
		if len(v) > 0 {
			p.printf("\n\t  trailing data length %d", len(v))
		}
	}
}

// dhcpSpecial prints the options tcpdump decodes specially; it returns
// what it left unprinted.
func (p *Printer) dhcpSpecial(tag uint8, v []byte) []byte {
	switch tag {
	case 46, 52:
		if len(v) < 1 {
			p.str("[ERROR: length < 1 bytes]")
			return v
		}
		var names map[uint8]string
		if tag == 46 {
			names = map[uint8]string{1: "b-node", 2: "p-node", 4: "m-node", 8: "h-node"}
		} else {
			names = map[uint8]string{1: "file", 2: "sname", 3: "file+sname"}
		}
		p.str(names[v[0]])
		return v[1:]
	case 61:
		if len(v) < 1 {
			p.str("[ERROR: length < 1 bytes]")
			return v
		}
		t := v[0]
		v = v[1:]
		if t == 0 {
			p.str("\"")
			p.printn(v)
			p.str("\"")
			return nil
		}
		p.printf("%s ", tok(map[uint8]string{1: "ether", 6: "IEEE802", 7: "ARCNET", 15: "FRELAY", 19: "ATM", 24: "IEEE1394", 32: "INFINIBAND"}, "hardware-type %d,", t))
		for k, c := range v {
			if k > 0 {
				p.str(":")
			}
			p.printf("%02x", c)
		}
		return nil
	case 77:
		if len(v) < 2 {
			p.str("[ERROR: length < 2 bytes]")
			return nil
		}
		n := 1
		for len(v) > 0 {
			sl := int(v[0])
			v = v[1:]
			p.printf("\n\t      instance#%d: ", n)
			if sl == 0 {
				p.str("[ERROR: suboption length must be non-zero]")
				return nil
			}
			if len(v) < sl {
				p.str("[ERROR: invalid option]")
				return nil
			}
			p.str("\"")
			p.printn(v[:sl])
			p.printf("\", length %d", sl)
			v = v[sl:]
			n++
		}
		return nil
	case 82:
		for len(v) >= 2 {
			st, sl := v[0], int(v[1])
			v = v[2:]
			name := tok(map[uint8]string{1: "Circuit-ID", 2: "Remote-ID", 6: "Subscriber-ID"}, "Unknown", st)
			if sl > len(v) {
				p.printf("\n\t      %s SubOption %d, length %d: length goes past end of option", name, st, sl)
				return nil
			}
			p.printf("\n\t      %s SubOption %d, length %d: ", name, st, sl)
			if st == 6 {
				p.printn(v[:sl])
			} else {
				p.hexASCII("\n\t\t", v[:sl], 0)
			}
			v = v[sl:]
		}
		return v
	}
	p.printf("[unknown special tag %d, size %d]", tag, len(v))
	return nil
}

func (p *Printer) ntpTime(b []byte, length int) {
	need(b, 48)
	p.printf("\n\tLeap indicator: %s, Stratum %d", []string{"", " +1s", " -1s", "clock unsynchronized"}[b[0]>>6], b[1])
}
