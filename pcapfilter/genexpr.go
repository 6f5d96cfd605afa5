package pcapfilter

import (
	"net/netip"

	"github.com/gbpf/gbpf/cbpf"
)

// genScode compiles a name with its qualifiers (libpcap's gen_scode).
func (c *compiler) genScode(name string, q qual) *block {
	proto, dir := q.proto, q.dir
	switch q.addr {
	case qaNet:
		c.errorf("unknown network '%s'", name)
	case qaDefault, qaHost:
		if proto == qLink {
			c.errorf("unknown ether host '%s'", name)
		}
		if proto == qDecnet {
			c.errorf("decnet name support not included, '%s' cannot be translated\n", name)
		}
		addrs, ok := hosts[name]
		if !ok {
			c.errorf("unknown host '%s'", name)
		}
		tproto, tproto6 := proto, proto
		if c.offLinktype.constantPart == offsetNotSet && tproto == qDefault {
			tproto, tproto6 = qIP, qIPv6
		}
		var b *block
		for _, s := range addrs {
			a := netip.MustParseAddr(s)
			var tmp *block
			if a.Is4() {
				if tproto == qIPv6 {
					continue
				}
				v := a.As4()
				tmp = c.genHost(be32(v[:]), 0xffffffff, tproto, dir, q.addr)
			} else {
				if tproto6 == qIP {
					continue
				}
				var mask [16]byte
				for i := range mask {
					mask[i] = 0xff
				}
				tmp = c.genHost6(a.As16(), mask, tproto6, dir, q.addr)
			}
			if b != nil {
				genOr(b, tmp)
			}
			b = tmp
		}
		if b == nil {
			if proto == qDefault {
				c.errorf("unknown host '%s'", name)
			}
			c.errorf("unknown host '%s' for specified address family", name)
		}
		return b
	case qaPort, qaPortrange:
		what := "port"
		if q.addr == qaPortrange {
			what = "portrange"
		}
		if proto != qDefault && proto != qUDP && proto != qTCP && proto != qSCTP {
			c.errorf("illegal qualifier of '%s'", what)
		}
		var p1, p2, real int
		var ok bool
		in := ""
		if q.addr == qaPort {
			p1, real, ok = nameToPort(name)
			p2 = p1
			if !ok {
				c.errorf("unknown port '%s'", name)
			}
		} else {
			in = " in range"
			p1, p2, real, ok = nameToPortrange(name)
			if !ok {
				c.errorf("unknown port in range '%s'", name)
			}
		}
		names := map[int]string{ipprotoTCP: "tcp", ipprotoUDP: "udp", ipprotoSCTP: "sctp"}
		want := map[int]int{qUDP: ipprotoUDP, qTCP: ipprotoTCP, qSCTP: ipprotoSCTP}[proto]
		if proto != qDefault {
			if real != protoUndef && real != want {
				c.errorf("port%s '%s' is %s", in, name, names[real])
			}
			real = want
		}
		for _, p := range []int{p1, p2} {
			if p < 0 {
				c.errorf("illegal port number %d < 0", p)
			}
			if p > 65535 {
				c.errorf("illegal port number %d > 65535", p)
			}
		}
		if q.addr == qaPort {
			return c.genPort(uint32(p1), real, dir)
		}
		return c.genPortrange(uint32(p1), uint32(p2), real, dir)
	case qaGateway:
		c.errorf("'gateway' not supported in this configuration")
	case qaProto, qaProtochain:
		v := c.lookupProto(name, proto)
		if v >= 0 {
			if q.addr == qaProtochain {
				return c.genProtochain(uint32(v), proto)
			}
			return c.genProto(uint32(v), proto, dir)
		}
		c.errorf("unknown protocol: %s", name)
	}
	c.errorf("syntax error in filter expression")
	return nil
}

func (c *compiler) lookupProto(name string, proto int) int {
	switch proto {
	case qDefault, qIP, qIPv6:
		v, ok := ipProtocols[name]
		if !ok {
			c.errorf("unknown ip proto '%s'", name)
		}
		return v
	case qLink:
		v, ok := etherProtocols[name]
		if !ok {
			c.errorf("unknown ether proto '%s'", name)
		}
		return v
	case qISO:
		switch name {
		case "esis":
			return isoESIS
		case "isis":
			return isoISIS
		case "clnp":
			return isoCLNP
		}
		c.errorf("unknown osi proto '%s'", name)
	}
	return protoUndef
}

