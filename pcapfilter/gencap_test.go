package pcapfilter

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
)

// The generated capture: varied Ethernet frames built by hand from a
// fixed seed, so that the verdict test is reproducible.

type genPacket struct {
	data    []byte // captured bytes
	wireLen int
}

var (
	genIPv4 = [][4]byte{{10, 0, 0, 1}, {10, 0, 0, 2}, {192, 168, 1, 254}, {172, 16, 0, 1}, {1, 2, 3, 4},
		{10, 1, 2, 3}, {10, 1, 2, 4}, {192, 168, 0, 7}, {224, 0, 0, 251}, {255, 255, 255, 255}, {127, 0, 0, 1}, {10, 1, 9, 9}}
	genIPv6 = []string{"2001:db8::1", "2001:db8::2", "2001:db8::3", "fe80::1", "::1", "ff02::1", "2001:db8:0:1::5", "2001:db9::1"}
	genMACs = [][6]byte{{0, 0x11, 0x22, 0x33, 0x44, 0x55}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {1, 0, 0x5e, 0, 0, 0xfb},
		{0x02, 0x42, 0xac, 0x11, 0, 2}, {0x01, 0x80, 0xc2, 0, 0, 0}, {0x33, 0x33, 0, 0, 0, 1}}
	genPorts = []uint16{80, 53, 22, 443, 1024, 67, 68, 25, 123, 9, 8000, 8080, 8040, 150, 60000, 65535, 5, 10, 1023, 20, 21}
)

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func genAddr6(r *rand.Rand) [16]byte {
	var a [16]byte
	if r.IntN(4) == 0 {
		for i := range a {
			a[i] = byte(r.Uint32())
		}
		return a
	}
	s := pick(r, genIPv6)
	ip := mustAddr(s)
	return ip
}

func mustAddr(s string) [16]byte {
	a, err := parseIPv6(s)
	if err != nil {
		panic(err)
	}
	return a
}

func genAddr4(r *rand.Rand) [4]byte {
	if r.IntN(5) == 0 {
		return [4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())}
	}
	return pick(r, genIPv4)
}

func genPort(r *rand.Rand) uint16 {
	if r.IntN(4) == 0 {
		return uint16(r.Uint32())
	}
	return pick(r, genPorts)
}

// genL4 returns a transport header and payload for protocol proto.
func genL4(r *rand.Rand, proto byte) []byte {
	payload := make([]byte, r.IntN(40))
	for i := range payload {
		payload[i] = byte(r.Uint32())
	}
	switch proto {
	case 6: // TCP, sometimes with options
		optWords := 0
		if r.IntN(3) == 0 {
			optWords = 1 + r.IntN(3)
		}
		h := make([]byte, 20+4*optWords)
		binary.BigEndian.PutUint16(h[0:], genPort(r))
		binary.BigEndian.PutUint16(h[2:], genPort(r))
		binary.BigEndian.PutUint32(h[4:], r.Uint32())
		h[12] = byte((5 + optWords) << 4)
		h[13] = pick(r, []byte{0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x01, 0xc2, 0x20, byte(r.Uint32())})
		binary.BigEndian.PutUint16(h[14:], 1024)
		for i := 20; i < len(h); i++ {
			h[i] = 1 // NOP options
		}
		return append(h, payload...)
	case 17:
		h := make([]byte, 8)
		binary.BigEndian.PutUint16(h[0:], genPort(r))
		binary.BigEndian.PutUint16(h[2:], genPort(r))
		binary.BigEndian.PutUint16(h[4:], uint16(8+len(payload)))
		if r.IntN(4) == 0 {
			payload = append([]byte{0x12, 0x34, 0x56, 0x78}, payload...)
		}
		return append(h, payload...)
	case 132: // SCTP common header and a DATA chunk
		h := make([]byte, 12+16)
		binary.BigEndian.PutUint16(h[0:], genPort(r))
		binary.BigEndian.PutUint16(h[2:], genPort(r))
		binary.BigEndian.PutUint32(h[4:], r.Uint32())
		h[12] = 0
		binary.BigEndian.PutUint16(h[14:], 16)
		return h
	case 1: // ICMP
		h := []byte{pick(r, []byte{0, 3, 8, 11, 5, 13, 17, byte(r.Uint32())}), byte(r.IntN(4)), 0, 0, 0, 1, 0, 1}
		return append(h, payload...)
	case 58: // ICMPv6
		h := []byte{pick(r, []byte{128, 129, 135, 136, 133, 134, 1, 2, 3, 143, byte(r.Uint32())}), 0, 0, 0, 0, 0, 0, 0}
		return append(h, payload...)
	case 2: // IGMP
		return []byte{0x16, 0, 0, 0, 224, 0, 0, 251}
	}
	return payload
}

