package pcapfilter

import "github.com/gbpf/gbpf/cbpf"

const offsetNotSet = 0xffffffff

// Protocol numbers and EtherTypes the generator uses.
const (
	etherMTU          = 1500
	ethertypeIP       = 0x0800
	ethertypeARP      = 0x0806
	ethertypeRevARP   = 0x8035
	ethertypeIPv6     = 0x86dd
	ethertype8021Q    = 0x8100
	ethertype8021AD   = 0x88a8
	ethertype8021QinQ = 0x9100
	ethertypeMPLS     = 0x8847
	ethertypePPPoED   = 0x8863
	ethertypePPPoES   = 0x8864
	ethertypeAtalk    = 0x809b
	ethertypeAARP     = 0x80f3
	ethertypeDN       = 0x6003
	ethertypeSCA      = 0x6007
	ethertypeLAT      = 0x6004
	ethertypeMOPDL    = 0x6001
	ethertypeMOPRC    = 0x6002
	ethertypeIPX      = 0x8137
	ethertypeNS       = 0x0600
	ethertypeLoopback = 0x9000

	llcsapISONS   = 0xfe
	llcsapIP      = 0x06
	llcsapNetbeui = 0xf0
	llcsapIPX     = 0xe0
	llcsap8021D   = 0x42
	llcsapSNAP    = 0xaa

	sllP8022 = 0x0004
	sllP8023 = 0x0001

	pppIP        = 0x21
	pppIPv6      = 0x57
	pppDecnet    = 0x27
	pppApple     = 0x29
	pppNS        = 0x25
	pppOSI       = 0x23
	pppBRPDU     = 0x31
	pppIPX       = 0x2b
	pppMPLSUcast = 0x0281

	ipprotoICMP     = 1
	ipprotoIGMP     = 2
	ipprotoTCP      = 6
	ipprotoUDP      = 17
	ipprotoIGRP     = 9
	ipprotoPIM      = 103
	ipprotoVRRP     = 112
	ipprotoICMPv6   = 58
	ipprotoAH       = 51
	ipprotoESP      = 50
	ipprotoSCTP     = 132
	ipprotoFragment = 44
	protoUndef      = -1

	isoCLNP   = 0x81
	isoESIS   = 0x82
	isoISIS   = 0x83
	isisL1IIH = 15
	isisL2IIH = 16
	isisPTP   = 17
	isisL1LSP = 18
	isisL2LSP = 20
	isisL1CS  = 24
	isisL2CS  = 25
	isisL1PS  = 26
	isisL2PS  = 27
)

// Link-layer header types (DLT_*) the compiler supports.
const (
	DLTNull      = 0
	DLTEN10MB    = 1
	DLTRaw       = 12
	DLTLoop      = 108
	DLTLinuxSLL  = 113
	DLTIPv4      = 228
	DLTIPv6      = 229
	DLTLinuxSLL2 = 276
	dltPPP       = 9
)

// Offset bases (libpcap's enum e_offrel).
const (
	orPacket = iota
	orLinkhdr
	orPrevlinkhdr
	orLLC
	orPrevMPLShdr
	orLinkpl
	orLinkplNosnap
	orLinktype
	orTranIPv4
	orTranIPv6
)

// absOffset is an offset from the start of the packet: a constant part
// plus, if isVariable, the value of a scratch register.
type absOffset struct {
	constantPart uint32
	isVariable   bool
	reg          int
}

// genError aborts code generation.
type genError struct{ err *Error }

// compiler holds the code generator's state (libpcap's compiler_state_t).
type compiler struct {
	linktype, prevlinktype, outermostlinktype       int
	offLinkhdr, offPrevlinkhdr, offOutermostlinkhdr absOffset
	offLinkpl, offLinktype                          absOffset
	offNl, offNlNosnap                              uint32
	labelStackDepth, vlanStackDepth                 int
	snaplen, netmask                                uint32
	regused                                         [cbpf.MemWords]bool
	curreg                                          int
	noOptimize                                      bool // set by protochain
	pos                                             int
}

