package tcpdump

import (
	"fmt"
	"net/netip"
	"strings"
)

var dnsOps = []string{"", " inv_q", " stat", " op3", " notify", " update", " op6", " op7",
	" op8", " updateA", " updateD", " updateDA", " updateM", " updateMA", " zoneInit", " zoneRef"}

var dnsRcodes = []string{"", " FormErr", " ServFail", " NXDomain", " NotImp", " Refused",
	" YXDomain", " YXRRSet", " NXRRSet", " NotAuth", " NotZone", " Resp11", " Resp12",
	" Resp13", " Resp14", " NoChange", " BadVers", "Resp17", " Resp18", " Resp19", " Resp20",
	"Resp21", " Resp22", " BadCookie"}

var dnsTypes = map[uint16]string{1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB",
	8: "MG", 9: "MR", 10: "NULL", 11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO", 15: "MX",
	16: "TXT", 17: "RP", 18: "AFSDB", 19: "X25", 20: "ISDN", 21: "RT", 22: "NSAP", 23: "NSAP_PTR",
	24: "SIG", 25: "KEY", 26: "PX", 27: "GPOS", 28: "AAAA", 29: "LOC", 30: "NXT", 31: "EID",
	32: "NIMLOC", 33: "SRV", 34: "ATMA", 35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6", 39: "DNAME",
	40: "SINK", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP", 45: "IPSECKEY", 46: "RRSIG",
	47: "NSEC", 48: "DNSKEY", 49: "DHCID", 50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA",
	55: "HIP", 59: "CDS", 60: "CDNSKEY", 61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 64: "SVCB",
	65: "HTTPS", 99: "SPF", 100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC", 104: "NID",
	105: "L32", 106: "L64", 107: "LP", 108: "EUI48", 109: "EUI64", 249: "TKEY", 250: "TSIG",
	251: "IXFR", 252: "AXFR", 253: "MAILB", 254: "MAILA", 255: "ANY", 256: "URI", 257: "CAA",
	32768: "TA", 32769: "DLV"}

var dnsClasses = map[uint16]string{1: "IN", 3: "CHAOS", 4: "HS", 255: "ANY"}

// dnsSkip skips a name, returning the offset after it or -1.
func dnsSkip(m []byte, i int) int {
	for {
		if i >= len(m) {
			return -1
		}
		l := int(m[i])
		i++
		switch l & 0xc0 {
		case 0xc0:
			return i + 1
		case 0x40:
			if l == 0x41 { // bit label
				if i >= len(m) {
					return -1
				}
				bl := int(m[i])
				if bl == 0 {
					bl = 256
				}
				i += 1 + (bl+7)/8
				continue
			}
			return -1
		case 0x80:
			return -1
		}
		if l == 0 {
			return i
		}
		i += l
	}
}

// dnsName prints the name at m[i:], returning the offset after it, or -1.
func (p *Printer) dnsName(m []byte, i int) int {
	if i >= len(m) {
		return -1
	}
	l := int(m[i])
	maxOff := i
	rp := -1
	compressed := false
	i++
	if l&0xc0 != 0xc0 {
		rp = i + l
	}
	if l == 0 {
		p.str(".")
		return i
	}
	chars := 0
	for l != 0 && i < len(m) {
		switch l & 0xc0 {
		case 0xc0:
			if !compressed {
				rp = i + 1
				compressed = true
			}
			if i >= len(m) {
				return -1
			}
			off := (l<<8 | int(m[i])) & 0x3fff
			if off >= maxOff {
				p.str("<BAD PTR>")
				return -1
			}
			maxOff = off
			i = off
			if i >= len(m) {
				return -1
			}
			l = int(m[i])
			i++
			continue
		case 0x40:
			p.printf("<ELT %d>", l&0x3f)
			return -1
		case 0x80:
			p.str("<BAD LABEL TYPE>")
			return -1
		}
		if i+l > len(m) {
			return -1
		}
		if chars+l <= 255 {
			p.printn(m[i : i+l])
		} else if chars < 255 {
			p.printn(m[i : i+255-chars])
		}
		chars += l
		i += l
		if chars <= 255 {
			p.str(".")
		}
		chars++
		if i >= len(m) {
			return -1
		}
		l = int(m[i])
		if !compressed {
			rp = i + 1
		}
		i++
	}
	return rp
}

// printn prints bytes as tcpdump's nd_printn: non-printable ones as
// escapes.
func (p *Printer) printn(b []byte) {
	for _, c := range b {
		p.charEsc(c)
	}
}

func (p *Printer) charEsc(c byte) {
	if c >= 0x80 {
		p.str("M-")
		c &= 0x7f
	}
	if !isPrint(c) {
		c ^= 0x40
		p.str("^")
	}
	p.b = append(p.b, c)
}

