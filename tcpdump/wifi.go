package tcpdump

import "encoding/binary"

func le16(b []byte, i int) uint16 {
	need(b, i+2)
	return binary.LittleEndian.Uint16(b[i:])
}

var wifiMgmtNames = map[uint16]string{0: "Assoc Request", 1: "Assoc Response", 2: "ReAssoc Request",
	3: "ReAssoc Response", 4: "Probe Request", 5: "Probe Response", 8: "Beacon", 9: "ATIM",
	10: "Disassociation", 11: "Authentication", 12: "DeAuthentication", 13: "Action"}

var wifiCtrlNames = map[uint16]string{7: "Control Wrapper", 8: "BAR", 9: "BA", 10: "Power Save-Poll",
	11: "Request-To-Send", 12: "Clear-To-Send", 13: "Acknowledgment", 14: "CF-End", 15: "CF-End+CF-Ack"}

var wifiCtrlHdrLen = map[uint16]int{7: 16, 8: 20, 9: 16, 10: 16, 11: 16, 12: 10, 13: 10, 14: 16, 15: 16}

// wifi prints an 802.11 frame (tcpdump's ieee802_11_print) and returns
// its header length.
func (p *Printer) wifi(b []byte, length, caplen, fcsLen int, pad bool) int {
	p.proto = "802.11"
	if length < fcsLen {
		p.trunc()
		return caplen
	}
	length -= fcsLen
	if caplen > length {
		fcsLen = caplen - length
		caplen -= fcsLen
		b = b[:caplen]
	}
	if caplen < 2 {
		p.trunc()
		return caplen
	}
	fc := le16(b, 0)
	typ, sub := (fc>>2)&3, (fc>>4)&0xf
	var hl int
	switch typ {
	case 0:
		hl = 24
	case 1:
		l, ok := wifiCtrlHdrLen[sub]
		if !ok {
			p.printf("unknown 802.11 ctrl frame subtype (%d)", sub)
			return 0
		}
		hl = l
	case 2:
		hl = 24
		if fc&0x0300 == 0x0300 {
			hl = 30
		}
		if sub&8 != 0 {
			hl += 2
		}
	default:
		p.printf("unknown 802.11 frame type (%d)", typ)
		return 0
	}
	if pad {
		hl = (hl + 3) &^ 3
	}
	if caplen < hl {
		p.trunc()
		return hl
	}
	if p.opts.Ether {
		p.wifiHeader(fc, b)
	}
	body := b[hl:]
	length -= hl
	switch typ {
	case 0:
		if !p.wifiMgmt(fc, b, body, length) {
			p.trunc()
		}
	case 1:
		p.wifiCtrl(fc, b)
	case 2:
		if sub&4 != 0 {
			return hl
		}
		if fc&0x4000 != 0 {
			p.str("Data")
			p.wep(body)
			return hl
		}
		var src, dst []byte
		switch fc & 0x0300 {
		case 0:
			src, dst = b[10:16], b[4:10]
		case 0x0200:
			src, dst = b[16:22], b[4:10]
		case 0x0100:
			src, dst = b[10:16], b[16:22]
		default:
			src, dst = b[24:30], b[16:22]
		}
		n := p.llc(body, length, src, dst)
		if n < 0 {
			p.defaultPrint(body)
			n = -n
		}
		hl += n
	}
	return hl
}

func (p *Printer) wep(b []byte) {
	need(b, 4)
	iv := binary.LittleEndian.Uint32(b)
	p.printf(" IV:%3x Pad %x KeyID %x", iv&0xffffff, (iv>>24)&0x3f, (iv>>30)&3)
}