func (c *compiler) errorf(format string, args ...any) {
	panic(genError{errorf(c.pos, format, args...)})
}

func newCompiler(linktype int, snaplen, netmask uint32) (*compiler, error) {
	c := &compiler{linktype: linktype, snaplen: snaplen, netmask: netmask}
	c.outermostlinktype, c.prevlinktype = linktype, linktype
	for _, o := range []*absOffset{&c.offLinkhdr, &c.offPrevlinkhdr, &c.offOutermostlinkhdr, &c.offLinkpl, &c.offLinktype} {
		*o = absOffset{reg: -1}
	}
	switch linktype {
	case DLTEN10MB:
		c.offLinktype.constantPart, c.offLinkpl.constantPart = 12, 14
		c.offNl, c.offNlNosnap = 0, 3
	case DLTNull, DLTLoop:
		c.offLinktype.constantPart, c.offLinkpl.constantPart = 0, 4
	case DLTRaw, DLTIPv4, DLTIPv6:
		c.offLinktype.constantPart, c.offLinkpl.constantPart = offsetNotSet, 0
	case DLTLinuxSLL:
		c.offLinktype.constantPart, c.offLinkpl.constantPart = 14, 16
	case DLTLinuxSLL2:
		c.offLinktype.constantPart, c.offLinkpl.constantPart = 0, 20
	default:
		return nil, errorf(0, "unsupported data link type %d", linktype)
	}
	c.offOutermostlinkhdr, c.offPrevlinkhdr = c.offLinkhdr, c.offLinkhdr
	return c, nil
}

func (c *compiler) allocReg() int {
	for n := cbpf.MemWords; n > 0; n-- {
		if c.regused[c.curreg] {
			c.curreg = (c.curreg + 1) % cbpf.MemWords
		} else {
			c.regused[c.curreg] = true
			return c.curreg
		}
	}
	c.errorf("too many registers needed to evaluate expression")
	return 0
}

func (c *compiler) freeReg(n int) { c.regused[n] = false }

func (c *compiler) genRetblk(v uint32) *block {
	b := newBlock(cbpf.ClassRET | cbpf.SrcK)
	b.s.k = v
	return b
}

// finishParse turns the expression's exit lists into the two return
// blocks, like libpcap's finish_parse.
func (c *compiler) finishParse(p *block) *block {
	backpatch(p, c.genRetblk(c.snaplen))
	p.sense = !p.sense
	backpatch(p, c.genRetblk(0))
	return p.head
}

func (c *compiler) genAbsOffsetVarpart(off *absOffset) *slist {
	if !off.isVariable {
		return nil
	}
	if off.reg == -1 {
		off.reg = c.allocReg()
	}
	return newStmt(cbpf.ClassLDX|cbpf.ModeMEM, uint32(off.reg))
}

func (c *compiler) genLoadAbsoffsetrel(off *absOffset, offset, size uint32) *slist {
	s := c.genAbsOffsetVarpart(off)
	if s != nil {
		sappend(s, newStmt(cbpf.ClassLD|cbpf.ModeIND|int(size), off.constantPart+offset))
		return s
	}
	return newStmt(cbpf.ClassLD|cbpf.ModeABS|int(size), off.constantPart+offset)
}

func (c *compiler) genLoadA(offrel int, offset, size uint32) *slist {
	switch offrel {
	case orPacket:
		return newStmt(cbpf.ClassLD|cbpf.ModeABS|int(size), offset)
	case orLinkhdr:
		return c.genLoadAbsoffsetrel(&c.offLinkhdr, offset, size)
	case orPrevlinkhdr:
		return c.genLoadAbsoffsetrel(&c.offPrevlinkhdr, offset, size)
	case orLLC:
		return c.genLoadAbsoffsetrel(&c.offLinkpl, offset, size)
	case orPrevMPLShdr:
		return c.genLoadAbsoffsetrel(&c.offLinkpl, c.offNl-4+offset, size)
	case orLinkpl:
		return c.genLoadAbsoffsetrel(&c.offLinkpl, c.offNl+offset, size)
	case orLinkplNosnap:
		return c.genLoadAbsoffsetrel(&c.offLinkpl, c.offNlNosnap+offset, size)
	case orLinktype:
		return c.genLoadAbsoffsetrel(&c.offLinktype, offset, size)
	case orTranIPv4:
		s := c.genLoadxIPHdrLen()
		sappend(s, newStmt(cbpf.ClassLD|cbpf.ModeIND|int(size), c.offLinkpl.constantPart+c.offNl+offset))
		return s
	default: // orTranIPv6
		return c.genLoadAbsoffsetrel(&c.offLinkpl, c.offNl+40+offset, size)
	}
}

