package tcpdump

import (
	"bytes"
	"fmt"
)

// tcpKey identifies a TCP conversation in one collating order.
type tcpKey struct {
	src, dst [16]byte
	port     uint32
}

type tcpSeq struct{ seq, ack uint32 }

var tcpFlagBits = []bitName{{0x01, "F"}, {0x02, "S"}, {0x04, "R"}, {0x08, "P"}, {0x10, "."}, {0x20, "U"}, {0x40, "E"}, {0x80, "W"}}

var tcpOptNames = map[uint8]string{0: "eol", 1: "nop", 2: "mss", 3: "wscale", 4: "sackOK", 5: "sack",
	6: "echo", 7: "echoreply", 8: "TS", 11: "cc", 12: "ccnew", 13: "", 19: "md5", 20: "scps",
	28: "uto", 29: "tcp-ao", 30: "mptcp", 34: "tfo", 254: "exp"}

func (p *Printer) tcpPrint(b []byte, length int, h ipHdr, fragmented bool) {
	p.proto = "tcp"
	if len(b) < 4 {
		p.printf("%s > %s:", h.src(p), h.dst(p))
		p.trunc()
		return
	}
	sp, dp := u16(b, 0), u16(b, 2)
	p.portPair(h, "tcp", sp, dp)
	need(b, 20)
	hlen := int(b[12]>>4) * 4
	if hlen < 20 {
		p.printf(" tcp %d [bad hdr length %d - too short, < 20]", length-hlen, hlen)
		return
	}
	seq, ack := u32(b, 4), u32(b, 8)
	win, urp := u16(b, 14), u16(b, 18)
	if p.opts.Quiet {
		p.printf("tcp %d", length-hlen)
		if hlen > length {
			p.printf(" [bad hdr length %d - too long, > %d]", hlen, length)
		}
		return
	}
	flags := b[13]
	p.printf("Flags [%s]", bits(tcpFlagBits, "none", "", uint32(flags)))
	var thseq, thack uint32
	rev := false
	if !p.opts.Absolute && flags&0x10 != 0 {
		var src, dst [16]byte
		if h.v6 {
			copy(src[:], h.b[8:24])
			copy(dst[:], h.b[24:40])
		} else {
			copy(src[:], h.b[12:16])
			copy(dst[:], h.b[16:20])
		}
		if sp > dp {
			rev = true
		} else if sp == dp && bytes.Compare(src[:], dst[:]) > 0 {
			rev = true
		}
		var k tcpKey
		if rev {
			k = tcpKey{src: dst, dst: src, port: uint32(dp)<<16 | uint32(sp)}
		} else {
			k = tcpKey{src: src, dst: dst, port: uint32(sp)<<16 | uint32(dp)}
		}
		if !h.v6 {
			k.port |= 0 // same key space; addresses differ in length
		}
		th, ok := p.tcp[k]
		if !ok || flags&0x02 != 0 {
			if rev {
				th = tcpSeq{ack: seq, seq: ack - 1}
			} else {
				th = tcpSeq{seq: seq, ack: ack - 1}
			}
			p.tcp[k] = th
		} else if rev {
			seq -= th.ack
			ack -= th.seq
		} else {
			seq -= th.seq
			ack -= th.ack
		}
		thseq, thack = th.seq, th.ack
	}
	if hlen > length {
		p.printf(" [bad hdr length %d - too long, > %d]", hlen, length)
		return
	}
	if p.opts.Verbose > 0 && !fragmented && len(b) >= length {
		sum := foldCksum(h.pseudoSum(6, length) + inCksum(0, b[:length]))
		tsum := u16(b, 16)
		p.printf(", cksum 0x%04x", tsum)
		if sum != 0 {
			p.printf(" (incorrect -> 0x%04x)", shouldBe(tsum, sum))
		} else {
			p.str(" (correct)")
		}
	}
	length -= hlen
	if p.opts.Verbose > 1 || length > 0 || flags&0x07 != 0 {
		p.printf(", seq %d", seq)
		if length > 0 {
			p.printf(":%d", seq+uint32(length))
		}
	}
	if flags&0x10 != 0 {
		p.printf(", ack %d", ack)
	}
	p.printf(", win %d", win)
	if flags&0x20 != 0 {
		p.printf(", urg %d", urp)
	}
	if hlen > 20 {
		if !p.tcpOptions(b[20:], hlen-20, rev, thseq, thack) {
			return
		}
	}
	p.printf(", length %d", length)
	if length == 0 {
		return
	}
	if len(b) < hlen {
		p.printf(" [remaining caplen(%d) < header length(%d)]", len(b), hlen)
		panic(truncated{})
	}
	pl := b[hlen:]
	if flags&0x04 != 0 && p.opts.Verbose > 0 {
		p.str(" [RST")
		if len(pl) > 0 {
			p.str(" ")
			n := min(len(pl), length)
			for _, c := range pl[:n] {
				if isGraph(c) || c == ' ' {
					p.b = append(p.b, c)
				} else {
					p.str(".")
				}
			}
		}
		p.str("]")
		return
	}
	switch {
	case isPort(sp, dp, 22):
		p.proto = "ssh"
		p.sshVersion(pl, length)
	case isPort(sp, dp, 80) || isPort(sp, dp, 8080):
		p.str(": ")
		p.proto = "http"
		p.txtproto(pl, length, httpCmds, true)
	case isPort(sp, dp, 53):
		p.dns(pl, length, true, false)
	}
}