func (p *Printer) dnsQuestion(m []byte, i int, mdns bool) int {
	e := dnsSkip(m, i)
	if e < 0 || e+4 > len(m) {
		return -1
	}
	t, c := u16(m, e), u16(m, e+2)
	p.printf(" %s", tok(dnsTypes, "Type%d", t))
	class := c
	if mdns {
		class &^= 0x8000
	}
	if class != 1 {
		p.printf(" %s", tok(dnsClasses, "(Class %d)", class))
	}
	if mdns {
		if c&0x8000 != 0 {
			p.str(" (QU)")
		} else {
			p.str(" (QM)")
		}
	}
	p.str("? ")
	if p.dnsName(m, i) < 0 {
		return -1
	}
	return e + 4
}

func (p *Printer) dnsRR(m []byte, i int, mdns bool) int {
	if p.opts.Verbose > 0 {
		p.str(" ")
		if i = p.dnsName(m, i); i < 0 {
			return -1
		}
	} else {
		i = dnsSkip(m, i)
	}
	if i < 0 || i+10 > len(m) {
		return len(m)
	}
	t, c := u16(m, i), u16(m, i+2)
	class := c
	if mdns {
		class &^= 0x8000
	}
	if class != 1 && t != 41 {
		p.printf(" %s", tok(dnsClasses, "(Class %d)", class))
	}
	if mdns && c&0x8000 != 0 {
		p.str(" (Cache flush)")
	}
	ttl := u32(m, i+4)
	if t != 41 && p.opts.Verbose > 2 {
		p.printf(" [%s]", relTime(ttl))
	}
	l := int(u16(m, i+8))
	cp := i + 10
	rp := cp + l
	p.printf(" %s", tok(dnsTypes, "Type%d", t))
	if rp > len(m) {
		return -1
	}
	switch t {
	case 1:
		if l < 4 {
			return -1
		}
		p.printf(" %s", netip.AddrFrom4([4]byte(m[cp:cp+4])))
	case 2, 5, 12, 39:
		p.str(" ")
		if p.dnsName(m, cp) < 0 {
			return -1
		}
	case 6:
		if p.opts.Verbose == 0 {
			break
		}
		p.str(" ")
		if cp = p.dnsName(m, cp); cp < 0 {
			return -1
		}
		p.str(" ")
		if cp = p.dnsName(m, cp); cp < 0 {
			return -1
		}
		if cp+20 > len(m) {
			return -1
		}
		for k := 0; k < 5; k++ {
			p.printf(" %d", u32(m, cp+4*k))
		}
	case 15:
		p.str(" ")
		if cp+2 > len(m) || p.dnsName(m, cp+2) < 0 {
			return -1
		}
		p.printf(" %d", u16(m, cp))
	case 16:
		for cp < rp {
			p.str(" \"")
			n := int(m[cp])
			cp++
			if cp+n > len(m) {
				return -1
			}
			p.printn(m[cp : cp+n])
			cp += n
			p.str("\"")
		}
	case 33:
		p.str(" ")
		if cp+6 > len(m) || p.dnsName(m, cp+6) < 0 {
			return -1
		}
		p.printf(":%d %d %d", u16(m, cp+4), u16(m, cp), u16(m, cp+2))
	case 28:
		if l < 16 {
			return -1
		}
		p.printf(" %s", netip.AddrFrom16([16]byte(m[cp:cp+16])))
	case 41:
		p.printf(" UDPsize=%d", c)
		if ext := ttl >> 24; ext != 0 {
			p.printf(" ExtRcode=%d", ext)
		}
		if v := (ttl >> 16) & 0xff; v != 0 {
			p.printf(" Version=%d", v)
		}
		if ttl&0x8000 != 0 {
			p.str(" DO")
		}
		if l > 0 {
			p.str(" [")
			first := true
			for o := cp; o+4 <= rp; {
				if !first {
					p.str(", ")
				}
				first = false
				code, ol := u16(m, o), int(u16(m, o+2))
				p.str(tok(map[uint16]string{3: "NSID", 8: "ECS", 10: "COOKIE", 11: "KEEPALIVE", 12: "PADDING", 5: "DAU", 6: "DHU", 7: "N3U", 9: "EXPIRE", 13: "CHAIN", 14: "KEY-TAG", 15: "EDE", 1: "LLQ", 2: "UL", 4: "Opt4"}, "Opt%d", code))
				_ = ol
				o += 4 + ol
			}
			p.str("]")
		}
	}
	return rp
}

