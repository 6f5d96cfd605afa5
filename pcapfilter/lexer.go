package pcapfilter

import (
	"net/netip"
	"regexp"
	"strings"
)

// tokKind is a token of the pcap-filter language, as libpcap's scanner
// returns them.
type tokKind int

const (
	tEOF tokKind = iota
	tError
	tNum  // number, also named constants such as tcp-syn
	tID   // name
	tHID  // dotted IPv4 address or prefix
	tHID6 // IPv6 address
	tEID  // Ethernet address
	tPunct
	tAnd
	tOr
	tNot
	tGEQ
	tLEQ
	tNEQ
	tLSH
	tRSH
	// keywords
	tDst
	tSrc
	tLink
	tHost
	tNet
	tMask
	tPort
	tPortrange
	tProto
	tProtochain
	tGateway
	tLess
	tGreater
	tByte
	tBroadcast
	tMulticast
	tLen
	tInbound
	tOutbound
	tIfindex
	tVlan
	tMpls
	tPppoed
	tPppoes
	tGeneve
	tPname // protocol name: ip, tcp, ...; val holds the qualifier
	tOtherKeyword
	tLLC // not produced by the lexer: the kind of an "llc" primitive
)

// token is one lexical token with its byte offset in the expression.
type token struct {
	kind tokKind
	text string
	val  uint32 // number value, or qualifier for tPname
	pos  int
	ch   byte   // the character of a tPunct
	err  string // error message of a tError token
	name string // the name of a tID token
}

// Protocol qualifiers (libpcap's Q_* values for protocols).
const (
	qDefault = iota
	qLink
	qIP
	qARP
	qRARP
	qSCTP
	qTCP
	qUDP
	qICMP
	qIGMP
	qIGRP
	qAtalk
	qDecnet
	qLat
	qSca
	qMoprc
	qMopdl
	qIPv6
	qICMPv6
	qAH
	qESP
	qPIM
	qVRRP
	qAARP
	qISO
	qESIS
	qISIS
	qCLNP
	qSTP
	qIPX
	qNetbeui
	qISISL1
	qISISL2
	qISISIIH
	qISISSNP
	qISISCSNP
	qISISPSNP
	qISISLSP
	qRadio
	qCarp
)

var pnames = map[string]int{
	"link": qLink, "ether": qLink, "ppp": qLink, "slip": qLink, "fddi": qLink, "tr": qLink, "wlan": qLink,
	"arp": qARP, "rarp": qRARP, "ip": qIP, "sctp": qSCTP, "tcp": qTCP, "udp": qUDP, "icmp": qICMP,
	"igmp": qIGMP, "igrp": qIGRP, "pim": qPIM, "vrrp": qVRRP, "carp": qCarp, "radio": qRadio,
	"ip6": qIPv6, "icmp6": qICMPv6, "ah": qAH, "esp": qESP, "atalk": qAtalk, "aarp": qAARP,
	"decnet": qDecnet, "lat": qLat, "sca": qSca, "moprc": qMoprc, "mopdl": qMopdl, "iso": qISO,
	"esis": qESIS, "es-is": qESIS, "isis": qISIS, "is-is": qISIS, "l1": qISISL1, "l2": qISISL2,
	"iih": qISISIIH, "lsp": qISISLSP, "snp": qISISSNP, "csnp": qISISCSNP, "psnp": qISISPSNP,
	"clnp": qCLNP, "stp": qSTP, "ipx": qIPX, "netbeui": qNetbeui,
}

var keywords = map[string]tokKind{
	"dst": tDst, "src": tSrc, "host": tHost, "net": tNet, "mask": tMask, "port": tPort,
	"portrange": tPortrange, "proto": tProto, "protochain": tProtochain, "gateway": tGateway,
	"less": tLess, "greater": tGreater, "byte": tByte, "broadcast": tBroadcast,
	"multicast": tMulticast, "and": tAnd, "or": tOr, "not": tNot, "len": tLen, "length": tLen,
	"inbound": tInbound, "outbound": tOutbound, "ifindex": tIfindex, "vlan": tVlan, "mpls": tMpls,
	"pppoed": tPppoed, "pppoes": tPppoes, "geneve": tGeneve,
}

// otherKeywords are reserved words of libpcap's scanner for features this
// compiler does not implement (802.11, ATM, SS7, pf); they are not names.
var otherKeywords = []string{
	"type", "subtype", "direction", "dir", "address1", "addr1", "address2", "addr2",
	"address3", "addr3", "address4", "addr4", "ra", "ta", "lane", "llc", "metac", "bcc",
	"oam", "oamf4", "oamf4ec", "oamf4sc", "sc", "ilmic", "vpi", "vci", "connectmsg",
	"metaconnect", "on", "ifname", "rset", "ruleset", "rnr", "rulenum", "srnr", "subrulenum",
	"reason", "action", "fisu", "lssu", "lsu", "msu", "hfisu", "hlssu", "hmsu", "sio", "opc",
	"dpc", "sls", "hsio", "hopc", "hdpc", "hsls",
}