// tcpOptions prints the options; false when tcpdump stops at a bad one.
func (p *Printer) tcpOptions(o []byte, hlen int, rev bool, thseq, thack uint32) (ok bool) {
	p.str(", options [")
	sep := false
	defer func() {
		if r := recover(); r != nil {
			if _, isT := r.(truncated); !isT {
				panic(r)
			}
			p.trunc()
			if sep {
				p.str(">")
			}
			panic(r)
		}
	}()
	i := 0
	for hlen > 0 {
		if sep {
			p.str(",")
		}
		opt := u8(o, i)
		i++
		l := 1
		if opt != 0 && opt != 1 {
			l = int(u8(o, i))
			i++
			if l < 2 || l > hlen {
				p.str("[bad opt]")
				if sep {
					p.str("]")
				}
				return false
			}
			hlen--
		}
		hlen--
		p.str(tok(tcpOptNames, "unknown-%d", opt))
		dl := 0
		lencheck := func(n int) bool {
			if n > hlen {
				return false
			}
			need(o, i+n)
			return true
		}
		bad := false
		switch opt {
		case 2:
			dl = 2
			if bad = !lencheck(2); !bad {
				p.printf(" %d", u16(o, i))
			}
		case 3:
			dl = 1
			if bad = !lencheck(1); !bad {
				p.printf(" %d", o[i])
			}
		case 5:
			dl = l - 2
			if dl%8 != 0 {
				p.str(" invalid sack")
			} else {
				p.printf(" %d ", dl/8)
				for j := 0; j < dl; j += 8 {
					if bad = !lencheck(j + 8); bad {
						break
					}
					s, e := u32(o, i+j), u32(o, i+j+4)
					if rev {
						s -= thseq
						e -= thseq
					} else {
						s -= thack
						e -= thack
					}
					p.printf("{%d:%d}", s, e)
				}
			}
		case 11, 12, 13, 6, 7:
			dl = 4
			if bad = !lencheck(4); !bad {
				p.printf(" %d", u32(o, i))
			}
		case 8:
			dl = 8
			if bad = !lencheck(8); !bad {
				p.printf(" val %d ecr %d", u32(o, i), u32(o, i+4))
			}
		case 28:
			dl = 2
			if bad = !lencheck(2); !bad {
				v := u16(o, i)
				p.printf(" 0x%x", v)
				if v&1 != 0 {
					v = (v >> 1) * 60
				} else {
					v >>= 1
				}
				p.printf(" %d", v)
			}
		case 0, 1, 4:
		default:
			dl = l - 2
			if dl > 0 {
				p.str(" 0x")
			}
			for j := 0; j < dl; j++ {
				if bad = !lencheck(j + 1); bad {
					break
				}
				p.printf("%02x", o[i+j])
			}
		}
		if bad {
			p.str("[bad opt]")
			if sep {
				p.str("]")
			}
			return false
		}
		i += dl
		hlen -= dl
		if opt != 0 && opt != 1 && dl+2 != l {
			p.printf("[len %d]", l)
		}
		sep = true
		if opt == 0 {
			break
		}
	}
	p.str("]")
	return true
}