func (c *compiler) genBroadcast(proto int) *block {
	switch proto {
	case qDefault, qLink:
		if c.linktype == DLTEN10MB {
			return c.genEhostop([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, qdDst)
		}
		c.errorf("not a broadcast link")
	case qIP:
		if c.netmask == 0xffffffff {
			c.errorf("netmask not known, so 'ip broadcast' not supported")
		}
		b0 := c.genLinktype(ethertypeIP)
		hostmask := ^c.netmask
		b1 := c.genMcmp(orLinkpl, 16, cbpf.SizeW, 0, hostmask)
		b2 := c.genMcmp(orLinkpl, 16, cbpf.SizeW, hostmask, hostmask)
		genOr(b1, b2)
		genAnd(b0, b2)
		return b2
	}
	c.errorf("only link-layer/IP broadcast filters supported")
	return nil
}

func (c *compiler) genMulticast(proto int) *block {
	switch proto {
	case qDefault, qLink:
		if c.linktype == DLTEN10MB {
			b := newBlock(jmp(cbpf.JmpJSET))
			b.s.k = 1
			b.stmts = c.genLoadA(orLinkhdr, 0, cbpf.SizeB)
			return b
		}
	case qIP:
		b0 := c.genLinktype(ethertypeIP)
		b1 := c.genCmpGe(orLinkpl, 16, cbpf.SizeB, 224)
		genAnd(b0, b1)
		return b1
	case qIPv6:
		b0 := c.genLinktype(ethertypeIPv6)
		b1 := c.genCmp(orLinkpl, 24, cbpf.SizeB, 255)
		genAnd(b0, b1)
		return b1
	}
	c.errorf("link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel")
	return nil
}

func (c *compiler) genLen(jmpc int, n uint32) *block {
	b := newBlock(jmp(jmpc))
	b.stmts = newStmt(cbpf.ClassLD|cbpf.SizeW|cbpf.ModeLEN, 0)
	b.s.k = n
	return b
}

func (c *compiler) genByteop(op byte, idx, val uint32) *block {
	switch op {
	case '=':
		return c.genCmp(orLinkhdr, idx, cbpf.SizeB, val)
	case '<':
		return c.genCmpLt(orLinkhdr, idx, cbpf.SizeB, val)
	case '>':
		return c.genCmpGt(orLinkhdr, idx, cbpf.SizeB, val)
	}
	code := cbpf.ClassALU | cbpf.AluOR | cbpf.SrcK
	if op == '&' {
		code = cbpf.ClassALU | cbpf.AluAND | cbpf.SrcK
	}
	b := newBlock(jmp(cbpf.JmpJEQ))
	b.stmts = newStmt(code, val)
	genNot(b)
	return b
}

func (c *compiler) genVlan(vlanNum uint32, has bool) *block {
	if c.labelStackDepth > 0 {
		c.errorf("no VLAN match after MPLS")
	}
	if c.linktype != DLTEN10MB {
		c.errorf("no VLAN support for %s", linkTypeDescription(c.linktype))
	}
	b0 := c.genLinktype(ethertype8021Q)
	b1 := c.genLinktype(ethertype8021AD)
	genOr(b0, b1)
	b0 = b1
	b1 = c.genLinktype(ethertype8021QinQ)
	genOr(b0, b1)
	b0 = b1
	if has {
		if vlanNum > 0x0fff {
			c.errorf("VLAN tag %d greater than maximum %d", vlanNum, 0x0fff)
		}
		b1 = c.genMcmp(orLinkpl, 0, cbpf.SizeH, vlanNum, 0x0fff)
		genAnd(b0, b1)
		b0 = b1
	}
	c.offLinkpl.constantPart += 4
	c.offLinktype.constantPart += 4
	c.vlanStackDepth++
	return b0
}

func (c *compiler) genMPLS(label uint32, has bool) *block {
	var b0 *block
	if c.labelStackDepth > 0 {
		b0 = c.genMcmp(orPrevMPLShdr, 2, cbpf.SizeB, 0, 0x01)
	} else {
		switch c.linktype {
		case DLTEN10MB:
			b0 = c.genLinktype(ethertypeMPLS)
		case dltPPP:
			b0 = c.genLinktype(pppMPLSUcast)
		default:
			c.errorf("no MPLS support for %s", linkTypeDescription(c.linktype))
		}
	}
	if has {
		if label > 0xfffff {
			c.errorf("MPLS label %d greater than maximum %d", label, 0xfffff)
		}
		b1 := c.genMcmp(orLinkpl, 0, cbpf.SizeW, label<<12, 0xfffff000)
		genAnd(b0, b1)
		b0 = b1
	}
	c.offNlNosnap += 4
	c.offNl += 4
	c.labelStackDepth++
	return b0
}

func (c *compiler) genPPPoES(sess uint32, has bool) *block {
	b0 := c.genLinktype(ethertypePPPoES)
	if has {
		if sess > 0xffff {
			c.errorf("PPPoE session number %d greater than maximum %d", sess, 0xffff)
		}
		b1 := c.genMcmp(orLinkpl, 0, cbpf.SizeW, sess, 0xffff)
		genAnd(b0, b1)
		b0 = b1
	}
	c.prevlinktype = c.linktype
	c.offPrevlinkhdr = c.offLinkhdr
	c.linktype = dltPPP
	c.offLinkhdr = absOffset{isVariable: c.offLinkpl.isVariable, constantPart: c.offLinkpl.constantPart + c.offNl + 6, reg: c.offLinkpl.reg}
	c.offLinktype = c.offLinkhdr
	c.offLinkpl.constantPart = c.offLinkhdr.constantPart + 2
	c.offNl, c.offNlNosnap = 0, 0
	return b0
}

// arthVal is an arithmetic value under construction (libpcap's struct
// arth): code that leaves the value in scratch register regno, and an
// optional block of tests that must hold for the value to exist.
type arthVal struct {
	b     *block
	s     *slist
	regno int
}

// and makes b the test for a's value to exist, and'd after any test a
// already had.
func (a *arthVal) and(b *block) {
	if a.b != nil {
		genAnd(a.b, b)
	}
	a.b = b
}

func (c *compiler) xferToX(a *arthVal) *slist {
	return newStmt(cbpf.ClassLDX|cbpf.ModeMEM, uint32(a.regno))
}

func (c *compiler) xferToA(a *arthVal) *slist {
	return newStmt(cbpf.ClassLD|cbpf.ModeMEM, uint32(a.regno))
}

// genLoadIndexed loads sizeCode bytes at inst's value plus the absolute
// offset off plus k: X holds inst's value, plus off's variable part if
// it has one.
func (c *compiler) genLoadIndexed(off *absOffset, k uint32, inst *arthVal, sizeCode int) *slist {
	s := c.genAbsOffsetVarpart(off)
	if s != nil {
		sappend(s, c.xferToA(inst))
		sappend(s, newStmt(cbpf.ClassALU|cbpf.AluADD|cbpf.SrcX, 0))
		sappend(s, newStmt(cbpf.ClassMISC|cbpf.MiscTAX, 0))
	} else {
		s = c.xferToX(inst)
	}
	sappend(s, newStmt(cbpf.ClassLD|cbpf.ModeIND|sizeCode, off.constantPart+k))
	return s
}

func (c *compiler) genLoad(proto int, inst *arthVal, size uint32) *arthVal {
	regno := c.allocReg()
	c.freeReg(inst.regno)
	var sizeCode int
	switch size {
	case 1:
		sizeCode = cbpf.SizeB
	case 2:
		sizeCode = cbpf.SizeH
	case 4:
		sizeCode = cbpf.SizeW
	default:
		c.errorf("data size must be 1, 2, or 4")
	}
	switch proto {
	case qLink:
		sappend(inst.s, c.genLoadIndexed(&c.offLinkhdr, 0, inst, sizeCode))
	case qIP, qARP, qRARP, qAtalk, qDecnet, qSca, qLat, qMoprc, qMopdl, qIPv6:
		sappend(inst.s, c.genLoadIndexed(&c.offLinkpl, c.offNl, inst, sizeCode))
		inst.and(c.genProtoAbbrev(proto))
	case qSCTP, qTCP, qUDP, qICMP, qIGMP, qIGRP, qPIM, qVRRP, qCarp:
		s := c.genLoadxIPHdrLen()
		sappend(s, c.xferToA(inst))
		sappend(s, newStmt(cbpf.ClassALU|cbpf.AluADD|cbpf.SrcX, 0))
		sappend(s, newStmt(cbpf.ClassMISC|cbpf.MiscTAX, 0))
		sappend(s, newStmt(cbpf.ClassLD|cbpf.ModeIND|sizeCode, c.offLinkpl.constantPart+c.offNl))
		sappend(inst.s, s)
		b := c.genIPFrag()
		genAnd(c.genProtoAbbrev(proto), b)
		inst.and(b)
		genAnd(c.genProtoAbbrev(qIP), b)
	case qICMPv6:
		inst.and(c.genProtoAbbrev(qIPv6))
		inst.and(c.genCmp(orLinkpl, 6, cbpf.SizeB, 58))
		sappend(inst.s, c.genLoadIndexed(&c.offLinkpl, c.offNl+40, inst, sizeCode))
	case qRadio:
		c.errorf("radio information not present in capture")
	default:
		c.errorf("unsupported index operation")
	}
	inst.regno = regno
	sappend(inst.s, newStmt(cbpf.ClassST, uint32(regno)))
	return inst
}

func (c *compiler) genRelation(code int, a0, a1 *arthVal, reversed bool) *block {
	s0 := c.xferToX(a1)
	s1 := c.xferToA(a0)
	var b *block
	if code == cbpf.JmpJEQ {
		s2 := newStmt(cbpf.ClassALU|cbpf.AluSUB|cbpf.SrcX, 0)
		b = newBlock(jmp(code))
		sappend(s1, s2)
	} else {
		b = newBlock(cbpf.ClassJMP | code | cbpf.SrcX)
	}
	if reversed {
		genNot(b)
	}
	sappend(s0, s1)
	sappend(a1.s, s0)
	sappend(a0.s, a1.s)
	b.stmts = a0.s
	c.freeReg(a0.regno)
	c.freeReg(a1.regno)
	var tmp *block
	if a0.b != nil {
		if a1.b != nil {
			genAnd(a0.b, a1.b)
			tmp = a1.b
		} else {
			tmp = a0.b
		}
	} else {
		tmp = a1.b
	}
	if tmp != nil {
		genAnd(tmp, b)
	}
	return b
}

func (c *compiler) genLoadlen() *arthVal {
	regno := c.allocReg()
	s := newStmt(cbpf.ClassLD|cbpf.ModeLEN, 0)
	s.next = newStmt(cbpf.ClassST, uint32(regno))
	return &arthVal{s: s, regno: regno}
}

func (c *compiler) genLoadi(v uint32) *arthVal {
	reg := c.allocReg()
	s := newStmt(cbpf.ClassLD|cbpf.ModeIMM, v)
	s.next = newStmt(cbpf.ClassST, uint32(reg))
	return &arthVal{s: s, regno: reg}
}

func (c *compiler) genNeg(a *arthVal) *arthVal {
	sappend(a.s, c.xferToA(a))
	sappend(a.s, newStmt(cbpf.ClassALU|cbpf.AluNEG, 0))
	sappend(a.s, newStmt(cbpf.ClassST, uint32(a.regno)))
	return a
}

func (c *compiler) genArth(code int, a0, a1 *arthVal) *arthVal {
	isImm := a1.s.s.code == cbpf.ClassLD|cbpf.ModeIMM
	switch code {
	case cbpf.AluDIV:
		if isImm && a1.s.s.k == 0 {
			c.errorf("division by zero")
		}
	case cbpf.AluMOD:
		if isImm && a1.s.s.k == 0 {
			c.errorf("modulus by zero")
		}
	case cbpf.AluLSH, cbpf.AluRSH:
		if isImm && a1.s.s.k > 31 {
			c.errorf("shift by more than 31 bits")
		}
	}
	s0 := c.xferToX(a1)
	s1 := c.xferToA(a0)
	s2 := newStmt(cbpf.ClassALU|cbpf.SrcX|code, 0)
	sappend(s1, s2)
	sappend(s0, s1)
	sappend(a1.s, s0)
	sappend(a0.s, a1.s)
	c.freeReg(a0.regno)
	c.freeReg(a1.regno)
	s0 = newStmt(cbpf.ClassST, 0)
	a0.regno = c.allocReg()
	s0.s.k = uint32(a0.regno)
	sappend(a0.s, s0)
	return a0
}
