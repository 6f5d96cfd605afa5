package tcpdump

// wifi prints an 802.11 frame (a subset of tcpdump's decoding: control
// frames, data frames and their LLC payload, management frame names).
func (p *Printer) wifi(b []byte, length, caplen, fcsLen int) int {
	p.proto = "802.11"
	if len(b) < 2 {
		p.trunc()
		return len(b)
	}
	fc := uint16(b[0]) | uint16(b[1])<<8
	typ := (fc >> 2) & 3
	sub := (fc >> 4) & 0xf
	switch typ {
	case 1:
		switch sub {
		case 13:
			need(b, 10)
			p.printf("Acknowledgment RA:%s ", p.etherAddr(b[4:]))
			return 10
		case 12:
			need(b, 10)
			p.printf("Clear-To-Send RA:%s ", p.etherAddr(b[4:]))
			return 10
		case 11:
			need(b, 16)
			p.printf("Request-To-Send RA:%s TA:%s ", p.etherAddr(b[4:]), p.etherAddr(b[10:]))
			return 16
		case 10:
			need(b, 16)
			p.printf("Power Save-Poll AID(%d) BSSID:%s TA:%s ", (uint16(b[2])|uint16(b[3])<<8)&0x3fff, p.etherAddr(b[4:]), p.etherAddr(b[10:]))
			return 16
		}
		p.str("Control")
		return 0
	case 0:
		names := map[uint16]string{0: "Assoc Request", 1: "Assoc Response", 2: "ReAssoc Request", 3: "ReAssoc Response",
			4: "Probe Request", 5: "Probe Response", 8: "Beacon", 9: "ATIM", 10: "Disassociation",
			11: "Authentication", 12: "DeAuthentication", 13: "Action"}
		p.str(tok(names, "Unhandled Management subtype(%x)", sub))
		return 24
	case 2:
		hl := 24
		if fc&0x0300 == 0x0300 {
			hl += 6
		}
		if sub&8 != 0 {
			hl += 2
		}
		need(b, hl)
		body := b[hl:]
		if sub&4 != 0 { // no data
			return hl
		}
		if fc&0x4000 != 0 {
			need(body, 4)
			p.printf("Data IV:%3x Pad %d KeyID %d", uint32(body[0])<<16|uint32(body[1])<<8|uint32(body[2]), body[3]&0x1f, body[3]>>6)
			return hl
		}
		n := p.llc(body, length-hl, nil, nil)
		if n < 0 {
			p.defaultPrint(body)
			n = -n
		}
		return hl + n
	}
	return 0
}

// radiotap skips a radiotap header and prints the 802.11 frame after it.
func (p *Printer) radiotap(b []byte, length int) int {
	p.proto = "radiotap"
	need(b, 8)
	l := int(uint16(b[2]) | uint16(b[3])<<8)
	need(b, l)
	return l + p.wifi(b[l:], length-l, len(b)-l, 0)
}

// ppi skips a Per-Packet Information header and prints the frame after it.
func (p *Printer) ppi(b []byte, length int) int {
	p.proto = "ppi"
	need(b, 8)
	l := int(uint16(b[2]) | uint16(b[3])<<8)
	dlt := int(uint32(b[4]) | uint32(b[5])<<8 | uint32(b[6])<<16 | uint32(b[7])<<24)
	need(b, l)
	if p.opts.Ether {
		p.printf("V.%d DLT %d len %d, ", b[0], dlt, l)
	}
	switch dlt {
	case dltIEEE80211:
		return l + p.wifi(b[l:], length-l, len(b)-l, 0)
	case dltEthernet:
		return l + p.ether(b[l:], length-l, 0, nil)
	}
	return l
}