var httpCmds = []string{"GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY",
	"BMOVE", "MKCOL", "TRACE", "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT",
	"UPDATE", "NOTIFY", "BDELETE", "CONNECT", "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT",
	"CCM_POST", "SUBSCRIBE", "PROPPATCH", "BPROPFIND", "BPROPPATCH", "UNCHECKOUT",
	"MKACTIVITY", "MKWORKSPACE", "UNSUBSCRIBE", "RPC_CONNECT", "VERSION-CONTROL", "BASELINE-CONTROL"}

func isPrint(c byte) bool { return c >= ' ' && c < 0x7f }

// token is tcpdump's fetch_token: the next word at idx and the index
// after the blanks that follow it (0 if there is none).
func token(b []byte, idx, length int) (string, int) {
	start := idx
	for ; idx < length; idx++ {
		if idx >= len(b) {
			return "", 0
		}
		c := b[idx]
		if c >= 0x80 {
			return "", 0
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			break
		}
		if !isPrint(c) || idx-start+2 > 128 {
			return "", 0
		}
	}
	if idx == start {
		return "", 0
	}
	tokn := string(b[start:idx])
	for ; idx < length && idx < len(b); idx++ {
		c := b[idx]
		if c == '\r' || c == '\n' || !isPrint(c) || (c != ' ' && c != '\t') {
			break
		}
	}
	return tokn, idx
}

// txtLine is tcpdump's print_txt_line.
func (p *Printer) txtLine(prefix string, b []byte, idx, length int) int {
	start := idx
	for idx < length {
		c := u8(b, idx)
		if c == '\n' {
			p.printf("%s%s", prefix, b[start:idx])
			return idx + 1
		} else if c == '\r' {
			if idx+1 >= length {
				return 0
			}
			if u8(b, idx+1) == '\n' {
				p.printf("%s%s", prefix, b[start:idx])
				return idx + 2
			}
			return 0
		} else if !isPrint(c) && c != '\t' {
			return 0
		}
		idx++
	}
	p.printf("%s%s", prefix, b[start:idx])
	p.trunc()
	return 0
}