var genIPProtos = []byte{6, 6, 6, 17, 17, 17, 1, 132, 2, 47, 89, 103, 112, 50, 51, 9, 58}

func genIPv4Packet(r *rand.Rand) []byte {
	proto := pick(r, genIPProtos)
	if proto == 58 {
		proto = 6
	}
	ihl := 5
	if r.IntN(8) == 0 {
		ihl = 6 + r.IntN(3) // with options
	}
	h := make([]byte, ihl*4)
	h[0] = 0x40 | byte(ihl)
	h[1] = pick(r, []byte{0, 0xb8, 0x10})
	binary.BigEndian.PutUint16(h[4:], uint16(r.Uint32()))
	switch r.IntN(10) {
	case 0: // later fragment
		binary.BigEndian.PutUint16(h[6:], uint16(1+r.IntN(0x1fff)))
	case 1: // first fragment, more fragments
		binary.BigEndian.PutUint16(h[6:], 0x2000)
	case 2:
		binary.BigEndian.PutUint16(h[6:], 0x4000) // DF
	}
	h[8] = 64
	h[9] = proto
	s, d := genAddr4(r), genAddr4(r)
	copy(h[12:], s[:])
	copy(h[16:], d[:])
	for i := 20; i < len(h); i++ {
		h[i] = 1 // NOP options
	}
	p := append(h, genL4(r, proto)...)
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	return p
}

func genIPv6Packet(r *rand.Rand) []byte {
	proto := pick(r, genIPProtos)
	if proto == 1 {
		proto = 58
	}
	h := make([]byte, 40)
	h[0] = 0x60
	h[7] = 64
	s, d := genAddr6(r), genAddr6(r)
	copy(h[8:], s[:])
	copy(h[24:], d[:])
	// Extension headers: hop-by-hop, destination options, routing,
	// fragment, in a random subset.
	var ext []byte
	next := proto
	var chain []byte
	if r.IntN(4) == 0 {
		n := 1 + r.IntN(2)
		for i := 0; i < n; i++ {
			chain = append(chain, pick(r, []byte{0, 60, 43, 44}))
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		var e []byte
		if chain[i] == 44 {
			e = []byte{next, 0, 0, byte(r.IntN(2)), 0, 0, 0, 1}
		} else {
			e = []byte{next, 0, 1, 4, 0, 0, 0, 0}
		}
		ext = append(e, ext...)
		next = chain[i]
	}
	h[6] = next
	p := append(append(h, ext...), genL4(r, proto)...)
	binary.BigEndian.PutUint16(p[4:], uint16(len(p)-40))
	return p
}

func genARP(r *rand.Rand) []byte {
	p := make([]byte, 28)
	binary.BigEndian.PutUint16(p[0:], 1)
	binary.BigEndian.PutUint16(p[2:], 0x0800)
	p[4], p[5] = 6, 4
	binary.BigEndian.PutUint16(p[6:], uint16(1+r.IntN(4)))
	m := pick(r, genMACs)
	copy(p[8:], m[:])
	s, d := genAddr4(r), genAddr4(r)
	copy(p[14:], s[:])
	copy(p[24:], d[:])
	return p
}

// genNetwork returns an EtherType and the network-layer packet.
func genNetwork(r *rand.Rand) (uint16, []byte) {
	switch n := r.IntN(100); {
	case n < 45:
		return 0x0800, genIPv4Packet(r)
	case n < 75:
		return 0x86dd, genIPv6Packet(r)
	case n < 82:
		return 0x0806, genARP(r)
	case n < 85:
		return 0x8035, genARP(r)
	case n < 88: // MPLS with one or two labels
		labels := 1 + r.IntN(2)
		var p []byte
		for i := 0; i < labels; i++ {
			v := uint32(pick(r, []uint32{5, 6, 100, uint32(r.IntN(1 << 20))})) << 12
			if i == labels-1 {
				v |= 0x100
			}
			v |= 64
			p = binary.BigEndian.AppendUint32(p, v)
		}
		if r.IntN(2) == 0 {
			return 0x8847, append(p, genIPv4Packet(r)...)
		}
		return 0x8847, append(p, genIPv6Packet(r)...)
	case n < 91: // PPPoE session
		inner, proto := genIPv4Packet(r), uint16(0x0021)
		if r.IntN(2) == 0 {
			inner, proto = genIPv6Packet(r), 0x0057
		}
		p := []byte{0x11, 0, 0, 0, 0, 0, 0, 0}
		binary.BigEndian.PutUint16(p[2:], pick(r, []uint16{0x3b, 3, 7, uint16(r.Uint32())}))
		binary.BigEndian.PutUint16(p[4:], uint16(len(inner)+2))
		binary.BigEndian.PutUint16(p[6:], proto)
		return 0x8864, append(p, inner...)
	case n < 92:
		return 0x8863, []byte{0x11, 0x09, 0, 0, 0, 0}
	default:
		et := pick(r, []uint16{0x88cc, 0x8137, 0x809b, 0x80f3, 0x6003, 0x6004, 0x6007, 0x6001, 0x6002, 0x0800})
		return et, genL4(r, 0)
	}
}

// genFrame returns one Ethernet frame, possibly VLAN-tagged, 802.3/LLC,
// and possibly truncated.
func genFrame(r *rand.Rand) genPacket {
	dst, src := pick(r, genMACs), pick(r, genMACs)
	if r.IntN(3) == 0 {
		for i := range src {
			src[i] = byte(r.Uint32())
		}
		src[0] &^= 1
	}
	f := append(append([]byte{}, dst[:]...), src[:]...)
	if r.IntN(12) == 0 { // 802.3 length field with an LLC header
		llc := pick(r, [][]byte{{0x06, 0x06, 0x03}, {0xfe, 0xfe, 0x03, 0x83, 0x1b}, {0xfe, 0xfe, 0x03, 0x81},
			{0xf0, 0xf0, 0x03}, {0xe0, 0xe0, 0x03}, {0xff, 0xff}, {0x42, 0x42, 0x03},
			{0xaa, 0xaa, 0x03, 0, 0, 0, 0x81, 0x37}, {0xaa, 0xaa, 0x03, 0x08, 0x00, 0x07, 0x80, 0x9b}})
		payload := append(append([]byte{}, llc...), make([]byte, r.IntN(30))...)
		f = binary.BigEndian.AppendUint16(f, uint16(len(payload)))
		f = append(f, payload...)
	} else {
		tags := 0
		if r.IntN(6) == 0 {
			tags = 1 + r.IntN(2)
		}
		for i := 0; i < tags; i++ {
			f = binary.BigEndian.AppendUint16(f, pick(r, []uint16{0x8100, 0x8100, 0x88a8, 0x9100}))
			f = binary.BigEndian.AppendUint16(f, pick(r, []uint16{5, 10, 20, 100, uint16(r.Uint32())}))
		}
		et, payload := genNetwork(r)
		f = binary.BigEndian.AppendUint16(f, et)
		f = append(f, payload...)
	}
	for len(f) < 60 && r.IntN(2) == 0 {
		f = append(f, 0)
	}
	p := genPacket{data: f, wireLen: len(f)}
	if r.IntN(10) == 0 { // truncated capture
		p.data = f[:r.IntN(len(f))]
	}
	return p
}

// genCapture returns n generated frames.
func genCapture(n int) []genPacket {
	r := rand.New(rand.NewPCG(6, 2026))
	out := make([]genPacket, n)
	for i := range out {
		out[i] = genFrame(r)
	}
	return out
}

func parseIPv6(s string) ([16]byte, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return [16]byte{}, err
	}
	return a.As16(), nil
}