// wifiHeader prints the addresses of an 802.11 header (with -e).
func (p *Printer) wifiHeader(fc uint16, b []byte) {
	typ, sub := (fc>>2)&3, (fc>>4)&0xf
	if p.opts.Verbose > 0 {
		for _, f := range []struct {
			bit  uint16
			name string
		}{{0x2000, "More Data "}, {0x0400, "More Fragments "}, {0x1000, "Pwr Mgmt "}, {0x0800, "Retry "}, {0x8000, "Strictly Ordered "}, {0x4000, "Protected "}} {
			if fc&f.bit != 0 {
				p.str(f.name)
			}
		}
		if typ != 1 || sub != 10 {
			p.printf("%dus ", le16(b, 2))
		}
	}
	a := func(i int) string { return p.etherAddr(b[i : i+6]) }
	switch typ {
	case 0:
		p.printf("BSSID:%s DA:%s SA:%s ", a(16), a(4), a(10))
	case 1:
		switch sub {
		case 8:
			p.printf(" RA:%s TA:%s CTL(%x) SEQ(%d) ", a(4), a(10), le16(b, 16), le16(b, 18))
		case 9, 12, 13:
			p.printf("RA:%s ", a(4))
		case 10:
			p.printf("BSSID:%s TA:%s ", a(4), a(10))
		case 11:
			p.printf("RA:%s TA:%s ", a(4), a(10))
		case 14, 15:
			p.printf("RA:%s BSSID:%s ", a(4), a(10))
		}
	case 2:
		if sub&1 != 0 || sub&2 != 0 || sub&8 != 0 {
			p.str("CF ")
			if sub&1 != 0 {
				if sub&2 != 0 {
					p.str("Ack/Poll")
				} else {
					p.str("Ack")
				}
			} else if sub&2 != 0 {
				p.str("Poll")
			}
			if sub&8 != 0 {
				p.str("+QoS")
			}
			p.str(" ")
		}
		switch fc & 0x0300 {
		case 0:
			p.printf("DA:%s SA:%s BSSID:%s ", a(4), a(10), a(16))
		case 0x0200:
			p.printf("DA:%s BSSID:%s SA:%s ", a(4), a(10), a(16))
		case 0x0100:
			p.printf("BSSID:%s SA:%s DA:%s ", a(4), a(10), a(16))
		default:
			p.printf("RA:%s TA:%s DA:%s SA:%s ", a(4), a(10), a(16), a(24))
		}
	}
}

func (p *Printer) wifiCtrl(fc uint16, b []byte) {
	sub := (fc >> 4) & 0xf
	p.str(tok(wifiCtrlNames, "Unknown Ctrl Subtype", sub))
	a := func(i int) string { return p.etherAddr(b[i : i+6]) }
	switch sub {
	case 8:
		if !p.opts.Ether {
			p.printf(" RA:%s TA:%s CTL(%x) SEQ(%d) ", a(4), a(10), le16(b, 16), le16(b, 18))
		}
	case 9, 12, 13:
		if !p.opts.Ether {
			p.printf(" RA:%s ", a(4))
		}
	case 10:
		p.printf(" AID(%x)", le16(b, 2))
	case 11:
		if !p.opts.Ether {
			p.printf(" TA:%s ", a(10))
		}
	case 14, 15:
		if !p.opts.Ether {
			p.printf(" RA:%s ", a(4))
		}
	}
}

// wifiElems are the information elements tcpdump shows of a management
// frame.
type wifiElems struct {
	ssid      []byte
	hasSSID   bool
	rates     []byte
	channel   int // -1 if absent
	challenge bool
}

func parseElems(b []byte) (e wifiElems, ok bool) {
	e.channel = -1
	for len(b) > 0 {
		if len(b) < 2 {
			return e, false
		}
		id, l := b[0], int(b[1])
		if len(b) < 2+l {
			return e, false
		}
		v := b[2 : 2+l]
		switch id {
		case 0:
			if l > 32 {
				return e, false
			}
			if !e.hasSSID {
				e.ssid, e.hasSSID = v, true
			}
		case 1:
			if l > 15 {
				return e, false
			}
			if e.rates == nil && l != 0 {
				e.rates = v
			}
		case 3:
			if l == 1 && e.channel < 0 {
				e.channel = int(v[0])
			}
		case 16:
			if l > 253 {
				return e, false
			}
			e.challenge = true
		}
		b = b[2+l:]
	}
	return e, true
}

