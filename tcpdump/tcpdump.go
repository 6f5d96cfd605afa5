// Package tcpdump renders packets the way tcpdump 4.99 prints them.
//
// A Printer holds the state tcpdump keeps between packets (the previous
// time stamp for -ttt, the initial sequence numbers of TCP conversations
// for relative numbering) and formats one packet per call to Format, with
// tcpdump's flags given as Options. Headers are decoded by hand or with
// gopacket's layers package; the text is gbpf's own rendering of what
// tcpdump prints, checked line by line against tcpdump in the tests.
package tcpdump

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Options are tcpdump's printing flags.
type Options struct {
	Numeric  int  // -n: do not convert addresses and ports to names
	Ether    bool // -e: print the link-level header
	Verbose  int  // -v, -vv, -vvv
	Hex      int  // -x (1) or -xx (2): hex dump, -xx with the link header
	HexASCII int  // -X (1) or -XX (2): hex and ASCII dump
	ASCII    int  // -A (1) or -AA (2): ASCII dump
	Time     int  // number of -t flags: 0 time of day, 1 none, 2 Unix, 3 delta, 4 date, 5 since first
	Absolute bool // -S: absolute TCP sequence numbers
	Quiet    bool // -q: less protocol information
	// Location is the time zone of time stamps; nil means time.Local.
	Location *time.Location
	// Names converts addresses and ports to names when Numeric is 0; nil
	// prints numbers.
	Names Resolver
}

// Resolver names hosts and ports for printing without -n.
type Resolver interface {
	// Host returns a name for addr, or "" to print the address.
	Host(addr netip.Addr) string
	// Port returns the service name of port for proto ("tcp" or "udp"),
	// or "" to print the number.
	Port(proto string, port uint16) string
}

// LinkType is a link-layer header type, a DLT_ value as libpcap numbers
// them (1 Ethernet, 113 Linux cooked, 127 radiotap, ...; DLT_NULL is 0).
type LinkType int

// Printer formats packets of one link type.
type Printer struct {
	opts Options
	link int // DLT value
	ref  time.Time
	tcp  map[tcpKey]tcpSeq
	// cookies are the ISAKMP initiator cookies seen, with the initiator's
	// and responder's addresses.
	cookies map[[8]byte][2]string
	// slipConn and slipLen are the Van Jacobson compression state
	// tcpdump's SLIP printer keeps.
	slipConn int
	slipLen  [2][256]int

	b     []byte // the line being built
	proto string // protocol named in " [|proto]" on truncation
	hdr   int    // link-layer header length (tcpdump's ndo_ll_hdr_len)
	data  []byte // the whole packet
}

// New returns a Printer for packets of link type lt.
func New(lt LinkType, opts Options) *Printer {
	if opts.Location == nil {
		opts.Location = time.Local
	}
	return &Printer{opts: opts, link: int(lt), tcp: make(map[tcpKey]tcpSeq)}
}

// errTrunc is raised, as tcpdump's longjmp, when a printer reads past the
// captured bytes.
type truncated struct{}

// Format appends the text tcpdump prints for a packet (captured bytes
// data, wireLen bytes on the wire, time stamp ts) to dst, ending in a
// newline, and returns the extended buffer.
func (p *Printer) Format(dst []byte, ts time.Time, data []byte, wireLen int) []byte {
	p.b = dst
	p.data = data
	p.hdr = 0
	p.proto = ""
	p.timestamp(ts)
	if len(data) == 0 {
		p.b = append(p.b, "[Invalid header: caplen==0]"...)
	} else {
		p.linkSafe(data, wireLen)
	}
	caplen := len(data)
	hdr := min(p.hdr, caplen)
	switch {
	case p.opts.HexASCII > 0:
		if p.opts.HexASCII > 1 {
			p.hexASCII("\n\t", data, 0)
		} else if caplen > hdr {
			p.hexASCII("\n\t", data[hdr:], 0)
		}
	case p.opts.Hex > 0:
		if p.opts.Hex > 1 {
			p.hex("\n\t", data, 0)
		} else if caplen > hdr {
			p.hex("\n\t", data[hdr:], 0)
		}
	case p.opts.ASCII > 0:
		if p.opts.ASCII > 1 {
			p.ascii(data)
		} else if caplen > hdr {
			p.ascii(data[hdr:])
		}
	}
	p.b = append(p.b, '\n')
	out := p.b
	p.b, p.data = nil, nil
	return out
}

// linkSafe prints the packet from its link header, turning a read past the
// captured bytes into tcpdump's " [|proto]" mark.
func (p *Printer) linkSafe(data []byte, wireLen int) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(truncated); !ok {
				panic(r)
			}
			p.trunc()
			p.hdr = 0
		}
	}()
	p.hdr = p.link1(data, wireLen)
}

// trunc prints the truncation mark of the current protocol.
func (p *Printer) trunc() {
	p.printf(" [|%s]", p.proto)
}

func (p *Printer) printf(format string, args ...any) {
	p.b = fmt.Appendf(p.b, format, args...)
}

func (p *Printer) str(s string) { p.b = append(p.b, s...) }