func (c *compiler) genLoadxIPHdrLen() *slist {
	s := c.genAbsOffsetVarpart(&c.offLinkpl)
	if s != nil {
		sappend(s, newStmt(cbpf.ClassLD|cbpf.ModeIND|cbpf.SizeB, c.offLinkpl.constantPart+c.offNl))
		sappend(s, newStmt(cbpf.ClassALU|cbpf.AluAND|cbpf.SrcK, 0xf))
		sappend(s, newStmt(cbpf.ClassALU|cbpf.AluLSH|cbpf.SrcK, 2))
		sappend(s, newStmt(cbpf.ClassALU|cbpf.AluADD|cbpf.SrcX, 0))
		sappend(s, newStmt(cbpf.ClassMISC|cbpf.MiscTAX, 0))
		return s
	}
	return newStmt(cbpf.ClassLDX|cbpf.ModeMSH|cbpf.SizeB, c.offLinkpl.constantPart+c.offNl)
}

func (c *compiler) genNcmp(offrel int, offset, size, mask uint32, jtype int, reverse bool, v uint32) *block {
	s := c.genLoadA(offrel, offset, size)
	if mask != 0xffffffff {
		sappend(s, newStmt(cbpf.ClassALU|cbpf.AluAND|cbpf.SrcK, mask))
	}
	b := newBlock(jmp(jtype))
	b.stmts = s
	b.s.k = v
	if reverse && (jtype == cbpf.JmpJGT || jtype == cbpf.JmpJGE) {
		genNot(b)
	}
	return b
}

func (c *compiler) genCmp(offrel int, offset, size, v uint32) *block {
	return c.genNcmp(offrel, offset, size, 0xffffffff, cbpf.JmpJEQ, false, v)
}

func (c *compiler) genCmpGt(offrel int, offset, size, v uint32) *block {
	return c.genNcmp(offrel, offset, size, 0xffffffff, cbpf.JmpJGT, false, v)
}

func (c *compiler) genCmpGe(offrel int, offset, size, v uint32) *block {
	return c.genNcmp(offrel, offset, size, 0xffffffff, cbpf.JmpJGE, false, v)
}

func (c *compiler) genCmpLt(offrel int, offset, size, v uint32) *block {
	return c.genNcmp(offrel, offset, size, 0xffffffff, cbpf.JmpJGE, true, v)
}

func (c *compiler) genCmpLe(offrel int, offset, size, v uint32) *block {
	return c.genNcmp(offrel, offset, size, 0xffffffff, cbpf.JmpJGT, true, v)
}

func (c *compiler) genMcmp(offrel int, offset, size, v, mask uint32) *block {
	return c.genNcmp(offrel, offset, size, mask, cbpf.JmpJEQ, false, v)
}

func be32(p []byte) uint32 {
	return uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])
}

func (c *compiler) genBcmp(offrel int, offset uint32, v []byte) *block {
	var b *block
	size := uint32(len(v))
	for size >= 4 {
		tmp := c.genCmp(offrel, offset+size-4, cbpf.SizeW, be32(v[size-4:]))
		if b != nil {
			genAnd(b, tmp)
		}
		b = tmp
		size -= 4
	}
	for size >= 2 {
		p := v[size-2:]
		tmp := c.genCmp(offrel, offset+size-2, cbpf.SizeH, uint32(p[0])<<8|uint32(p[1]))
		if b != nil {
			genAnd(b, tmp)
		}
		b = tmp
		size -= 2
	}
	if size > 0 {
		tmp := c.genCmp(offrel, offset, cbpf.SizeB, uint32(v[0]))
		if b != nil {
			genAnd(b, tmp)
		}
		b = tmp
	}
	return b
}