func (p *Printer) txtproto(b []byte, length int, cmds []string, respSecond bool) {
	printThis := cmds == nil
	if cmds != nil {
		t, idx := token(b, 0, length)
		if idx != 0 {
			for _, c := range cmds {
				if equalFold(t, c) {
					printThis = true
					break
				}
			}
			if respSecond {
				t, idx = token(b, idx, length)
			}
			if idx != 0 && len(t) == 3 && isDigit(t[0]) && isDigit(t[1]) && isDigit(t[2]) {
				printThis = true
			}
		}
	}
	p.protoCaps()
	if !printThis {
		return
	}
	if p.opts.Verbose > 0 {
		p.printf(", length: %d", length)
		for idx := 0; idx < length; {
			eol := p.txtLine("\n\t", b, idx, length)
			if eol == 0 {
				break
			}
			idx = eol
		}
		return
	}
	p.txtLine(": ", b, 0, length)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func equalFold(a, b string) bool { return bytes.EqualFold([]byte(a), []byte(b)) }

func (p *Printer) protoCaps() {
	p.str(string(bytes.ToUpper([]byte(p.proto))))
}

func (p *Printer) sshVersion(b []byte, length int) {
	if len(b) < 4 || string(b[:4]) != "SSH-" {
		return
	}
	for idx := 4; idx < length; idx++ {
		c := u8(b, idx)
		switch {
		case c == '\n':
			p.str(": ")
			p.protoCaps()
			p.printf(": %s", b[:idx])
			return
		case c == '\r':
			if idx+1 >= length || u8(b, idx+1) != '\n' {
				return
			}
			p.str(": ")
			p.protoCaps()
			p.printf(": %s", b[:idx])
			return
		case !isPrint(c):
			return
		}
	}
}

func (p *Printer) udp(b []byte, length int, h ipHdr, fragmented bool) {
	p.proto = "udp"
	addrs := func(sp, dp int) {
		if sp < 0 {
			p.printf("%s > %s: ", h.src(p), h.dst(p))
			return
		}
		p.portPair(h, "udp", uint16(sp), uint16(dp))
	}
	if len(b) < 4 {
		addrs(-1, -1)
		p.trunc()
		return
	}
	sp, dp := u16(b, 0), u16(b, 2)
	if length < 8 {
		addrs(int(sp), int(dp))
		p.printf("truncated-udp %d", length)
		return
	}
	if len(b) < 6 {
		addrs(int(sp), int(dp))
		p.trunc()
		return
	}
	ulen := int(u16(b, 4))
	if ulen == 0 && length > 65535 {
		ulen = length
	}
	if ulen < 8 {
		addrs(int(sp), int(dp))
		p.printf("truncated-udplength %d", ulen)
		return
	}
	ulen -= 8
	length -= 8
	if ulen < length {
		length = ulen
	}
	if len(b) < 8 {
		addrs(int(sp), int(dp))
		p.trunc()
		return
	}
	addrs(int(sp), int(dp))
	cp := b[8:]
	if p.opts.Verbose > 0 && !fragmented {
		if !h.v6 && p.opts.Verbose > 1 {
			usum := u16(b, 6)
			if usum == 0 {
				p.str("[no cksum] ")
			} else if len(cp) >= length {
				if s := foldCksum(h.pseudoSum(17, length+8) + inCksum(0, b[:length+8])); s != 0 {
					p.printf("[bad udp cksum 0x%04x -> 0x%04x!] ", usum, shouldBe(usum, s))
				} else {
					p.str("[udp sum ok] ")
				}
			}
		} else if h.v6 && len(cp) >= length {
			usum := u16(b, 6)
			if s := foldCksum(h.pseudoSum(17, length+8) + inCksum(0, b[:length+8])); s != 0 {
				p.printf("[bad udp cksum 0x%04x -> 0x%04x!] ", usum, shouldBe(usum, s))
			} else {
				p.str("[udp sum ok] ")
			}
		}
	}
	plain := func() {
		if ulen > length && !fragmented {
			p.printf("UDP, bad length %d > %d", ulen, length)
		} else {
			p.printf("UDP, length %d", ulen)
		}
	}
	if p.opts.Quiet {
		plain()
		return
	}
	switch {
	case isPort(sp, dp, 53):
		p.dns(cp, length, false, false)
	case isPort(sp, dp, 5353):
		p.dns(cp, length, false, true)
	case isPort(sp, dp, 67) || isPort(sp, dp, 68):
		p.bootp(cp, length)
	case isPort(sp, dp, 500):
		p.isakmp(cp, length, h)
	case isPort(sp, dp, 4500):
		p.isakmpNATT(cp, length, h)
	case isPort(sp, dp, 123):
		p.ntp(cp, length)
	case isPort(sp, dp, 4789):
		p.vxlan(cp, length)
	case dp == 6081:
		p.geneve(cp, length)
	case isPort(sp, dp, 6635):
		p.mpls(cp, length)
	default:
		plain()
	}
}

var icmpNames = map[uint8]string{0: "echo reply", 4: "source quench", 8: "echo request",
	10: "router solicitation", 13: "time stamp request", 14: "time stamp reply",
	15: "information request", 16: "information reply", 17: "address mask request"}

func (p *Printer) icmp(b []byte, length int, h ipHdr, fragmented bool) {
	p.proto = "icmp"
	t, code := u8(b, 0), u8(b, 1)
	var s string
	inner := from(b, 8)
	idst := func() string { return p.addr4(inner, 16) }
	switch t {
	case 0, 8:
		s = fmt.Sprintf("echo %s, id %d, seq %d", map[bool]string{true: "request", false: "reply"}[t == 8], u16(b, 4), u16(b, 6))
	case 3:
		switch code {
		case 0:
			s = fmt.Sprintf("net %s unreachable", idst())
		case 1:
			s = fmt.Sprintf("host %s unreachable", idst())
		case 2:
			s = fmt.Sprintf("%s protocol %d unreachable", idst(), u8(inner, 9))
		case 3:
			proto := u8(inner, 9)
			hl := int(u8(inner, 0)&0xf) * 4
			dport := u16(inner, hl+2)
			switch proto {
			case 6:
				s = fmt.Sprintf("%s tcp port %s unreachable", idst(), p.port("tcp", dport))
			case 17:
				s = fmt.Sprintf("%s udp port %s unreachable", idst(), p.port("udp", dport))
			default:
				s = fmt.Sprintf("%s protocol %d port %d unreachable", idst(), proto, dport)
			}
		case 4:
			if mtu := u16(b, 6); mtu != 0 {
				s = fmt.Sprintf("%s unreachable - need to frag (mtu %d)", idst(), mtu)
			} else {
				s = fmt.Sprintf("%s unreachable - need to frag", idst())
			}
		default:
			f := map[uint8]string{5: "%s unreachable - source route failed", 6: "net %s unreachable - unknown",
				7: "host %s unreachable - unknown", 8: "%s unreachable - source host isolated",
				9: "net %s unreachable - admin prohibited", 10: "host %s unreachable - admin prohibited",
				11: "net %s unreachable - tos prohibited", 12: "host %s unreachable - tos prohibited",
				13: "host %s unreachable - admin prohibited filter", 14: "host %s unreachable - host precedence violation",
				15: "host %s unreachable - precedence cutoff"}[code]
			if f == "" {
				s = fmt.Sprintf("%s unreachable - #%d", idst(), code)
			} else {
				s = fmt.Sprintf(f, idst())
			}
		}
	case 5:
		f := map[uint8]string{0: "redirect %s to net %s", 1: "redirect %s to host %s", 2: "redirect-tos %s to net %s", 3: "redirect-tos %s to host %s"}[code]
		if f == "" {
			s = fmt.Sprintf("redirect-#%d %s to %s", code, idst(), p.addr4(b, 4))
		} else {
			s = fmt.Sprintf(f, idst(), p.addr4(b, 4))
		}
	case 11:
		need(inner, 20)
		switch code {
		case 0:
			s = "time exceeded in-transit"
		case 1:
			s = "ip reassembly time exceeded"
		default:
			s = fmt.Sprintf("time exceeded-#%d", code)
		}
	case 12:
		if code != 0 {
			s = fmt.Sprintf("parameter problem - code %d", code)
		} else {
			s = fmt.Sprintf("parameter problem - octet %d", u8(b, 4))
		}
	case 18:
		s = fmt.Sprintf("address mask is 0x%08x", u32(b, 8))
	case 13:
		s = fmt.Sprintf("time stamp query id %d seq %d", u16(b, 4), u16(b, 6))
	default:
		s = tok(icmpNames, "type-#%d", t)
	}
	p.printf("ICMP %s, length %d", s, length)
	if p.opts.Verbose > 0 && !fragmented && len(b) >= length {
		if sum := foldCksum(inCksum(0, b[:length])); sum != 0 {
			isum := u16(b, 2)
			p.printf(" (wrong icmp cksum %x (->%x)!)", isum, shouldBe(isum, sum))
		}
	}
	if p.opts.Verbose > 0 && (t == 3 || t == 4 || t == 5 || t == 11 || t == 12) {
		p.str("\n\t")
		il := int(u16(inner, 2))
		saved := p.opts.Ether
		p.opts.Ether = false
		func() {
			defer func() { p.opts.Ether = saved }()
			p.ip4(clip(inner, il), il)
		}()
	}
	p.proto = "icmp"
}

var icmp6Names = map[uint8]string{1: "destination unreachable", 2: "packet too big",
	3: "time exceeded in-transit", 4: "parameter problem", 128: "echo request", 129: "echo reply",
	130: "multicast listener query", 131: "multicast listener report", 132: "multicast listener done",
	133: "router solicitation", 134: "router advertisement", 135: "neighbor solicitation",
	136: "neighbor advertisement", 137: "redirect", 138: "router renumbering",
	141: "inverse neighbor solicitation", 142: "inverse neighbor advertisement",
	143: "multicast listener report v2", 144: "ha discovery request", 145: "ha discovery reply",
	146: "mobile router solicitation", 147: "mobile router advertisement",
	139: "node information query", 140: "node information reply", 200: "mtrace response",
	201: "mtrace message", 155: "RPL"}

var icmp6Unreach = map[uint8]string{0: "unreachable route", 1: " unreachable prohibited",
	2: "beyond scope", 3: "unreachable address", 4: "unreachable port"}

var icmp6OptNames = map[uint8]string{1: "source link-address", 2: "destination link-address",
	3: "prefix info", 4: "redirected header", 5: "mtu", 25: "rdnss", 31: "dnssl",
	7: "advertisement interval", 8: "homeagent information", 24: "route info", 14: "nonce"}

func (p *Printer) icmp6(b []byte, length int, h ipHdr) {
	p.proto = "icmp6"
	if length == 0 {
		p.str("ICMP6, length 0 (invalid)")
		return
	}
	if p.opts.Verbose > 0 && len(b) >= length && h.nextIsUs {
		csum := u16(b, 2)
		if s := foldCksum(h.pseudoSum(58, length) + inCksum(0, b[:length])); s != 0 {
			p.printf("[bad icmp6 cksum 0x%04x -> 0x%04x!] ", csum, shouldBe(csum, s))
		} else {
			p.str("[icmp6 sum ok] ")
		}
	}
	t := u8(b, 0)
	p.printf("ICMP6, %s", tok(icmp6Names, "unknown icmp6 type (%d)", t))
	if p.opts.Verbose > 0 && (t == 133 || t == 134 || t == 135 || t == 136 || t == 137 || t == 145 || t == 147) {
		p.printf(", length %d", length)
	}
	code := u8(b, 1)
	oip := from(b, 8)
	switch t {
	case 1:
		p.printf(", %s", tok(icmp6Unreach, "unknown unreach code (%d)", code))
		switch code {
		case 1, 3:
			p.printf(" %s", p.addr6(oip, 24))
		case 2:
			p.printf(" %s, source address %s", p.addr6(oip, 24), p.addr6(oip, 8))
		case 4:
			nh := u8(oip, 6)
			up := from(oip, 40)
			for nh == 0 || nh == 60 || nh == 43 || nh == 44 {
				l := (int(u8(up, 1)) + 1) * 8
				if nh == 44 {
					l = 8
				}
				nh = u8(up, 0)
				up = from(up, l)
			}
			dport := u16(up, 2)
			switch nh {
			case 6:
				p.printf(", %s tcp port %s", p.addr6(oip, 24), p.port("tcp", dport))
			case 17:
				p.printf(", %s udp port %s", p.addr6(oip, 24), p.port("udp", dport))
			default:
				p.printf(", %s protocol %d port %d unreachable", p.addr6(oip, 24), nh, dport)
			}
		default:
			if p.opts.Verbose <= 1 {
				p.unknownData("\n\t", b, length)
				return
			}
		}
	case 2:
		p.printf(", mtu %d", u32(b, 4))
	case 3:
		switch code {
		case 0:
			p.printf(" for %s", p.addr6(oip, 24))
		case 1:
			p.str(" (reassembly)")
		default:
			p.printf(", unknown code (%d)", code)
		}
	case 4:
		need(oip, 40)
		f := map[uint8]string{0: ", erroneous - octet %d", 1: ", next header - octet %d", 2: ", option - octet %d", 3: ", incomplete header chain - octet %d"}[code]
		if f == "" {
			p.printf(", code-#%d", code)
		} else {
			p.printf(f, u32(b, 4))
		}
	case 128, 129:
		p.printf(", id %d, seq %d", u16(b, 4), u16(b, 6))
	case 130:
		if length == 24 {
			p.mld6(b)
		} else if length >= 28 {
			p.str(" v2")
			p.mldv2Query(b, length)
		} else {
			p.printf(" unknown-version (len %d) ", length)
		}
	case 131, 132:
		p.mld6(b)
	case 133:
		if p.opts.Verbose > 0 {
			p.ndOpts(from(b, 8), length-8)
		}
	case 134:
		if p.opts.Verbose > 0 {
			fl := u8(b, 5)
			p.printf("\n\thop limit %d, Flags [%s], pref %s, router lifetime %ds, reachable time %dms, retrans timer %dms",
				u8(b, 4), bits([]bitName{{0x80, "managed"}, {0x40, "other stateful"}, {0x20, "home agent"}, {0x04, "proxy"}}, "none", ", ", uint32(fl)),
				[]string{"medium", "high", "rsv", "low"}[(fl>>3)&3], u16(b, 6), u32(b, 8), u32(b, 12))
			p.ndOpts(from(b, 16), length-16)
		}
	case 135:
		p.printf(", who has %s", p.addr6(b, 8))
		if p.opts.Verbose > 0 {
			p.ndOpts(from(b, 24), length-24)
		}
	case 136:
		p.printf(", tgt is %s", p.addr6(b, 8))
		if p.opts.Verbose > 0 {
			p.printf(", Flags [%s]", bits([]bitName{{0x80000000, "router"}, {0x40000000, "solicited"}, {0x20000000, "override"}}, "none", ", ", u32(b, 4)))
			p.ndOpts(from(b, 24), length-24)
		}
	case 137:
		p.printf(", %s", p.addr6(b, 24))
		p.printf(" to %s", p.addr6(b, 8))
		if p.opts.Verbose > 0 {
			p.ndOpts(from(b, 40), length-40)
		}
	case 143:
		p.mldv2Report(b, length)
	case 141, 142:
	default:
		p.printf(", length %d", length)
		if p.opts.Verbose <= 1 {
			p.unknownData("\n\t", b, length)
		}
		return
	}
	if p.opts.Verbose == 0 {
		p.printf(", length %d", length)
	}
}

// unknownData is tcpdump's print_unknown_data.
func (p *Printer) unknownData(indent string, b []byte, length int) {
	if length < 0 {
		return
	}
	p.hex(indent, clip(b, length), 0)
}

func (p *Printer) mld6(b []byte) {
	need(b, 24)
	p.printf("max resp delay: %d addr: %s", u16(b, 4), p.addr6(b, 8))
}

func (p *Printer) mldv2Query(b []byte, length int) {
	mrc := int(u16(b, 4))
	mrt := mrc
	if mrc >= 32768 {
		mrt = ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3)
	}
	if p.opts.Verbose > 0 {
		p.printf(" [max resp delay=%d]", mrt)
	}
	p.printf(" [gaddr %s", p.addr6(b, 8))
	if p.opts.Verbose > 0 {
		if u8(b, 24)&0x08 != 0 {
			p.str(" sflag")
		}
		if q := u8(b, 24) & 7; q != 0 {
			p.printf(" robustness=%d", q)
		}
		qqi := int(u8(b, 25))
		if qqi >= 128 {
			qqi = ((qqi & 0x0f) | 0x10) << (((qqi & 0x70) >> 4) + 3)
		}
		p.printf(" qqi=%d", qqi)
	}
	ns := int(u16(b, 26))
	if ns > 0 {
		if p.opts.Verbose == 0 {
			p.printf(", %d source(s)", ns)
		} else {
			p.str(" {")
			for i := 0; i < ns; i++ {
				p.printf(" %s", p.addr6(b, 28+16*i))
			}
			p.str(" }")
		}
	}
	p.str("]")
}