func relTime(v uint32) string {
	if v == 0 {
		return "0s"
	}
	s := ""
	for _, u := range []struct {
		n uint32
		c string
	}{{604800, "w"}, {86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if v >= u.n {
			s += fmt.Sprintf("%d%s", v/u.n, u.c)
			v %= u.n
		}
	}
	return s
}

// dns prints a DNS message (domain_print).
func (p *Printer) dns(b []byte, length int, overTCP, mdns bool) {
	p.proto = "domain"
	if overTCP {
		if length < 2 {
			p.printf(" [DNS over TCP: length %d < 2] (invalid)", length)
			return
		}
		if int(u16(b, 0)) != length {
			p.printf(" [prefix length(%d) != length(%d)] (invalid)", u16(b, 0), length)
			return
		}
		b = b[2:]
		p.str(" ")
	}
	if length < 12 {
		p.printf("%s [length %d < 12] (invalid)", p.proto, length)
		return
	}
	need(b, 12)
	m := clip(b, length)
	flags := u16(m, 2)
	qd, an, ns, ar := int(u16(m, 4)), int(u16(m, 6)), int(u16(m, 8)), int(u16(m, 10))
	rcode := int(flags & 0xf)
	func() {
		cp := 12
		for i := 0; i < qd; i++ {
			if cp = dnsSkip(m, cp); cp < 0 || cp >= len(m) {
				return
			}
			cp += 4
		}
		for i := 0; i < an+ns; i++ {
			if cp = dnsSkip(m, cp); cp < 0 || cp+2 > len(m) {
				return
			}
			if cp+10 > len(m) {
				return
			}
			cp += 10 + int(u16(m, cp+8))
			if cp >= len(m) {
				return
			}
		}
		for i := 0; i < ar; i++ {
			if cp = dnsSkip(m, cp); cp < 0 || cp+2 > len(m) {
				return
			}
			if u16(m, cp) == 41 {
				if cp+5 < len(m) {
					rcode |= int(m[cp+4]) << 4
				}
				return
			}
			if cp+10 > len(m) {
				return
			}
			cp += 10 + int(u16(m, cp+8))
			if cp >= len(m) {
				return
			}
		}
	}()
	op := dnsOps[(flags>>11)&0xf]
	trunc := func() { p.trunc() }
	cp := 12
	rrs := func(n int, label string) bool {
		if label != "" {
			if !(cp < len(m) && n > 0) {
				return n == 0
			}
			p.str(label)
		}
		for k := 0; k < n; k++ {
			if k > 0 {
				if cp >= len(m) {
					return false
				}
				p.str(",")
			}
			if cp = p.dnsRR(m, cp, mdns); cp < 0 {
				return false
			}
		}
		return true
	}
	if flags&0x8000 != 0 {
		rc := ""
		if rcode < len(dnsRcodes) {
			rc = dnsRcodes[rcode]
		} else {
			rc = fmt.Sprintf(" Resp%d", rcode&0xfff)
		}
		p.printf("%d%s%s%s%s%s%s", u16(m, 0), op, rc, map[bool]string{true: "*"}[flags&0x0400 != 0],
			map[bool]string{false: "-"}[flags&0x0080 != 0], map[bool]string{true: "|"}[flags&0x0200 != 0],
			map[bool]string{true: "$"}[flags&0x0020 != 0])
		if qd != 1 {
			p.printf(" [%dq]", qd)
		}
		for i := 0; i < qd; i++ {
			if i != 0 {
				p.str(",")
			}
			if p.opts.Verbose > 1 {
				p.str(" q:")
				if cp = p.dnsQuestion(m, cp, mdns); cp < 0 {
					trunc()
					return
				}
			} else if cp = dnsSkip(m, cp); cp < 0 {
				trunc()
				return
			} else {
				cp += 4
			}
		}
		p.printf(" %d/%d/%d", an, ns, ar)
		if !rrs(an, "") {
			trunc()
			return
		}
		if p.opts.Verbose > 1 {
			if !rrs(ns, " ns:") || !rrs(ar, " ar:") {
				trunc()
				return
			}
		}
	} else {
		p.printf("%d%s%s%s", u16(m, 0), op, map[bool]string{true: "+"}[flags&0x0100 != 0], map[bool]string{true: "%"}[flags&0x0010 != 0])
		if b2 := flags; b2&0x6cf != 0 {
			p.printf(" [b2&3=0x%x]", b2)
		}
		if (flags>>11)&0xf == 1 {
			if qd != 0 {
				p.printf(" [%dq]", qd)
			}
			if an != 1 {
				p.printf(" [%da]", an)
			}
		} else {
			if an != 0 {
				p.printf(" [%da]", an)
			}
			if qd != 1 {
				p.printf(" [%dq]", qd)
			}
		}
		if ns != 0 {
			p.printf(" [%dn]", ns)
		}
		if ar != 0 {
			p.printf(" [%dau]", ar)
		}
		for i := 0; i < qd; i++ {
			if i > 0 && cp >= len(m) {
				trunc()
				return
			}
			if cp = p.dnsQuestion(m, cp, mdns); cp < 0 {
				trunc()
				return
			}
		}
		if p.opts.Verbose > 1 {
			if !rrs(an, "") || !rrs(ns, " ns:") || !rrs(ar, " ar:") {
				trunc()
				return
			}
		}
	}
	p.printf(" (%d)", length)
}

// bootp prints a BOOTP/DHCP message.
func (p *Printer) bootp(b []byte, length int) {
	p.proto = "bootp"
	op := u8(b, 0)
	p.str("BOOTP/DHCP")
	switch op {
	case 1:
		p.str(", Request")
		need(b, 34)
		if b[1] == 1 && b[2] == 6 {
			p.printf(" from %s", p.etherAddr(b[28:34]))
		}
	case 2:
		p.str(", Reply")
	default:
		p.printf(", op-#%d", op)
	}
	p.printf(", length %d", length)
	if p.opts.Verbose == 0 {
		return
	}
	p.bootpVerbose(b, length)
}

// vxlan prints a VXLAN header and the frame it carries.
func (p *Printer) vxlan(b []byte, length int) {
	p.proto = "vxlan"
	if length < 8 {
		p.trunc()
		return
	}
	need(b, 8)
	flags := b[0]
	p.printf("VXLAN, flags [%s] (0x%02x), ", map[bool]string{true: "I", false: "."}[flags&0x08 != 0], flags)
	p.printf("vni %d\n", u24(b, 4))
	p.ether(b[8:], length-8, 0, nil)
}

// geneve prints a Geneve header and what it carries.
func (p *Printer) geneve(b []byte, length int) {
	p.proto = "geneve"
	p.str("Geneve")
	need(b, 8)
	ver := b[0] >> 6
	if ver != 0 {
		p.printf(" ERROR: unknown-version %d", ver)
		return
	}
	optLen := int(b[0]&0x3f) * 4
	flags := b[1]
	ptype := u16(b, 2)
	vni := u24(b, 4)
	p.printf(", Flags [%s]", bits([]bitName{{0x80, "O"}, {0x40, "C"}}, "none", "", uint32(flags)))
	p.printf(", vni 0x%x", vni)
	if b[7] != 0 {
		p.printf(", rsvd 0x%x", b[7])
	}
	if p.opts.Ether {
		p.printf(", proto %s (0x%04x)", tok(ethertypeNames, "unknown", ptype), ptype)
	}
	if length-8 < optLen {
		p.printf(" truncated-geneve - %d bytes missing", optLen-(length-8))
		return
	}
	need(b, 8+optLen)
	if optLen > 0 {
		p.str(", options [")
		if p.opts.Verbose > 0 {
			p.genevOpts(b[8 : 8+optLen])
		} else {
			p.printf("%d bytes", optLen)
		}
		p.str("]")
	}
	inner := b[8+optLen:]
	il := length - 8 - optLen
	if p.opts.Verbose < 1 {
		p.str(": ")
	} else {
		p.str("\n\t")
	}
	if !p.etherTypePrint(ptype, inner, il, nil, nil) {
		if ptype == 0x6558 {
			p.ether(inner, il, 0, nil)
		} else {
			p.printf("geneve-proto-0x%x", ptype)
		}
	}
}

func (p *Printer) genevOpts(o []byte) {
	sep := ""
	for len(o) >= 4 {
		class, t, l := u16(o, 0), o[2], int(o[3]&0x1f)*4
		name := "Unknown"
		if class <= 0xff {
			name = "Standard"
		}
		p.printf("%sclass %s (0x%x) type 0x%x%s len %d", sep, name, class, t, map[bool]string{true: "(C)"}[t&0x80 != 0], 4+l)
		if 4+l > len(o) {
			p.str(" [bad length]")
			return
		}
		if p.opts.Verbose > 1 && l > 0 {
			p.str(" data")
			for i := 4; i+4 <= 4+l; i += 4 {
				p.printf(" %08x", u32(o, i))
			}
		}
		o = o[4+l:]
		sep = ", "
	}
}

// ntp prints an NTP message.
func (p *Printer) ntp(b []byte, length int) {
	p.proto = "ntp"
	status := u8(b, 0)
	ver := (status >> 3) & 7
	mode := status & 7
	p.printf("NTPv%d", ver)
	modes := []string{"Reserved", "symmetric active", "symmetric passive", "Client", "Server", "Broadcast", "Control Message", "Reserved"}
	p.printf(", %s", modes[mode])
	switch mode {
	case 1, 2, 3, 4, 5:
		p.printf(", length %d", length)
		if p.opts.Verbose > 0 {
			p.ntpTime(b, length)
		}
	case 6:
		p.printf(", length %d", length)
	default:
		p.printf(", length %d", length)
	}
}

// isakmp prints an ISAKMP (IKEv1) message: the exchange, and under -v
// its payloads.
func (p *Printer) isakmp(b []byte, length int, h ipHdr) {
	p.proto = "isakmp"
	p.str("isakmp")
	if len(b) < 28 {
		p.trunc()
		return
	}
	major, minor := b[17]>>4, b[17]&0xf
	if p.opts.Verbose > 0 {
		p.printf(" %d.%d", major, minor)
		p.printf(" msgid %08x", u32(b, 20))
	}
	if p.opts.Verbose > 1 {
		p.printf(" cookie %x->%x", b[0:8], b[8:16])
	}
	p.str(":")
	if major != 1 {
		return
	}
	p.isakmpV1(b, length, h)
}

var isakmpExch = map[uint8]string{0: "none", 1: "base", 2: "ident", 3: "auth", 4: "agg", 5: "inf", 32: "oakley-quick", 33: "oakley-newgroup"}

var isakmpPayloads = []string{"none", "sa", "p", "t", "ke", "id", "cert", "cr", "hash", "sig", "nonce", "n", "d", "vid"}

func isakmpPayload(np uint8) string {
	if int(np) < len(isakmpPayloads) {
		return isakmpPayloads[np]
	}
	if np <= 32 {
		return fmt.Sprintf("pay%d", np)
	}
	return fmt.Sprintf("#%d", np)
}

func (p *Printer) isakmpV1(b []byte, length int, h ipHdr) {
	msgid := u32(b, 20)
	if msgid == 0 {
		p.str(" phase 1")
	} else {
		p.str(" phase 2/others")
	}
	flags := b[19]
	var ck [8]byte
	copy(ck[:], b[0:8])
	src := ipAddrBytes(h, true)
	if rec, ok := p.cookies[ck]; !ok {
		if allZero(b[8:16]) {
			p.str(" I")
			if p.cookies == nil {
				p.cookies = make(map[[8]byte][2]string)
			}
			p.cookies[ck] = [2]string{src, ipAddrBytes(h, false)}
		} else {
			p.str(" ?")
		}
	} else if src == rec[0] {
		p.str(" I")
	} else if src == rec[1] {
		p.str(" R")
	} else {
		p.str(" ?")
	}
	p.printf(" %s", tok(isakmpExch, "#%d", b[18]))
	if flags != 0 {
		p.printf("[%s%s]", map[bool]string{true: "E"}[flags&1 != 0], map[bool]string{true: "C"}[flags&2 != 0])
	}
	if p.opts.Verbose == 0 {
		return
	}
	p.str(":")
	np := b[16]
	if flags&1 != 0 {
		p.printf(" [encrypted %s]", isakmpPayload(np))
	} else {
		p.ikeSub(np, b[28:], 0, 0)
	}
	if l := int(u32(b, 24)); l != length {
		p.printf(" (len mismatch: isakmp %d/ip %d)", l, length)
	}
}

// ikeSub prints a chain of IKEv1 payloads starting with type np.
func (p *Printer) ikeSub(np uint8, b []byte, depth int, proto uint8) []byte {
	for np != 0 {
		need(b, 4)
		l := int(u16(b, 2))
		depth++
		p.str("\n" + strings.Repeat("    ", depth) + "(")
		if l <= 4 || l > len(b) {
			p.printf(" [|%s]", isakmpPayload(np))
			return nil
		}
		item := b[:l]
		switch np {
		case 1:
			p.ikeSA(item, depth)
		case 2:
			p.ikeProposal(item, depth)
		case 3:
			p.ikeTransform(item, proto)
		case 4:
			p.printf("ke: key len=%d", l-4)
			if p.opts.Verbose > 2 {
				p.printf(" %x", item[4:])
			}
		case 8:
			p.printf("hash: len=%d", l-4)
			if p.opts.Verbose > 2 {
				p.printf(" %x", item[4:])
			}
		case 10:
			p.printf("nonce: n len=%d", l-4)
			if l > 4 && p.opts.Verbose > 2 {
				p.printf(" %x", item[4:])
			} else if l > 4 && p.opts.Verbose > 1 {
				// tcpdump shows the first 10 bytes from the nonce on
				// and the last 20 of the packet.
				d := b[4:]
				n := min(len(d), 10)
				end := len(d) - 20
				if end < n {
					end = n
				}
				p.printf("  data=(%x...%x)", d[:n], d[end:])
			}
		case 13:
			p.printf("vid: len=%d", l-4)
			if p.opts.Verbose > 2 {
				p.printf(" %x", item[4:])
			}
		default:
			p.str(isakmpPayload(np))
		}
		p.str(")")
		depth--
		np = b[0]
		b = b[l:]
	}
	return b
}

func (p *Printer) ikeSA(b []byte, depth int) {
	p.str("sa:")
	need(b, 12)
	doi, sit := u32(b, 4), u32(b, 8)
	if doi != 1 {
		p.printf(" doi=%d situation=%d", doi, sit)
		return
	}
	p.str(" doi=ipsec situation=")
	n := 0
	for _, f := range []struct {
		bit  uint32
		name string
	}{{1, "identity"}, {2, "secrecy"}, {4, "integrity"}} {
		if sit&f.bit != 0 {
			if n > 0 {
				p.str("+")
			}
			p.str(f.name)
			n++
		}
	}
	rest := b[12:]
	if sit != 1 {
		need(rest, 4)
		p.printf(" ident=%d", u32(rest, 0))
		rest = rest[4:]
	}
	p.ikeSub(2, rest, depth, 0)
}

func (p *Printer) ikeProposal(b []byte, depth int) {
	p.str("p:")
	need(b, 8)
	proto := b[5]
	p.printf(" #%d protoid=%s transform=%d", b[4], strOrID([]string{"", "isakmp", "ipsec-ah", "ipsec-esp", "ipcomp"}, proto), b[7])
	spi := int(b[6])
	need(b, 8+spi)
	if spi > 0 {
		p.printf(" spi=%x", b[8:8+spi])
	}
	p.ikeSub(3, b[8+spi:], depth, proto)
}

func strOrID(tab []string, v uint8) string {
	if int(v) < len(tab) && tab[v] != "" {
		return tab[v]
	}
	return fmt.Sprintf("#%d", v)
}

type ikeAttr struct {
	name   string
	values []string
}

var oakleyAttrs = []ikeAttr{{}, {"enc", []string{"", "1des", "idea", "blowfish", "rc5", "3des", "cast", "aes"}},
	{"hash", []string{"", "md5", "sha1", "tiger", "sha2-256", "sha2-384", "sha2-512"}},
	{"auth", []string{"", "preshared", "dss", "rsa sig", "rsa enc", "rsa enc revised"}},
	{"group desc", []string{"", "modp768", "modp1024", "EC2N 2^155", "EC2N 2^185", "modp1536", "iana-grp06",
		"iana-grp07", "iana-grp08", "iana-grp09", "iana-grp10", "iana-grp11", "iana-grp12", "iana-grp13",
		"modp2048", "modp3072", "modp4096", "modp6144", "modp8192"}},
	{"group type", []string{"", "MODP", "ECP", "EC2N"}}, {"group prime", nil}, {"group gen1", nil},
	{"group gen2", nil}, {"group curve A", nil}, {"group curve B", nil}, {"lifetype", []string{"", "sec", "kb"}},
	{"lifeduration", nil}, {"prf", nil}, {"keylen", nil}, {"field", nil}, {"order", nil}}

func (p *Printer) ikeTransform(b []byte, proto uint8) {
	p.str("t:")
	need(b, 8)
	if proto == 1 {
		p.printf(" #%d id=%s ", b[4], strOrID([]string{"", "ike"}, b[5]))
	} else {
		p.printf(" #%d id=%d ", b[4], b[5])
	}
	a := b[8:]
	for len(a) >= 4 {
		t := u16(a, 0) & 0x7fff
		tl := 4
		if a[0]&0x80 == 0 {
			tl = 4 + int(u16(a, 2))
		}
		if tl > len(a) {
			p.str("[|attr]")
			return
		}
		p.str("(")
		var m *ikeAttr
		if proto == 1 && int(t) < len(oakleyAttrs) && oakleyAttrs[t].name != "" {
			m = &oakleyAttrs[t]
			p.printf("type=%s ", m.name)
		} else {
			p.printf("type=#%d ", t)
		}
		if a[0]&0x80 != 0 {
			v := u16(a, 2)
			p.str("value=")
			if m != nil && int(v) < len(m.values) && m.values[v] != "" {
				p.str(m.values[v])
			} else {
				p.printf("%x", a[2:4])
			}
		} else {
			p.printf("len=%d value=%x", tl-4, a[4:tl])
		}
		p.str(")")
		a = a[tl:]
	}
}

// isakmpNATT prints UDP-encapsulated ESP or ISAKMP (port 4500).
func (p *Printer) isakmpNATT(b []byte, length int, h ipHdr) {
	if length == 1 && len(b) > 0 && b[0] == 0xff {
		p.str("isakmp-nat-keep-alive")
		return
	}
	if length < 4 {
		p.trunc()
		return
	}
	if u32(b, 0) == 0 {
		p.str("NONESP-encap: ")
		p.isakmp(b[4:], length-4, h)
		return
	}
	p.str("UDP-encap: ")
	p.esp(b, length)
}

// sctp prints SCTP chunks.
func (p *Printer) sctp(b []byte, h ipHdr, length int) {
	p.proto = "sctp"
	need(b, 12)
	sp, dp := u16(b, 0), u16(b, 2)
	if h.nextIsUs {
		p.printf("%s.%d > %s.%d: sctp", h.src(p), sp, h.dst(p), dp)
	} else {
		p.printf("%d > %d: sctp", sp, dp)
	}
	if p.opts.Quiet {
		p.printf(" (%d)", length)
		return
	}
	names := map[uint8]string{0: "DATA", 1: "INIT", 2: "INIT ACK", 3: "SACK", 4: "HB REQ", 5: "HB ACK",
		6: "ABORT", 7: "SHUTDOWN", 8: "SHUTDOWN ACK", 9: "OP ERR", 10: "COOKIE ECHO", 11: "COOKIE ACK",
		12: "ECN ECHO", 13: "ECN CWR", 14: "SHUTDOWN COMPLETE", 15: "AUTH", 128: "ASCONF ACK", 193: "ASCONF", 192: "FOR CUM TSN"}
	c := b[12:]
	n := 1
	for len(c) >= 4 {
		t, cl := c[0], int(u16(c, 2))
		if cl < 4 {
			break
		}
		sep := "\n\t"
		if p.opts.Verbose == 0 {
			sep = " "
		}
		p.printf("%s%d) [%s] ", sep, n, tok(names, "Unknown chunk type: 0x%x", t))
		if t == 0 && cl >= 16 {
			p.printf("[TSN: %d] [SID: %d] [SSEQ %d] [PPID 0x%x] ", u32(c, 4), u16(c, 8), u16(c, 10), u32(c, 12))
		}
		al := (cl + 3) &^ 3
		if al > len(c) {
			break
		}
		c = c[al:]
		n++
	}
}

// gre prints a GRE header and what it carries.
func (p *Printer) gre(b []byte, length int) {
	p.proto = "gre"
	flags := u16(b, 0)
	ver := flags & 7
	p.str("GREv")
	p.printf("%d", ver)
	if ver != 0 && ver != 1 {
		p.str(" ERROR: unknown-version")
		return
	}
	if ver == 1 {
		p.gre1(b, length)
		return
	}
	pt := u16(b, 2)
	i := 4
	if p.opts.Verbose > 0 {
		p.printf(", Flags [%s]", bits([]bitName{{0x8000, "checksum present"}, {0x4000, "routing present"}, {0x2000, "key present"}, {0x1000, "sequence# present"}, {0x0800, "strict source route"}, {0x0080, "acknowledgment# present"}}, "none", ", ", uint32(flags)))
	}
	if flags&0xc000 != 0 {
		if p.opts.Verbose > 0 {
			p.printf(", sum 0x%x", u16(b, i))
		}
		if flags&0x4000 != 0 {
			p.printf(", off 0x%x", u16(b, i+2))
		}
		i += 4
	}
	if flags&0x2000 != 0 {
		p.printf(", key=0x%x", u32(b, i))
		i += 4
	}
	if flags&0x1000 != 0 {
		p.printf(", seq %d", u32(b, i))
		i += 4
	}
	if p.opts.Ether {
		p.printf(", proto %s (0x%04x)", tok(ethertypeNames, "unknown", pt), pt)
	}
	p.printf(", length %d", length)
	if p.opts.Verbose < 1 {
		p.str(": ")
	} else {
		p.str("\n\t")
	}
	inner := from(b, i)
	il := length - i
	switch pt {
	case 0x0800:
		p.ip4(inner, il)
	case 0x86dd:
		p.ip6(inner, il)
	case 0x6558:
		p.ether(inner, il, 0, nil)
	case 0x8847:
		p.mpls(inner, il)
	default:
		p.printf("gre-proto-0x%x", pt)
	}
}

func (p *Printer) gre1(b []byte, length int) {
	flags := u16(b, 0)
	pt := u16(b, 2)
	if p.opts.Verbose > 0 {
		p.printf(", Flags [%s]", bits([]bitName{{0x2000, "key present"}, {0x1000, "sequence# present"}, {0x0080, "acknowledgment# present"}}, "none", ", ", uint32(flags)))
	}
	i := 4
	if flags&0x2000 != 0 {
		p.printf(", call %d", u16(b, i+2))
		i += 4
	}
	if flags&0x1000 != 0 {
		p.printf(", seq %d", u32(b, i))
		i += 4
	}
	if flags&0x0080 != 0 {
		p.printf(", ack %d", u32(b, i))
		i += 4
	}
	if flags&0x1000 == 0 {
		p.str(", no-payload")
	}
	p.printf(", length %d", length)
	if flags&0x1000 == 0 {
		return
	}
	p.str(": ")
	if pt == 0x880b {
		p.ppp(from(b, i), length-i)
	} else {
		p.printf("gre-proto-0x%x", pt)
	}
}

var pimTypes = map[uint8]string{0: "Hello", 1: "Register", 2: "Register Stop", 3: "Join / Prune",
	4: "Bootstrap", 5: "Assert", 6: "Graft", 7: "Graft Reply", 8: "Candidate RP Advertisement", 9: "Prune Refresh"}

// pim prints a PIM message (under -v, the checksum and bootstrap
// messages' contents).
func (p *Printer) pim(b []byte, length int, h ipHdr) {
	p.proto = "pim"
	v := u8(b, 0) >> 4
	t := b[0] & 0xf
	if v != 2 {
		p.printf("PIMv%d, length %d", v, length)
		return
	}
	if p.opts.Verbose == 0 {
		p.printf("PIMv%d, %s, length %d", v, tok(pimTypes, "Unknown Type", t), length)
		return
	}
	p.printf("PIMv%d, length %d\n\t%s", v, length, tok(pimTypes, "Unknown Type", t))
	p.proto = "pimv2"
	if length < 2 {
		p.printf("[length %d < 2] (invalid)", length)
		return
	}
	alen := int(u8(b, 1) & 0x0f)
	if alen != 0 {
		p.str(", RFC2117-encoding")
	}
	if length < 4 {
		p.printf("[length %d < 4] (invalid)", length)
		return
	}
	ck := u16(b, 2)
	p.printf(", cksum 0x%04x ", ck)
	switch {
	case ck == 0:
		p.str("(unverified)")
	case len(b) < length:
		p.str("(unverified)")
	default:
		var sum uint16
		if h.v6 {
			sum = foldCksum(h.pseudoSum(103, length) + inCksum(0, b[:length]))
		} else {
			sum = foldCksum(inCksum(0, b[:length]))
		}
		if sum == 0 {
			p.str("(correct)")
		} else {
			p.str("(incorrect)")
		}
	}
	c := clip(from(b, 4), length-4)
	addr := func(group bool) bool {
		n := p.pimAddr(c, alen, group)
		if n < 0 {
			p.trunc()
			return false
		}
		c = c[n:]
		return true
	}
	if t == 4 {
		if len(c) < 4 {
			p.trunc()
			return
		}
		p.printf(" tag=%x hashmlen=%d BSRprio=%d BSR=", u16(c, 0), c[2], c[3])
		c = c[4:]
		if !addr(false) {
			return
		}
		for i := 0; len(c) > 0; i++ {
			p.printf(" (group%d: ", i)
			if !addr(true) {
				return
			}
			if len(c) < 4 {
				p.trunc()
				return
			}
			frp := int(c[1])
			p.printf(" RPcnt=%d FRPcnt=%d", c[0], frp)
			c = c[4:]
			for j := 0; j < frp && len(c) > 0; j++ {
				p.printf(" RP%d=", j)
				if !addr(false) {
					return
				}
				if len(c) < 4 {
					p.trunc()
					return
				}
				p.printf(",holdtime=%s,prio=%d", relTime(uint32(u16(c, 0))), c[2])
				c = c[4:]
			}
			p.str(")")
		}
	}
}

// pimAddr prints an encoded PIM address and returns its length, or -1.
func (p *Printer) pimAddr(b []byte, alen int, group bool) int {
	hdr := 0
	if alen == 0 {
		if len(b) < 2 || b[1] != 0 {
			return -1
		}
		switch b[0] {
		case 1:
			alen = 4
		case 2:
			alen = 16
		default:
			return -1
		}
		hdr = 2
	} else if alen != 4 && alen != 16 {
		return -1
	}
	b = b[hdr:]
	show := func(a []byte) string {
		if alen == 4 {
			return p.addr4(a, 0)
		}
		return p.addr6(a, 0)
	}
	if !group {
		if len(b) < alen {
			return -1
		}
		p.str(show(b))
		return hdr + alen
	}
	if len(b) < alen+2 {
		return -1
	}
	p.str(show(b[2:]))
	if int(b[1]) != alen*8 {
		p.printf("/%d", b[1])
	}
	if b[0] != 0 {
		p.printf("(0x%02x)", b[0])
	}
	return hdr + alen + 2
}

// vrrp prints a VRRP (or CARP) advertisement.
func (p *Printer) vrrp(b []byte, length int, h ipHdr) {
	p.proto = "vrrp"
	vt := u8(b, 0)
	ver, typ := vt>>4, vt&0xf
	p.printf("VRRPv%d, %s", ver, tok(map[uint8]string{1: "Advertisement"}, "unknown type %d", typ))
	if h.ttl != 255 {
		p.printf(", (ttl %d)", h.ttl)
	}
	if typ != 1 {
		return
	}
	vrid, prio := u8(b, 1), u8(b, 2)
	p.printf(", vrid %d, prio %d", vrid, prio)
	switch ver {
	case 2:
		auth := u8(b, 4)
		p.printf(", authtype %s", tok(map[uint8]string{0: "none", 1: "simple", 2: "ah"}, "", auth))
		p.printf(", intvl %ds, length %d", u8(b, 5), length)
		if p.opts.Verbose > 0 {
			n := int(b[3])
			if len(b) >= length {
				if s := foldCksum(inCksum(0, b[:length])); s != 0 {
					p.printf(", (bad vrrp cksum %x)", u16(b, 6))
				}
			}
			p.str(", addrs")
			if n > 1 {
				p.printf("(%d)", n)
			}
			p.str(":")
			for i := 0; i < n; i++ {
				p.printf("%s%s", map[bool]string{true: " ", false: ","}[i == 0], p.addr4(b, 8+4*i))
			}
			if auth == 1 {
				p.str(" auth \"")
				p.printn(trimNul(from(b, 8+4*n)[:min(8, len(from(b, 8+4*n)))]))
				p.str("\"")
			}
		}
	case 3:
		p.printf(", intvl %dcs, length %d", u16(b, 4)&0xfff, length)
		if p.opts.Verbose > 0 {
			n := int(b[3])
			if len(b) >= length {
				var s uint16
				if h.v6 {
					s = foldCksum(h.pseudoSum(112, length) + inCksum(0, b[:length]))
				} else {
					s = foldCksum(h.pseudoSum(112, length) + inCksum(0, b[:length]))
				}
				if s != 0 {
					p.printf(", (bad vrrp cksum %x)", u16(b, 6))
				}
			}
			p.str(", addrs")
			if n > 1 {
				p.printf("(%d)", n)
			}
			p.str(":")
			for i := 0; i < n; i++ {
				p.str(map[bool]string{true: " ", false: ","}[i == 0])
				if h.v6 {
					p.str(p.addr6(b, 8+16*i))
				} else {
					p.str(p.addr4(b, 8+4*i))
				}
			}
		}
	}
}

func trimNul(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// ipAddrBytes returns the source or destination address bytes of h.
func ipAddrBytes(h ipHdr, src bool) string {
	switch {
	case h.v6 && src:
		return string(h.b[8:24])
	case h.v6:
		return string(h.b[24:40])
	case src:
		return string(h.b[12:16])
	}
	return string(h.b[16:20])
}
