package pcapfilter

import (
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/cbpf"
)

// DefaultSnaplen is the snapshot length accepting filters return when
// Options.Snaplen is 0, tcpdump's default.
const DefaultSnaplen = 262144

// Link types accepted in Options.LinkType.
const (
	LinkTypeEthernet  LinkType = DLTEN10MB
	LinkTypeRaw       LinkType = DLTRaw
	LinkTypeIPv4      LinkType = DLTIPv4
	LinkTypeIPv6      LinkType = DLTIPv6
	LinkTypeLinuxSLL  LinkType = DLTLinuxSLL
	LinkTypeLinuxSLL2 LinkType = DLTLinuxSLL2
	LinkTypeLoop      LinkType = DLTLoop
	// LinkTypeNull is DLT_NULL (BSD loopback). Its DLT value is 0, which
	// in Options means Ethernet, so it has a distinct constant here.
	LinkTypeNull LinkType = -1
)

// DLT returns the link type's DLT_ number.
func (lt LinkType) DLT() int {
	switch lt {
	case LinkTypeNull:
		return DLTNull
	case 0:
		return DLTEN10MB
	}
	return int(lt)
}

// Options control compilation.
type Options struct {
	// LinkType is the capture's link layer; the zero value is Ethernet.
	LinkType LinkType
	// Snaplen is the value accepting filters return; 0 means
	// DefaultSnaplen.
	Snaplen uint32
	// Optimize runs libpcap's optimiser (tcpdump's default; tcpdump -O
	// turns it off).
	Optimize bool
	// Netmask is the IPv4 netmask of the capture network, used by
	// "ip broadcast"; 0xffffffff means unknown (PCAP_NETMASK_UNKNOWN).
	Netmask uint32
}

// Compile compiles a filter expression to a classic BPF program.
func Compile(expr string, opts Options) (prog []cbpf.Instruction, err error) {
	snaplen := opts.Snaplen
	if snaplen == 0 {
		snaplen = DefaultSnaplen
	}
	ast, done, perr := parse(expr)
	c, err := newCompiler(opts.LinkType.DLT(), snaplen, opts.Netmask)
	if err != nil {
		return nil, err
	}
	if perr != nil {
		// libpcap generates code while it parses, so a primitive that
		// was complete before the syntax error reports its own error.
		if gerr := c.replay(done); gerr != nil {
			return nil, gerr
		}
		return nil, perr
	}
	defer func() {
		if r := recover(); r != nil {
			ge, ok := r.(genError)
			if !ok {
				panic(r)
			}
			prog, err = nil, ge.err
		}
	}()
	var root *block
	if ast == nil {
		root = c.genRetblk(snaplen)
	} else {
		root = c.finishParse(c.gen(ast))
	}
	ic := &icode{root: root}
	if opts.Optimize && !c.noOptimize {
		if err := optimize(ic); err != nil {
			return nil, &Error{Offset: 0, Msg: err.Error()}
		}
		if ic.root == nil || (ic.root.s.code == cbpf.ClassRET|cbpf.SrcK && ic.root.s.k == 0) {
			return nil, &Error{Offset: 0, Msg: "expression rejects all packets"}
		}
	}
	return ic.toFcode()
}

// replay generates code for the completed primitives and returns the
// first error.
func (c *compiler) replay(done []any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			ge, ok := r.(genError)
			if !ok {
				panic(r)
			}
			err = ge.err
		}
	}()
	for _, x := range done {
		switch x := x.(type) {
		case *aNum, *aLoad, *aBin, *aNeg, *aLen:
			c.genArith(x.(arth))
		case node:
			c.gen(x)
		}
	}
	return nil
}

func (c *compiler) gen(n node) *block {
	switch n := n.(type) {
	case *nBin:
		l := c.gen(n.l)
		r := c.gen(n.r)
		if n.and {
			genAnd(l, r)
		} else {
			genOr(l, r)
		}
		return r
	case *nNot:
		b := c.gen(n.x)
		genNot(b)
		return b
	case *nAbbrev:
		c.setPos(n.pos)
		return c.genProtoAbbrev(n.proto)
	case *nRel:
		a0 := c.genArith(n.l)
		a1 := c.genArith(n.r)
		c.setPos(n.pos)
		return c.genRelation(n.code, a0, a1, n.reversed)
	case *nOther:
		c.setPos(n.pos)
		return c.genOther(n)
	case *nID:
		c.setPos(n.pos)
		return c.genID(n)
	}
	panic(fmt.Sprintf("pcapfilter: unknown node %T", n))
}

func (c *compiler) genOther(n *nOther) *block {
	switch n.kind {
	case tBroadcast:
		return c.genBroadcast(n.proto)
	case tMulticast:
		return c.genMulticast(n.proto)
	case tLess:
		b := c.genLen(cbpf.JmpJGT, n.n1)
		genNot(b)
		return b
	case tGreater:
		return c.genLen(cbpf.JmpJGE, n.n1)
	case tByte:
		return c.genByteop(n.op, n.n1, n.n2)
	case tVlan:
		return c.genVlan(n.n1, n.has)
	case tMpls:
		return c.genMPLS(n.n1, n.has)
	case tPppoed:
		return c.genLinktype(ethertypePPPoED)
	case tPppoes:
		return c.genPPPoES(n.n1, n.has)
	case tInbound, tOutbound:
		return c.genInbound(n.kind == tOutbound)
	case tIfindex:
		return c.genIfindex(n.n1)
	case tLLC:
		return c.genLLCPrimitive(n)
	case tGeneve:
		c.errorf("geneve is not supported by this compiler")
	}
	c.errorf("syntax error in filter expression")
	return nil
}