func (p *Printer) timestamp(ts time.Time) {
	switch p.opts.Time {
	case 0:
		p.b = ts.In(p.opts.Location).AppendFormat(p.b, "15:04:05.000000 ")
	case 2:
		p.printf("%d.%06d ", ts.Unix(), ts.Nanosecond()/1000)
	case 3, 5:
		if p.ref.IsZero() {
			p.ref = ts
		}
		d := ts.Sub(p.ref)
		if d < 0 {
			p.str("-")
			d = -d
		} else {
			p.str(" ")
		}
		us := d.Microseconds()
		p.printf("%02d:%02d:%02d.%06d ", us/3600e6, us/60e6%60, us/1e6%60, us%1e6)
		if p.opts.Time == 3 {
			p.ref = ts
		}
	case 4:
		p.b = ts.In(p.opts.Location).AppendFormat(p.b, "2006-01-02 15:04:05.000000 ")
	}
}

// defaultPrint dumps bytes no printer decodes, as tcpdump does unless one
// of -x, -X or -q is given.
func (p *Printer) defaultPrint(b []byte) {
	if p.opts.Hex == 0 && p.opts.HexASCII == 0 && !p.opts.Quiet {
		p.hexASCII("\n\t", b, 0)
	}
}

func isGraph(c byte) bool { return c > ' ' && c < 0x7f }

// hexASCII prints b as tcpdump's hex_and_ascii_print does.
func (p *Printer) hexASCII(indent string, b []byte, off int) {
	var hexs [40]byte
	var asc [16]byte
	for len(b) > 0 {
		n := min(16, len(b))
		h := hexs[:0]
		for i := 0; i < n; i += 2 {
			if i+1 < n {
				h = fmt.Appendf(h, " %02x%02x", b[i], b[i+1])
			} else {
				h = fmt.Appendf(h, " %02x", b[i])
			}
		}
		for i := 0; i < n; i++ {
			asc[i] = '.'
			if isGraph(b[i]) {
				asc[i] = b[i]
			}
		}
		p.printf("%s0x%04x: %-40s  %s", indent, off, h, asc[:n])
		b = b[n:]
		off += 16
	}
}

// hex prints b as tcpdump's hex_print does.
func (p *Printer) hex(indent string, b []byte, off int) {
	for i := 0; i < len(b); i += 2 {
		if i%16 == 0 {
			p.printf("%s0x%04x: ", indent, off+i)
		}
		if i+1 < len(b) {
			p.printf(" %02x%02x", b[i], b[i+1])
		} else {
			p.printf(" %02x", b[i])
		}
	}
}

// ascii prints b as tcpdump's ascii_print does.
func (p *Printer) ascii(b []byte) {
	p.str("\n")
	for i, c := range b {
		switch {
		case c == '\r':
			if len(b)-i-1 > 1 && b[i+1] != '\n' {
				p.str(".")
			}
		case !isGraph(c) && c != '\t' && c != ' ' && c != '\n':
			p.str(".")
		default:
			p.b = append(p.b, c)
		}
	}
}

// Byte readers: a read past the captured bytes ends the packet's
// printing with the truncation mark, as tcpdump's GET_ macros do.

func need(b []byte, n int) {
	if n > len(b) || n < 0 {
		panic(truncated{})
	}
}

func u8(b []byte, i int) byte {
	if i < 0 || i >= len(b) {
		panic(truncated{})
	}
	return b[i]
}

func u16(b []byte, i int) uint16 {
	if i < 0 || i+2 > len(b) {
		panic(truncated{})
	}
	return uint16(b[i])<<8 | uint16(b[i+1])
}

func u24(b []byte, i int) uint32 {
	if i < 0 || i+3 > len(b) {
		panic(truncated{})
	}
	return uint32(b[i])<<16 | uint32(b[i+1])<<8 | uint32(b[i+2])
}

func u32(b []byte, i int) uint32 {
	if i < 0 || i+4 > len(b) {
		panic(truncated{})
	}
	return uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
}

// clip returns b limited to n bytes (tcpdump's nd_push_snaplen).
func clip(b []byte, n int) []byte {
	if n >= 0 && n < len(b) {
		return b[:n]
	}
	return b
}

// from returns b[i:], or an empty slice past its end.
func from(b []byte, i int) []byte {
	if i >= len(b) {
		return b[len(b):]
	}
	return b[i:]
}

// tok returns the name of v in m, or the default formatted with v.
func tok[K comparable](m map[K]string, def string, v K) string {
	if s, ok := m[v]; ok {
		return s
	}
	if !strings.Contains(def, "%") {
		return def
	}
	return fmt.Sprintf(def, v)
}

// bits prints the names of the set bits of v in table order, joined by
// sep, or none.
type bitName struct {
	bit  uint32
	name string
}

func bits(tab []bitName, none, sep string, v uint32) string {
	s := ""
	for _, t := range tab {
		if v&t.bit == t.bit && t.bit != 0 {
			if s != "" {
				s += sep
			}
			s += t.name
		}
	}
	if s == "" {
		return none
	}
	return s
}