var namedNums = map[string]uint32{
	"icmptype": 0, "icmpcode": 1, "icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4,
	"icmp-redirect": 5, "icmp-echo": 8, "icmp-routeradvert": 9, "icmp-routersolicit": 10,
	"icmp-timxceed": 11, "icmp-paramprob": 12, "icmp-tstamp": 13, "icmp-tstampreply": 14,
	"icmp-ireq": 15, "icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,
	"icmp6type": 0, "icmp6code": 1, "icmp6-destinationunreach": 1, "icmp6-packettoobig": 2,
	"icmp6-timeexceeded": 3, "icmp6-parameterproblem": 4, "icmp6-echo": 128,
	"icmp6-echoreply": 129, "icmp6-multicastlistenerquery": 130,
	"icmp6-multicastlistenerreportv1": 131, "icmp6-multicastlistenerdone": 132,
	"icmp6-routersolicit": 133, "icmp6-routeradvert": 134, "icmp6-neighborsolicit": 135,
	"icmp6-neighboradvert": 136, "icmp6-redirect": 137, "icmp6-routerrenum": 138,
	"icmp6-nodeinformationquery": 139, "icmp6-nodeinformationresponse": 140,
	"icmp6-ineighbordiscoverysolicit": 141, "icmp6-ineighbordiscoveryadvert": 142,
	"icmp6-multicastlistenerreportv2": 143, "icmp6-homeagentdiscoveryrequest": 144,
	"icmp6-homeagentdiscoveryreply": 145, "icmp6-mobileprefixsolicit": 146,
	"icmp6-mobileprefixadvert": 147, "icmp6-certpathsolicit": 148, "icmp6-certpathadvert": 149,
	"icmp6-multicastrouteradvert": 151, "icmp6-multicastroutersolicit": 152,
	"icmp6-multicastrouterterm": 153,
	"tcpflags":                  13, "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08,
	"tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
}

// Token patterns, tried at each position; the longest match wins and,
// among matches of equal length, the earlier pattern (as in flex).
var (
	reB        = `[0-9A-Fa-f][0-9A-Fa-f]?`
	reB2       = `[0-9A-Fa-f]{4}`
	reN        = `(?:0[Xx][0-9A-Fa-f]+|[0-9]+)`
	reMAC      = regexp.MustCompile(`^(?:` + reB + `:` + reB + `:` + reB + `:` + reB + `:` + reB + `:` + reB + `|` + reB + `-` + reB + `-` + reB + `-` + reB + `-` + reB + `-` + reB + `|` + reB + `\.` + reB + `\.` + reB + `\.` + reB + `\.` + reB + `\.` + reB + `|` + reB2 + `\.` + reB2 + `\.` + reB2 + `|` + reB2 + reB2 + reB2 + `)`)
	reNum      = regexp.MustCompile(`^` + reN)
	reHID      = regexp.MustCompile(`^` + reN + `(?:\.` + reN + `){1,3}`)
	reV6       = regexp.MustCompile(`^[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?:` + reN + `\.` + reN + `\.` + reN + `\.` + reN + `)?`)
	reV6Dotted = regexp.MustCompile(`^[0-9A-Fa-f:]*::?[0-9A-Fa-f:]*` + reN + `\.` + reN + `\.` + reN + `\.` + reN + `$`)
	reBogus    = regexp.MustCompile(`^` + reB + `:+(?:` + reB + `:+)+`)
	reID       = regexp.MustCompile(`^[A-Za-z0-9](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?`)
	reEsc      = regexp.MustCompile(`^\\[^ !()\n\t]+`)
	reWord     = regexp.MustCompile(`^[a-z0-9-]+`)
)

func init() {
	// flex matches the longest string a pattern allows.
	for _, re := range []*regexp.Regexp{reMAC, reNum, reHID, reV6, reV6Dotted, reBogus, reID, reEsc, reWord} {
		re.Longest()
	}
}

