package pcapfilter

import "fmt"

// Address qualifiers (libpcap's Q_HOST ...).
const (
	qaDefault    = 0
	qaHost       = 1
	qaNet        = 2
	qaPort       = 3
	qaGateway    = 4
	qaProto      = 5
	qaProtochain = 6
	qaPortrange  = 7
)

// Direction qualifiers (libpcap's Q_SRC ...).
const (
	qdDefault = 0
	qdSrc     = 1
	qdDst     = 2
	qdOr      = 3
	qdAnd     = 4
	qdAddr1   = 5
	qdAddr2   = 6
	qdAddr3   = 7
	qdAddr4   = 8
	qdRA      = 9
	qdTA      = 10
)

// dirKeywords are the 802.11 address qualifiers, parsed as directions.
var dirKeywords = map[string]int{
	"addr1": qdAddr1, "address1": qdAddr1, "addr2": qdAddr2, "address2": qdAddr2,
	"addr3": qdAddr3, "address3": qdAddr3, "addr4": qdAddr4, "address4": qdAddr4,
	"ra": qdRA, "ta": qdTA,
}

// wlanDirError returns libpcap's message for an 802.11 address qualifier
// applied to something else ("addresses other than 802.11 MAC
// addresses", "ports", ...); the empty string for other directions.
func wlanDirError(dir int, what string) string {
	switch dir {
	case qdAddr1, qdAddr2, qdAddr3, qdAddr4:
		n := dir - qdAddr1 + 1
		return fmt.Sprintf("'addr%d' and 'address%d' are not valid qualifiers for %s", n, n, what)
	case qdRA:
		return "'ra' is not a valid qualifier for " + what
	case qdTA:
		return "'ta' is not a valid qualifier for " + what
	}
	return ""
}

// wlanOnlyError is the message for 802.11 qualifiers on a link-layer
// address of another link type.
func wlanOnlyError(dir int) string {
	switch dir {
	case qdAddr1, qdAddr2, qdAddr3, qdAddr4:
		n := dir - qdAddr1 + 1
		return fmt.Sprintf("'addr%d' and 'address%d' are only supported on 802.11 with 802.11 headers", n, n)
	case qdRA:
		return "'ra' is only supported on 802.11 with 802.11 headers"
	case qdTA:
		return "'ta' is only supported on 802.11 with 802.11 headers"
	}
	return ""
}

// qUndef marks a qualifier that was never set (libpcap's Q_UNDEF).
const qUndef = 255

// qual is the set of qualifiers an identifier inherits.
type qual struct {
	addr, proto, dir int
}

var qerr = qual{qUndef, qUndef, qUndef}

// node is an expression of the filter language.
type node interface{ offset() int }

type (
	// nBin is "l and r" or "l or r".
	nBin struct {
		and  bool
		l, r node
		pos  int
	}
	// nNot is "not x".
	nNot struct {
		x   node
		pos int
	}
	// nID is an identifier (name, address, number) with its qualifiers.
	nID struct {
		q     qual
		tok   token
		mask  *token // "HID mask HID" or the NUM of "addr/len"
		slash bool   // mask holds a prefix length
		pos   int
	}
	// nAbbrev is a protocol name used alone ("tcp").
	nAbbrev struct {
		proto int
		pos   int
	}
	// nRel is "arth relop arth".
	nRel struct {
		code     int // jump condition
		reversed bool
		l, r     arth
		pos      int
	}
	// nOther is one of the keyword primitives (less, vlan, broadcast...).
	nOther struct {
		kind  tokKind
		proto int // pqual of broadcast/multicast
		n1    uint32
		n2    uint32
		op    byte
		has   bool
		name  string // LLC type name
		pos   int
	}
)

func (n *nBin) offset() int    { return n.pos }
func (n *nNot) offset() int    { return n.pos }
func (n *nID) offset() int     { return n.pos }
func (n *nAbbrev) offset() int { return n.pos }
func (n *nRel) offset() int    { return n.pos }
func (n *nOther) offset() int  { return n.pos }

// arth is an arithmetic expression.
type arth interface{ offset() int }

type (
	aNum struct {
		v   uint32
		pos int
	}
	aLoad struct {
		proto int
		idx   arth
		size  uint32
		pos   int
	}
	aBin struct {
		op   int // BPF ALU operation
		l, r arth
		pos  int
	}
	aNeg struct {
		x   arth
		pos int
	}
	aLen struct{ pos int }
)

func (a *aNum) offset() int  { return a.pos }
func (a *aLoad) offset() int { return a.pos }
func (a *aBin) offset() int  { return a.pos }
func (a *aNeg) offset() int  { return a.pos }
func (a *aLen) offset() int  { return a.pos }