func (c *compiler) genUncond(rsense bool) *block {
	k := uint32(1)
	if rsense {
		k = 0
	}
	b := newBlock(jmp(cbpf.JmpJEQ))
	b.stmts = newStmt(cbpf.ClassLD|cbpf.ModeIMM, k)
	return b
}

func (c *compiler) genTrue() *block  { return c.genUncond(true) }
func (c *compiler) genFalse() *block { return c.genUncond(false) }

func (c *compiler) genSnap(orgcode, ptype uint32) *block {
	v := []byte{llcsapSNAP, llcsapSNAP, 0x03, byte(orgcode >> 16), byte(orgcode >> 8), byte(orgcode), byte(ptype >> 8), byte(ptype)}
	return c.genBcmp(orLLC, 0, v)
}

func (c *compiler) genEtherLinktype(llProto uint32) *block {
	switch llProto {
	case llcsapISONS, llcsapIP, llcsapNetbeui:
		b0 := c.genCmpGt(orLinktype, 0, cbpf.SizeH, etherMTU)
		genNot(b0)
		b1 := c.genCmp(orLLC, 0, cbpf.SizeH, llProto<<8|llProto)
		genAnd(b0, b1)
		return b1
	case llcsapIPX:
		b0 := c.genCmp(orLLC, 0, cbpf.SizeB, llcsapIPX)
		b1 := c.genCmp(orLLC, 0, cbpf.SizeH, 0xffff)
		genOr(b0, b1)
		b0 = c.genSnap(0, ethertypeIPX)
		genOr(b0, b1)
		b0 = c.genCmpGt(orLinktype, 0, cbpf.SizeH, etherMTU)
		genNot(b0)
		genAnd(b0, b1)
		b0 = c.genCmp(orLinktype, 0, cbpf.SizeH, ethertypeIPX)
		genOr(b0, b1)
		return b1
	case ethertypeAtalk, ethertypeAARP:
		b0 := c.genCmpGt(orLinktype, 0, cbpf.SizeH, etherMTU)
		genNot(b0)
		b1 := c.genAtalkSnap(llProto)
		genAnd(b0, b1)
		b0 = c.genCmp(orLinktype, 0, cbpf.SizeH, llProto)
		genOr(b0, b1)
		return b1
	default:
		if llProto <= etherMTU {
			b0 := c.genCmpGt(orLinktype, 0, cbpf.SizeH, etherMTU)
			genNot(b0)
			b1 := c.genCmp(orLinktype, 2, cbpf.SizeB, llProto)
			genAnd(b0, b1)
			return b1
		}
		return c.genCmp(orLinktype, 0, cbpf.SizeH, llProto)
	}
}

// genAtalkSnap tests the SNAP header of AppleTalk (llProto
// ethertypeAtalk, under Apple's OUI) or AARP in an 802.2 frame.
func (c *compiler) genAtalkSnap(llProto uint32) *block {
	if llProto == ethertypeAtalk {
		return c.genSnap(0x080007, ethertypeAtalk)
	}
	return c.genSnap(0, ethertypeAARP)
}