// lex splits expr into tokens.
func lex(expr string) []token {
	var toks []token
	i := 0
	for i < len(expr) {
		c := expr[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		t := lexOne(expr[i:])
		t.pos = i
		toks = append(toks, t)
		i += max(len(t.text), 1)
	}
	return append(toks, token{kind: tEOF, pos: len(expr)})
}

func lexOne(s string) token {
	// Two-character operators first, then single characters.
	for _, op := range []struct {
		s string
		k tokKind
		c byte
	}{{">=", tGEQ, 0}, {"<=", tLEQ, 0}, {"!=", tNEQ, 0}, {"==", tPunct, '='}, {"<<", tLSH, 0}, {">>", tRSH, 0}, {"&&", tAnd, 0}, {"||", tOr, 0}} {
		if strings.HasPrefix(s, op.s) {
			return token{kind: op.k, text: op.s, ch: op.c}
		}
	}
	if strings.IndexByte("+-*/%[]!<>()&|^=", s[0]) >= 0 || (s[0] == ':' && !strings.HasPrefix(s, "::")) {
		if s[0] == '!' {
			return token{kind: tNot, text: "!"}
		}
		// A '-' or other punctuation may not start a word, except
		// where a longer pattern matches (none starts with these).
		return token{kind: tPunct, text: s[:1], ch: s[0]}
	}
	if s[0] == '\\' {
		if m := reEsc.FindString(s); m != "" {
			return token{kind: tID, text: m, name: m[1:]}
		}
		return token{kind: tError, text: s[:1]}
	}
	best := token{kind: tError, text: s[:1]}
	bestLen := 0
	try := func(n int, t token) {
		if n > bestLen {
			bestLen = n
			t.text = s[:n]
			best = t
		}
	}
	// Keywords and named constants (as flex rules before the general
	// ones): a keyword matches only as a whole word of the ID pattern.
	if w := reWord.FindString(s); w != "" {
		if k, ok := keywords[w]; ok {
			try(len(w), token{kind: k})
		} else if q, ok := pnames[w]; ok {
			try(len(w), token{kind: tPname, val: uint32(q)})
		} else if v, ok := namedNums[w]; ok {
			try(len(w), token{kind: tNum, val: v})
		} else {
			for _, o := range otherKeywords {
				if o == w {
					try(len(w), token{kind: tOtherKeyword})
				}
			}
		}
	}
	if m := reMAC.FindString(s); m != "" {
		try(len(m), token{kind: tEID})
	}
	if m := reNum.FindString(s); m != "" {
		v, errMsg := parseNum(m)
		if errMsg != "" {
			try(len(m), token{kind: tError, err: errMsg})
		} else {
			try(len(m), token{kind: tNum, val: v})
		}
	}
	if m := reHID.FindString(s); m != "" {
		try(len(m), token{kind: tHID})
	}
	if m := reV6.FindString(s); strings.Contains(m, ":") {
		if reV6Dotted.MatchString(m) {
			if _, err := netip.ParseAddr(m); err != nil {
				try(len(m), token{kind: tError, err: "bogus IPv6 address " + m})
			}
		}
		// Shorten to the longest prefix that is an IPv6 address.
		for n := len(m); n > 1; n-- {
			if _, err := netip.ParseAddr(m[:n]); err == nil && strings.Count(m[:n], ":") >= 2 {
				try(n, token{kind: tHID6})
				break
			}
		}
	}
	if m := reBogus.FindString(s); m != "" {
		try(len(m), token{kind: tError, err: "bogus ethernet address " + m})
	}
	if m := reID.FindString(s); m != "" {
		try(len(m), token{kind: tID})
	}
	if best.kind == tID {
		best.name = best.text
	}
	return best
}

// parseNum converts a number token like libpcap's stou: decimal, 0x hex
// or 0 octal, at most 32 bits.
func parseNum(s string) (uint32, string) {
	var n uint64
	switch {
	case len(s) > 1 && (s[1] == 'x' || s[1] == 'X'):
		for _, c := range s[2:] {
			var d uint64
			switch {
			case c >= '0' && c <= '9':
				d = uint64(c - '0')
			case c >= 'a' && c <= 'f':
				d = uint64(c-'a') + 10
			default:
				d = uint64(c-'A') + 10
			}
			if n > 0xfffffff {
				return 0, "number " + s + " overflows 32 bits"
			}
			n = n<<4 + d
		}
	case s[0] == '0':
		for _, c := range s[1:] {
			if c > '7' {
				return 0, "number " + s + " contains non-octal digit"
			}
			if n > 0x1fffffff {
				return 0, "number " + s + " overflows 32 bits"
			}
			n = n<<3 + uint64(c-'0')
		}
	default:
		for _, c := range s {
			n = n*10 + uint64(c-'0')
			if n > 0xffffffff {
				return 0, "number " + s + " overflows 32 bits"
			}
		}
	}
	return uint32(n), ""
}