func (p *Printer) wifiSSID(e wifiElems) {
	if e.hasSSID {
		p.str(" (")
		for _, c := range e.ssid {
			if c == 0 {
				break
			}
			p.charEsc(c)
		}
		p.str(")")
	}
}

func (p *Printer) wifiRates(e wifiElems) {
	if len(e.rates) == 0 {
		return
	}
	sep := " ["
	for _, r := range e.rates {
		suf := ""
		if r&0x80 != 0 {
			suf = "*"
		}
		p.printf("%s%2.1f%s", sep, 0.5*float64(r&0x7f), suf)
		sep = " "
	}
	p.str(" Mbit]")
}

func (p *Printer) wifiChannel(e wifiElems, capInfo uint16) {
	if e.channel >= 0 {
		p.printf(" CH: %d", e.channel)
	}
	if capInfo&0x10 != 0 {
		p.str(", PRIVACY")
	}
}

func textOf(tab []string, i uint16, def string) string {
	if int(i) < len(tab) {
		return tab[i]
	}
	return def
}

// wifiMgmt prints a management frame's body; false if it is truncated.
func (p *Printer) wifiMgmt(fc uint16, hdr, b []byte, length int) bool {
	sub := (fc >> 4) & 0xf
	p.str(tok(wifiMgmtNames, "Unhandled Management subtype(%x)", sub))
	if fc&0x4000 != 0 {
		p.wep(b)
		return true
	}
	b = clip(b, length)
	switch sub {
	case 0, 2:
		fixed := 4
		if sub == 2 {
			fixed = 10
		}
		if len(b) < fixed {
			return false
		}
		e, ok := parseElems(b[fixed:])
		p.wifiSSID(e)
		if sub == 0 {
			p.wifiRates(e)
		} else {
			p.printf(" AP : %s", p.etherAddr(b[4:10]))
		}
		return ok
	case 1, 3:
		if len(b) < 6 {
			return false
		}
		capInfo, status, aid := le16(b, 0), le16(b, 2), le16(b, 4)
		_, ok := parseElems(b[6:])
		p.printf(" AID(%x) :%s: %s", (aid<<2)>>2, map[bool]string{true: " PRIVACY "}[capInfo&0x10 != 0], textOf(wifiStatus, status, "n/a"))
		return ok
	case 4:
		e, ok := parseElems(b)
		p.wifiSSID(e)
		p.wifiRates(e)
		return ok
	case 5, 8:
		if len(b) < 12 {
			return false
		}
		capInfo := le16(b, 10)
		e, ok := parseElems(b[12:])
		p.wifiSSID(e)
		p.wifiRates(e)
		if sub == 8 {
			if capInfo&1 != 0 {
				p.str(" ESS")
			} else {
				p.str(" IBSS")
			}
		}
		p.wifiChannel(e, capInfo)
		return ok
	case 10:
		if len(b) < 2 {
			return false
		}
		p.printf(": %s", textOf(wifiReason, le16(b, 0), "Reserved"))
	case 11:
		if len(b) < 6 {
			return false
		}
		alg, seq, status := le16(b, 0), le16(b, 2), le16(b, 4)
		_, ok := parseElems(b[6:])
		algName := textOf([]string{"Open System", "Shared Key", "EAP"}, alg, "Reserved")
		st := ""
		if seq%2 == 1 {
			st = textOf(wifiStatus, status, "n/a")
		}
		if alg == 1 && (seq == 2 || seq == 3) {
			p.printf(" (%s)-%x [Challenge Text] %s", algName, seq, st)
			return ok
		}
		p.printf(" (%s)-%x: %s", algName, seq, st)
		return ok
	case 12:
		if len(b) < 2 {
			return false
		}
		reason := textOf(wifiReason, le16(b, 0), "Reserved")
		if p.opts.Ether {
			p.printf(": %s", reason)
		} else {
			p.printf(" (%s): %s", p.etherAddr(hdr[10:16]), reason)
		}
	case 13:
		if len(b) < 2 {
			return false
		}
		if !p.opts.Ether {
			p.printf(" (%s): ", p.etherAddr(hdr[10:16]))
		} else {
			p.str(": ")
		}
		p.printf("Act#%d", b[0])
	}
	return true
}