func (p *Printer) mldv2Report(b []byte, length int) {
	if length < 8 {
		p.printf(" [invalid len %d]", length)
		return
	}
	ng := int(u16(b, 6))
	p.printf(", %d group record(s)", ng)
	if p.opts.Verbose == 0 {
		return
	}
	g := 8
	for i := 0; i < ng; i++ {
		need(b, g+20)
		p.printf(" [gaddr %s", p.addr6(b, g+4))
		p.printf(" %s", tok(map[uint8]string{1: "is_in", 2: "is_ex", 3: "to_in", 4: "to_ex", 5: "allow", 6: "block"}, "Invalid record type 0x%x", b[g]))
		ns := int(u16(b, g+2))
		if p.opts.Verbose == 1 {
			p.printf(", %d source(s)", ns)
		} else {
			p.str(" {")
			for j := 0; j < ns; j++ {
				p.printf(" %s", p.addr6(b, g+20+16*j))
			}
			p.str(" }")
		}
		g += 20 + ns*16 + int(b[g+1])*4
		p.str("]")
	}
}

func (p *Printer) ndOpts(b []byte, resid int) {
	for len(b) > 0 {
		if len(b) < 2 {
			p.trunc()
			return
		}
		if resid <= 0 {
			return
		}
		t, l := b[0], int(b[1])
		if l == 0 || l*8 > len(b) {
			p.trunc()
			return
		}
		p.printf("\n\t  %s option (%d), length %d (%d): ", tok(icmp6OptNames, "unknown", t), t, l*8, l)
		switch t {
		case 1, 2:
			p.lladdr(b[2 : l*8])
		case 3:
			p.printf("%s/%d%s, Flags [%s], valid time %s", p.addr6(b, 16), b[2], map[bool]string{true: "badlen"}[l != 4],
				bits([]bitName{{0x80, "onlink"}, {0x40, "auto"}, {0x20, "router"}}, "none", ", ", uint32(b[3])), lifetime(u32(b, 4)))
			p.printf(", pref. time %s", lifetime(u32(b, 8)))
		case 5:
			p.printf(" %d%s", u32(b, 4), map[bool]string{true: "bad option length"}[l != 1])
		case 25:
			p.printf(" lifetime %ds,", u32(b, 4))
			for i := 0; i < (l-1)/2; i++ {
				p.printf(" addr: %s", p.addr6(b, 8+16*i))
			}
		default:
			p.unknownData("\n\t    ", b[2:], l*8-2)
		}
		if p.opts.Verbose > 1 {
			p.unknownData("\n\t    ", b[2:], l*8-2)
		}
		b = b[l*8:]
		resid -= l * 8
	}
}