// toCooked rewrites a generated Ethernet frame as a Linux cooked capture
// (SLL, or SLL2 with v2): the Ethernet header becomes the cooked header,
// 802.3 frames get protocol 0x0004 (802.2 LLC).
func toCooked(p genPacket, r *rand.Rand, v2 bool) genPacket {
	f := p.data
	if len(f) < 14 {
		return p
	}
	proto := binary.BigEndian.Uint16(f[12:])
	if proto <= 1500 {
		proto = 0x0004
	}
	pkttype := uint16(pick(r, []int{0, 1, 2, 4}))
	var h []byte
	if v2 {
		h = make([]byte, 20)
		binary.BigEndian.PutUint16(h[0:], proto)
		binary.BigEndian.PutUint32(h[4:], uint32(1+r.IntN(4)))
		binary.BigEndian.PutUint16(h[8:], 1)
		h[10] = byte(pkttype)
		h[11] = 6
		copy(h[12:], f[6:12])
	} else {
		h = make([]byte, 16)
		binary.BigEndian.PutUint16(h[0:], pkttype)
		binary.BigEndian.PutUint16(h[2:], 1)
		binary.BigEndian.PutUint16(h[4:], 6)
		copy(h[6:], f[6:12])
		binary.BigEndian.PutUint16(h[14:], proto)
	}
	data := append(h, f[14:]...)
	return genPacket{data: data, wireLen: p.wireLen - 14 + len(h)}
}

// genCookedCapture returns n frames as Linux cooked captures.
func genCookedCapture(n int, v2 bool) []genPacket {
	r := rand.New(rand.NewPCG(7, 2026))
	out := make([]genPacket, n)
	for i := range out {
		out[i] = toCooked(genFrame(r), r, v2)
	}
	return out
}