// radiotap prints a radiotap header's fields and the 802.11 frame after it.
func (p *Printer) radiotap(b []byte, length int) int {
	p.proto = "802.11_radio"
	if len(b) < 8 {
		p.trunc()
		return len(b)
	}
	l := int(le16(b, 2))
	if l < 8 || len(b) < l {
		p.trunc()
		return len(b)
	}
	hdr := b[:l]
	// The presence words, chained by bit 31.
	last := 4
	for last+4 <= l && binary.LittleEndian.Uint32(hdr[last:])&(1<<31) != 0 {
		last += 4
	}
	if last+4 > l {
		p.trunc()
		return len(b)
	}
	off := last + 4
	var flags uint8
	bit0 := 0
	vendor := false
	skip := 0
	stop := false
	for w := 4; w <= last && !stop; w += 4 {
		present := binary.LittleEndian.Uint32(hdr[w:])
		if vendor {
			off += skip
			skip = 0
		} else {
			for bitno := 0; bitno < 29; bitno++ {
				if present&(1<<bitno) == 0 {
					continue
				}
				var ok bool
				off, ok = p.radiotapField(hdr, off, bit0+bitno, &flags, present)
				if !ok {
					stop = true
					break
				}
			}
		}
		switch present & (3 << 29) {
		case 0:
			bit0 += 32
		case 1 << 29:
			bit0, vendor, skip = 0, false, 0
		case 1 << 30:
			bit0, vendor = 0, true
			off = (off + 1) &^ 1
			if off+6 > l {
				p.trunc()
				stop = true
				break
			}
			skip = int(le16(hdr, off+4))
			off += 6
		}
	}
	fcs := 0
	if flags&0x10 != 0 {
		fcs = 4
	}
	return l + p.wifi(b[l:], length-l, len(b)-l, fcs, flags&0x20 != 0)
}