func lifetime(v uint32) string {
	if v == 0xffffffff {
		return "infinity"
	}
	return fmt.Sprintf("%ds", v)
}

// lladdr prints a link-layer address as tcpdump's print_lladdr does.
func (p *Printer) lladdr(b []byte) {
	for i, c := range b {
		if i > 0 {
			p.str(":")
		}
		p.printf("%02x", c)
	}
}

var igmpNames = map[uint8]string{0x11: "igmp query", 0x12: "igmp v1 report", 0x16: "igmp v2 report",
	0x17: "igmp leave", 0x22: "igmp v3 report", 0x13: "igmp dvmrp", 0x14: "igmp pimv1", 0x1e: "igmp mtrace resp", 0x1f: "igmp mtrace"}

func (p *Printer) igmp(b []byte, length int) {
	p.proto = "igmp"
	t := u8(b, 0)
	switch t {
	case 0x11:
		if length == 8 {
			if u8(b, 1) == 0 {
				p.str("igmp query v1")
			} else {
				p.str("igmp query v2")
			}
			if mrt := b[1]; mrt != 0 && mrt != 100 {
				p.printf(" [max resp time %d]", mrt)
			}
			if g := u32(b, 4); g != 0 {
				p.printf(" [gaddr %s]", p.addr4(b, 4))
			}
		} else if length >= 12 {
			p.str("igmp query v3")
			mrc := int(u8(b, 1))
			mrt := mrc
			if mrc >= 128 {
				mrt = ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3)
			}
			if mrc != 100 {
				p.str(" [max resp time ")
				if mrt < 600 {
					p.printf("%.1fs", float64(mrt)/10)
				} else {
					p.printf("%ds", mrt/10)
				}
				p.str("]")
			}
			if u32(b, 4) != 0 {
				p.printf(" [gaddr %s", p.addr4(b, 4))
				if ns := u16(b, 10); ns > 0 {
					p.printf(", %d source(s)", ns)
				}
				p.str("]")
			} else if ns := u16(b, 10); ns > 0 {
				p.printf(" [%d source(s)]", ns)
			}
		} else {
			p.printf("igmp query [len %d]", length)
		}
	case 0x12, 0x16:
		p.printf("%s %s", igmpNames[t], p.addr4(b, 4))
	case 0x17:
		p.printf("igmp leave %s", p.addr4(b, 4))
	case 0x22:
		ng := u16(b, 6)
		p.printf("igmp v3 report, %d group record(s)", ng)
	case 0x13:
		p.str("igmp dvmrp")
	default:
		p.printf("igmp-%d", t)
	}
	if p.opts.Verbose > 0 && len(b) >= length {
		if sum := foldCksum(inCksum(0, b[:length])); sum != 0 {
			p.printf(" bad igmp cksum %x!", u16(b, 2))
		}
	}
}