func (c *compiler) genLinuxSLLLinktype(llProto uint32) *block {
	switch llProto {
	case llcsapISONS, llcsapIP, llcsapNetbeui:
		b0 := c.genCmp(orLinktype, 0, cbpf.SizeH, sllP8022)
		b1 := c.genCmp(orLLC, 0, cbpf.SizeH, llProto<<8|llProto)
		genAnd(b0, b1)
		return b1
	case llcsapIPX:
		b0 := c.genCmp(orLLC, 0, cbpf.SizeB, llcsapIPX)
		b1 := c.genSnap(0, ethertypeIPX)
		genOr(b0, b1)
		b0 = c.genCmp(orLinktype, 0, cbpf.SizeH, sllP8022)
		genAnd(b0, b1)
		b0 = c.genCmp(orLinktype, 0, cbpf.SizeH, sllP8023)
		genOr(b0, b1)
		b0 = c.genCmp(orLinktype, 0, cbpf.SizeH, ethertypeIPX)
		genOr(b0, b1)
		return b1
	case ethertypeAtalk, ethertypeAARP:
		b0 := c.genCmp(orLinktype, 0, cbpf.SizeH, sllP8022)
		b1 := c.genAtalkSnap(llProto)
		genAnd(b0, b1)
		b0 = c.genCmp(orLinktype, 0, cbpf.SizeH, llProto)
		genOr(b0, b1)
		return b1
	default:
		if llProto <= etherMTU {
			b0 := c.genCmp(orLinktype, 0, cbpf.SizeH, sllP8022)
			b1 := c.genCmp(orLinkhdr, c.offLinkpl.constantPart, cbpf.SizeB, llProto)
			genAnd(b0, b1)
			return b1
		}
		return c.genCmp(orLinktype, 0, cbpf.SizeH, llProto)
	}
}

func ethertypeToPPPType(p uint32) uint32 {
	switch p {
	case ethertypeIP:
		return pppIP
	case ethertypeIPv6:
		return pppIPv6
	case ethertypeDN:
		return pppDecnet
	case ethertypeAtalk:
		return pppApple
	case ethertypeNS:
		return pppNS
	case llcsapISONS:
		return pppOSI
	case llcsap8021D:
		return pppBRPDU
	case llcsapIPX:
		return pppIPX
	}
	return p
}

func (c *compiler) genLoopbackLinktype(p uint32) *block {
	if c.linktype == DLTNull {
		p = p>>24 | (p>>8)&0xff00 | (p<<8)&0xff0000 | p<<24
	}
	return c.genCmp(orLinkhdr, 0, cbpf.SizeW, p)
}

func (c *compiler) genLinktype(llProto uint32) *block {
	if c.labelStackDepth > 0 {
		return c.genMPLSLinktype(llProto)
	}
	switch c.linktype {
	case DLTEN10MB:
		return c.genEtherLinktype(llProto)
	case DLTLinuxSLL:
		return c.genLinuxSLLLinktype(llProto)
	case DLTRaw:
		switch llProto {
		case ethertypeIP:
			return c.genMcmp(orLinkhdr, 0, cbpf.SizeB, 0x40, 0xf0)
		case ethertypeIPv6:
			return c.genMcmp(orLinkhdr, 0, cbpf.SizeB, 0x60, 0xf0)
		}
		return c.genFalse()
	case DLTIPv4:
		if llProto == ethertypeIP {
			return c.genTrue()
		}
		return c.genFalse()
	case DLTIPv6:
		if llProto == ethertypeIPv6 {
			return c.genTrue()
		}
		return c.genFalse()
	case dltPPP:
		return c.genCmp(orLinktype, 0, cbpf.SizeH, ethertypeToPPPType(llProto))
	case DLTNull, DLTLoop:
		switch llProto {
		case ethertypeIP:
			return c.genLoopbackLinktype(2) // AF_INET
		case ethertypeIPv6:
			return c.genLoopbackLinktype(10) // AF_INET6 on Linux
		}
		return c.genFalse()
	default:
		if c.offLinktype.constantPart != offsetNotSet {
			return c.genCmp(orLinktype, 0, cbpf.SizeH, llProto)
		}
		c.errorf("link-layer type filtering not implemented")
		return nil
	}
}

func (c *compiler) genMPLSLinktype(llProto uint32) *block {
	switch llProto {
	case ethertypeIP, ethertypeIPv6:
		v := uint32(0x40)
		if llProto == ethertypeIPv6 {
			v = 0x60
		}
		b0 := c.genMcmp(orLinkpl, 0xfffffffe, cbpf.SizeB, 0x01, 0x01)
		b1 := c.genMcmp(orLinkpl, 0, cbpf.SizeB, v, 0xf0)
		genAnd(b0, b1)
		return b1
	}
	c.errorf("unsupported protocol over mpls")
	return nil
}

// setPos records the expression offset that errors report.
func (c *compiler) setPos(p int) { c.pos = p }