// radiotapField prints one radiotap field at off (aligned as tcpdump's
// cpack does) and returns the offset after it; false stops the walk.
func (p *Printer) radiotapField(h []byte, off, bit int, flags *uint8, present uint32) (int, bool) {
	align := func(n int) bool {
		off = (off + n - 1) / n * n
		return off+n <= len(h)
	}
	r8 := func() (uint8, bool) {
		if !align(1) {
			return 0, false
		}
		v := h[off]
		off++
		return v, true
	}
	r16 := func() (uint16, bool) {
		if !align(2) {
			return 0, false
		}
		v := binary.LittleEndian.Uint16(h[off:])
		off += 2
		return v, true
	}
	r32 := func() (uint32, bool) {
		if !align(4) {
			return 0, false
		}
		v := binary.LittleEndian.Uint32(h[off:])
		off += 4
		return v, true
	}
	fail := func() (int, bool) {
		p.trunc()
		return off, false
	}
	switch bit {
	case 0:
		if !align(8) {
			return fail()
		}
		p.printf("%dus tsft ", binary.LittleEndian.Uint64(h[off:]))
		off += 8
	case 1:
		v, ok := r8()
		if !ok {
			return fail()
		}
		*flags = v
		for _, f := range []struct {
			bit  uint8
			name string
		}{{0x01, "cfp "}, {0x02, "short preamble "}, {0x04, "wep "}, {0x08, "fragmented "}, {0x40, "bad-fcs "}} {
			if v&f.bit != 0 {
				p.str(f.name)
			}
		}
	case 2:
		v, ok := r8()
		if !ok {
			return fail()
		}
		if v >= 0x80 && v <= 0x8f {
			p.printf("MCS %d ", v&0x7f)
		} else {
			p.printf("%2.1f Mb/s ", 0.5*float64(v))
		}
	case 3:
		freq, ok1 := r16()
		fl, ok2 := r16()
		if !ok1 || !ok2 {
			return fail()
		}
		if present&(1<<18) == 0 {
			p.chanInfo(freq, uint32(fl), present)
		}
	case 4:
		a, ok1 := r8()
		b, ok2 := r8()
		if !ok1 || !ok2 {
			return fail()
		}
		p.printf("fhset %d fhpat %d ", a, b)
	case 5, 6:
		v, ok := r8()
		if !ok {
			return fail()
		}
		p.printf("%ddBm %s ", int8(v), map[bool]string{true: "signal", false: "noise"}[bit == 5])
	case 7:
		v, ok := r16()
		if !ok {
			return fail()
		}
		p.printf("%d sq ", v)
	case 8:
		v, ok := r16()
		if !ok {
			return fail()
		}
		p.printf("%d tx power ", -int(int16(v)))
	case 9:
		v, ok := r8()
		if !ok {
			return fail()
		}
		p.printf("%ddB tx attenuation ", -int(int8(v)))
	case 10:
		v, ok := r8()
		if !ok {
			return fail()
		}
		p.printf("%ddBm tx power ", int8(v))
	case 11:
		v, ok := r8()
		if !ok {
			return fail()
		}
		p.printf("antenna %d ", v)
	case 12, 13:
		v, ok := r8()
		if !ok {
			return fail()
		}
		p.printf("%ddB %s ", v, map[bool]string{true: "signal", false: "noise"}[bit == 12])
	case 14:
		if _, ok := r16(); !ok {
			return fail()
		}
	case 18:
		fl, ok1 := r32()
		freq, ok2 := r16()
		_, ok3 := r8()
		_, ok4 := r8()
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return fail()
		}
		p.chanInfo(freq, fl, present)
	case 19:
		known, ok1 := r8()
		fl, ok2 := r8()
		idx, ok3 := r8()
		if !ok1 || !ok2 || !ok3 {
			return fail()
		}
		if known&0x02 != 0 {
			rate := 0.0
			if idx <= 76 && known&0x05 != 0 {
				rate = htRate(idx, fl&3 == 1, fl&4 != 0)
			}
			if rate != 0 {
				p.printf("%.1f Mb/s MCS %d ", rate, idx)
			} else {
				p.printf("MCS %d ", idx)
			}
		}
		if known&0x01 != 0 {
			p.printf("%s ", []string{"20 MHz", "40 MHz", "20 MHz (L)", "20 MHz (U)"}[fl&3])
		}
		if known&0x04 != 0 {
			p.printf("%s GI ", map[bool]string{true: "short", false: "long"}[fl&4 != 0])
		}
		if known&0x08 != 0 {
			p.printf("%s ", map[bool]string{true: "greenfield", false: "mixed"}[fl&8 != 0])
		}
		if known&0x10 != 0 {
			p.printf("%s FEC ", map[bool]string{true: "LDPC", false: "BCC"}[fl&0x10 != 0])
		}
		if known&0x20 != 0 {
			p.printf("RX-STBC%d ", (fl&0x60)>>5)
		}
	case 20:
		_, ok1 := r32()
		_, ok2 := r16()
		_, ok3 := r8()
		_, ok4 := r8()
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return fail()
		}
	case 21:
		known, ok1 := r16()
		fl, ok2 := r8()
		bw, ok3 := r8()
		if !ok1 || !ok2 || !ok3 {
			return fail()
		}
		var mcs [4]uint8
		for i := range mcs {
			v, ok := r8()
			if !ok {
				return fail()
			}
			mcs[i] = v
		}
		coding, ok4 := r8()
		_, ok5 := r8()
		_, ok6 := r16()
		if !ok4 || !ok5 || !ok6 {
			return fail()
		}
		for i, v := range mcs {
			if v&0x0f == 0 {
				continue
			}
			p.printf("User %d MCS %d ", i, v>>4)
			p.printf("%s FEC ", map[bool]string{true: "LDPC", false: "BCC"}[coding&(1<<i) != 0])
		}
		if known&0x40 != 0 {
			p.printf("%s ", vhtBandwidth(bw&0x1f))
		}
		if known&0x04 != 0 {
			p.printf("%s GI ", map[bool]string{true: "short", false: "long"}[fl&4 != 0])
		}
	default:
		p.printf("[bit %d] ", bit)
		return off, false
	}
	return off, true
}