func (c *compiler) genID(n *nID) *block {
	t := n.tok
	switch t.kind {
	case tNum:
		return c.genNcode("", t.val, n.q)
	case tID:
		return c.genScode(t.name, n.q)
	case tEID:
		return c.genEcode(t.text, n.q)
	case tHID:
		if n.mask != nil {
			if n.slash {
				return c.genMcode(t.text, "", n.mask.val, n.q)
			}
			return c.genMcode(t.text, n.mask.text, 0, n.q)
		}
		switch n.q.addr {
		case qaPort:
			c.errorf("'port' modifier applied to ip host")
		case qaPortrange:
			c.errorf("'portrange' modifier applied to ip host")
		case qaProto:
			c.errorf("'proto' modifier applied to ip host")
		case qaProtochain:
			c.errorf("'protochain' modifier applied to ip host")
		}
		return c.genNcode(t.text, 0, n.q)
	case tHID6:
		if n.mask != nil {
			return c.genMcode6(t.text, n.mask.val, n.q)
		}
		return c.genMcode6(t.text, 128, n.q)
	}
	c.errorf("syntax error in filter expression")
	return nil
}

func (c *compiler) genArith(a arth) *arthVal {
	switch a := a.(type) {
	case *aNum:
		return c.genLoadi(a.v)
	case *aLen:
		return c.genLoadlen()
	case *aLoad:
		inst := c.genArith(a.idx)
		c.setPos(a.pos)
		return c.genLoad(a.proto, inst, a.size)
	case *aBin:
		l := c.genArith(a.l)
		r := c.genArith(a.r)
		c.setPos(a.pos)
		return c.genArth(a.op, l, r)
	case *aNeg:
		return c.genNeg(c.genArith(a.x))
	}
	panic(fmt.Sprintf("pcapfilter: unknown arithmetic node %T", a))
}

// packetOutgoing is the kernel's PACKET_OUTGOING packet type.
const packetOutgoing = 4

// genInbound compiles inbound/outbound as libpcap on Linux does for live
// captures: from the cooked header or the SKF_AD_PKTTYPE ancillary load.
func (c *compiler) genInbound(out bool) *block {
	var b0 *block
	switch c.linktype {
	case DLTLinuxSLL:
		b0 = c.genCmp(orLinkhdr, 0, cbpf.SizeH, packetOutgoing)
	case DLTLinuxSLL2:
		b0 = c.genCmp(orLinkhdr, 10, cbpf.SizeB, packetOutgoing)
	default:
		b0 = c.genCmp(orLinkhdr, cbpf.AncillaryK(cbpf.AdPktType), cbpf.SizeH, packetOutgoing)
	}
	if !out {
		genNot(b0)
	}
	return b0
}

// genIfindex compiles "ifindex N" (the SKF_AD_IFINDEX ancillary load, or
// the interface index of a Linux cooked v2 header).
func (c *compiler) genIfindex(ifindex uint32) *block {
	if c.linktype == DLTLinuxSLL2 {
		return c.genCmp(orLinkhdr, 4, cbpf.SizeW, ifindex)
	}
	return c.genCmp(orLinkhdr, cbpf.AncillaryK(cbpf.AdIfindex), cbpf.SizeW, ifindex)
}

var (
	llcSSubtypes = map[string]uint32{"rr": 0x01, "rnr": 0x05, "rej": 0x09}
	llcUSubtypes = map[string]uint32{"ui": 0x03, "ua": 0x63, "disc": 0x43, "dm": 0x0f, "sabme": 0x6f,
		"test": 0xe3, "xid": 0xaf, "frmr": 0x87}
)

// genLLC matches 802.2 LLC frames (Ethernet frames with a length field
// and no Novell "raw" 0xFFFF header).
func (c *compiler) genLLC() *block {
	if c.linktype != DLTEN10MB {
		c.errorf("'llc' not supported for %s", linkTypeDescription(c.linktype))
	}
	b0 := c.genCmpGt(orLinktype, 0, cbpf.SizeH, etherMTU)
	genNot(b0)
	b1 := c.genCmp(orLLC, 0, cbpf.SizeH, 0xffff)
	genNot(b1)
	genAnd(b0, b1)
	return b1
}

// genLLCPrimitive compiles "llc" and "llc TYPE".
func (c *compiler) genLLCPrimitive(n *nOther) *block {
	if !n.has {
		return c.genLLC()
	}
	name := strings.ToLower(n.name)
	var b1 *block
	switch name {
	case "i":
		b0 := c.genLLC()
		b1 = newBlock(jmp(cbpf.JmpJSET))
		b1.s.k = 0x01
		b1.stmts = c.genLoadA(orLLC, 2, cbpf.SizeB)
		genNot(b1)
		genAnd(b0, b1)
		return b1
	case "s", "u":
		b0 := c.genLLC()
		v := uint32(1)
		if name == "u" {
			v = 3
		}
		b1 = c.genMcmp(orLLC, 2, cbpf.SizeB, v, 0x03)
		genAnd(b0, b1)
		return b1
	}
	if v, ok := llcSSubtypes[name]; ok {
		b0 := c.genLLC()
		b1 = c.genMcmp(orLLC, 2, cbpf.SizeB, v, 0x0f)
		genAnd(b0, b1)
		return b1
	}
	if v, ok := llcUSubtypes[name]; ok {
		b0 := c.genLLC()
		b1 = c.genMcmp(orLLC, 2, cbpf.SizeB, v, 0xef)
		genAnd(b0, b1)
		return b1
	}
	c.errorf("unknown LLC type name \"%s\"", n.name)
	return nil
}