func vhtBandwidth(v uint8) string {
	names := []string{"20 MHz", "40 MHz", "20 MHz (L)", "20 MHz (U)", "80 MHz", "80 MHz (L)", "80 MHz (U)",
		"80 MHz (LL)", "80 MHz (LU)", "80 MHz (UL)", "80 MHz (UU)", "160 MHz", "160 MHz (L)", "160 MHz (U)",
		"160 MHz (LL)", "160 MHz (LU)", "160 MHz (UL)", "160 MHz (UU)", "160 MHz (LLL)", "160 MHz (LLU)",
		"160 MHz (LUL)", "160 MHz (UUU)", "160 MHz (ULL)", "160 MHz (ULU)", "160 MHz (UUL)", "160 MHz (UUU)"}
	if int(v) < len(names) {
		return names[v]
	}
	return "unknown (" + itoa(int(v)) + ")"
}

func itoa(v int) string {
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}

// htRate is the 802.11n data rate of an MCS index (0-31 here; tcpdump's
// table holds the same figures).
func htRate(idx uint8, wide, shortGI bool) float64 {
	if idx >= 32 {
		return 0
	}
	base20 := []float64{6.5, 13, 19.5, 26, 39, 52, 58.5, 65}
	base40 := []float64{13.5, 27, 40.5, 54, 81, 108, 121.5, 135}
	r := base20[idx%8]
	if wide {
		r = base40[idx%8]
	}
	r *= float64(idx/8 + 1)
	if shortGI {
		r = r * 10 / 9
	}
	return r
}

func (p *Printer) chanInfo(freq uint16, fl uint32, present uint32) {
	p.printf("%d MHz", freq)
	if present&(1<<19) != 0 {
		p.str(" 11n")
	} else {
		is := func(m uint32) bool { return fl&m == m }
		if is(0x0080 | 0x0800) {
			p.str(" FHSS")
		}
		if is(0x0100 | 0x0040) {
			switch {
			case fl&0x4000 != 0:
				p.str(" 11a/10Mhz")
			case fl&0x8000 != 0:
				p.str(" 11a/5Mhz")
			default:
				p.str(" 11a")
			}
		}
		if is(0x0080|0x0040) || is(0x0080|0x0400) {
			switch {
			case fl&0x4000 != 0:
				p.str(" 11g/10Mhz")
			case fl&0x8000 != 0:
				p.str(" 11g/5Mhz")
			default:
				p.str(" 11g")
			}
		} else if is(0x0080 | 0x0020) {
			p.str(" 11b")
		}
		if fl&0x0010 != 0 {
			p.str(" Turbo")
		}
	}
	switch {
	case fl&0x10000 != 0:
		p.str(" ht/20")
	case fl&0x40000 != 0:
		p.str(" ht/40-")
	case fl&0x20000 != 0:
		p.str(" ht/40+")
	}
	p.str(" ")
}

// ppi prints a Per-Packet Information header's frame.
func (p *Printer) ppi(b []byte, length int) int {
	p.proto = "ppi"
	if len(b) < 8 {
		p.trunc()
		return len(b)
	}
	l := int(le16(b, 2))
	dlt := int(binary.LittleEndian.Uint32(b[4:]))
	if len(b) < l || l < 8 {
		p.trunc()
		return len(b)
	}
	if p.opts.Ether {
		name, _ := LinkTypeName(LinkType(dlt))
		if _, ok := linkTypeNames[dlt]; !ok {
			name = "unknown"
		}
		p.printf("V.%d DLT %s (%d) len %d, length %d: ", b[0], name, dlt, l, length)
	}
	// tcpdump 4.99 adds the inner header length to the link header
	// length twice (once in the inner printer, once in the PPI one), so
	// its -x dumps start that much later; the dumps follow it.
	switch dlt {
	case dltIEEE80211:
		return l + 2*p.wifi(b[l:], length-l, len(b)-l, 0, false)
	case dltEthernet:
		return l + 2*p.ether(b[l:], length-l, 0, nil)
	}
	return l
}
