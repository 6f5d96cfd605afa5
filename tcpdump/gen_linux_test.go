//go:build linux

package tcpdump_test

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/gbpf/gbpf/pcapfilter"
)

// TestGenerateCaptures regenerates testdata/lo-*.pcap: tcpdump captures on
// lo of traffic made here (TCP with options, UDP and DNS, ICMP and ICMPv6
// errors, IPv6), testdata/any-lo.pcap (gbpf's capture on "any") and
// testdata/gen-frames.pcap, frames built here (VLAN and
// QinQ, GRE, MPLS, ARP, ICMP errors, IPv6 options, neighbour discovery).
// Run it with
// GBPF_REGEN_CAPTURES=1 as root; it is skipped otherwise.
func TestGenerateCaptures(t *testing.T) {
	if os.Getenv("GBPF_REGEN_CAPTURES") == "" {
		t.Skip("set GBPF_REGEN_CAPTURES=1 to regenerate the captures")
	}
	bin, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed")
	}
	capture(t, bin, "lo-ip.pcap", ipTraffic)
	writeFrames(t, filepath.Join("testdata", "gen-frames.pcap"))
	captureAny(t, filepath.Join("testdata", "any-lo.pcap"))
}

// captureAny captures UDP and ICMP on the "any" pseudo-interface with
// gbpf's own live capture (cooked v2 headers, both directions of lo)
// while datagrams go to closed ports on 127.0.0.1 and ::1.
func captureAny(t *testing.T, name string) {
	c, err := pcapfilter.OpenLive("any", "udp port 9999 or icmp or icmp6", pcapfilter.LiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(c.Snaplen(), layers.LinkTypeLinuxSLL2); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		for _, dst := range []string{"127.0.0.1:9999", "[::1]:9999"} {
			if u, err := net.Dial("udp", dst); err == nil {
				u.Write([]byte("hello"))
				u.Close()
			}
		}
	}()
	deadline := time.Now().Add(3 * time.Second)
	for n := 0; n < 8 && time.Now().Before(deadline); {
		pk, err := c.Next()
		if errors.Is(err, pcapfilter.ErrTimeout) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: pk.Timestamp, CaptureLength: len(pk.Data), Length: pk.Length}, pk.Data); err != nil {
			t.Fatal(err)
		}
		n++
	}
}

// writeFrames writes the frames of frameTraffic straight to a pcap file:
// the sandbox's loopback loses raw frames sent through AF_PACKET, so they
// are recorded as built.
func writeFrames(t *testing.T, name string) {
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	frames(t, func(b []byte) {
		ts = ts.Add(1234567 * time.Microsecond)
		if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(b), Length: len(b)}, b); err != nil {
			t.Fatal(err)
		}
	})
}

func capture(t *testing.T, bin, name string, gen func(t *testing.T)) {
	out := filepath.Join("testdata", name)
	cmd := exec.Command(bin, "-i", "lo", "-Z", "root", "-U", "-s", "262144", "-w", out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	time.Sleep(2 * time.Second)
	gen(t)
	time.Sleep(500 * time.Millisecond)
}

// ipTraffic makes traffic through the kernel's stack on lo.
func ipTraffic(t *testing.T) {
	for _, nw := range []string{"tcp4", "tcp6"} {
		addr := "127.0.0.1:8080"
		if nw == "tcp6" {
			addr = "[::1]:8080"
		}
		ln, err := net.Listen(nw, addr)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			n, _ := c.Read(buf)
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
			_ = n
			c.Close()
		}()
		c, err := net.Dial(nw, ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))
		buf := make([]byte, 4096)
		c.Read(buf)
		c.Close()
		ln.Close()
		time.Sleep(100 * time.Millisecond)
	}
	// DNS: a query and an answer over UDP port 53 on lo.
	for _, nw := range []string{"udp4", "udp6"} {
		laddr := "127.0.0.1:53"
		if nw == "udp6" {
			laddr = "[::1]:53"
		}
		srv, err := net.ListenPacket(nw, laddr)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			buf := make([]byte, 512)
			n, from, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			var q layers.DNS
			if q.DecodeFromBytes(buf[:n], gopacket.NilDecodeFeedback) != nil {
				return
			}
			q.QR, q.RA, q.ANCount = true, true, 2
			q.Answers = []layers.DNSResourceRecord{
				{Name: []byte("www.example.com"), Type: layers.DNSTypeCNAME, Class: layers.DNSClassIN, TTL: 300, CNAME: []byte("example.com")},
				{Name: []byte("example.com"), Type: layers.DNSTypeA, Class: layers.DNSClassIN, TTL: 300, IP: net.IPv4(93, 184, 216, 34)},
			}
			sb := gopacket.NewSerializeBuffer()
			if q.SerializeTo(sb, gopacket.SerializeOptions{FixLengths: true}) == nil {
				srv.WriteTo(sb.Bytes(), from)
			}
		}()
		c, err := net.Dial(nw, srv.LocalAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		q := layers.DNS{ID: 4660, RD: true, QDCount: 1, Questions: []layers.DNSQuestion{{Name: []byte("www.example.com"), Type: layers.DNSTypeA, Class: layers.DNSClassIN}}}
		sb := gopacket.NewSerializeBuffer()
		if err := q.SerializeTo(sb, gopacket.SerializeOptions{FixLengths: true}); err != nil {
			t.Fatal(err)
		}
		c.Write(sb.Bytes())
		c.SetReadDeadline(time.Now().Add(time.Second))
		c.Read(make([]byte, 512))
		c.Close()
		srv.Close()
		// A datagram to a closed port draws an ICMP port unreachable.
		dst := "127.0.0.1:9"
		if nw == "udp6" {
			dst = "[::1]:9"
		}
		if u, err := net.Dial(nw, dst); err == nil {
			u.Write([]byte("hello"))
			time.Sleep(50 * time.Millisecond)
			u.Close()
		}
	}
}

// frames builds frames and passes them to out:
// VLAN, QinQ, GRE, MPLS, ARP, ICMP time exceeded, IPv6 with extension
// headers and neighbour discovery.
func frames(t *testing.T, out func([]byte)) {
	send := func(ls ...gopacket.SerializableLayer) {
		sb := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(sb, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
			t.Fatal(err)
		}
		out(sb.Bytes())
	}
	src := net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	dst := net.HardwareAddr{0x02, 0, 0, 0, 0, 2}
	a, b := net.IPv4(10, 0, 0, 1), net.IPv4(10, 0, 0, 2)
	a6, b6 := net.ParseIP("2001:db8::1"), net.ParseIP("2001:db8::2")
	ip := func(p layers.IPProtocol) *layers.IPv4 {
		return &layers.IPv4{Version: 4, TTL: 64, Id: 4242, Flags: layers.IPv4DontFragment, Protocol: p, SrcIP: a, DstIP: b}
	}
	ip6 := func(p layers.IPProtocol) *layers.IPv6 {
		return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: p, SrcIP: a6, DstIP: b6}
	}
	udp := &layers.UDP{SrcPort: 40000, DstPort: 7777}
	tcp := &layers.TCP{SrcPort: 40001, DstPort: 8080, Seq: 1000, Ack: 2000, ACK: true, PSH: true, Window: 512,
		Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindNop}, {OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindSACK, OptionLength: 10, OptionData: []byte{0, 0, 0x07, 0xd1, 0, 0, 0x08, 0x00}}}}
	payload := gopacket.Payload("payload!")
	// VLAN and QinQ.
	udp.SetNetworkLayerForChecksum(ip(layers.IPProtocolUDP))
	send(&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeDot1Q},
		&layers.Dot1Q{VLANIdentifier: 10, Priority: 3, Type: layers.EthernetTypeIPv4}, ip(layers.IPProtocolUDP), udp, payload)
	send(&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeQinQ},
		&layers.Dot1Q{VLANIdentifier: 100, Type: layers.EthernetTypeDot1Q},
		&layers.Dot1Q{VLANIdentifier: 20, Type: layers.EthernetTypeIPv4}, ip(layers.IPProtocolUDP), udp, payload)
	tcp.SetNetworkLayerForChecksum(ip(layers.IPProtocolTCP))
	send(&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeDot1Q},
		&layers.Dot1Q{VLANIdentifier: 30, Type: layers.EthernetTypeIPv4}, ip(layers.IPProtocolTCP), tcp, payload)
	// ARP.
	send(&layers.Ethernet{SrcMAC: src, DstMAC: layers.EthernetBroadcast, EthernetType: layers.EthernetTypeARP},
		&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: 1, SourceHwAddress: src, SourceProtAddress: a.To4(), DstHwAddress: make([]byte, 6), DstProtAddress: b.To4()})
	// GRE carrying IPv4, MPLS carrying IPv4.
	inner := ip(layers.IPProtocolICMPv4)
	send(&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeIPv4}, ip(layers.IPProtocolGRE),
		&layers.GRE{Protocol: layers.EthernetTypeIPv4}, inner, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 7, Seq: 1}, payload)
	send(&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeMPLSUnicast},
		&layers.MPLS{Label: 100, TTL: 63, StackBottom: true}, ip(layers.IPProtocolICMPv4),
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 7, Seq: 2}, payload)
	// ICMP time exceeded quoting a UDP datagram.
	quoted := gopacket.NewSerializeBuffer()
	qudp := &layers.UDP{SrcPort: 33434, DstPort: 33435}
	qip := ip(layers.IPProtocolUDP)
	qudp.SetNetworkLayerForChecksum(qip)
	_ = gopacket.SerializeLayers(quoted, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, qip, qudp, payload)
	send(&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeIPv4}, ip(layers.IPProtocolICMPv4),
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(11, 0)}, gopacket.Payload(quoted.Bytes()))
	// DNS over UDP: a query and its answer.
	q := &layers.DNS{ID: 4660, RD: true, QDCount: 1, Questions: []layers.DNSQuestion{{Name: []byte("www.example.com"), Type: layers.DNSTypeA, Class: layers.DNSClassIN}}}
	dq := &layers.UDP{SrcPort: 40003, DstPort: 53}
	dq.SetNetworkLayerForChecksum(ip(layers.IPProtocolUDP))
	send(&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeIPv4}, ip(layers.IPProtocolUDP), dq, q)
	ans := *q
	ans.QR, ans.RA, ans.ANCount = true, true, 2
	ans.Answers = []layers.DNSResourceRecord{
		{Name: []byte("www.example.com"), Type: layers.DNSTypeCNAME, Class: layers.DNSClassIN, TTL: 300, CNAME: []byte("example.com")},
		{Name: []byte("example.com"), Type: layers.DNSTypeA, Class: layers.DNSClassIN, TTL: 300, IP: net.IPv4(93, 184, 216, 34)},
	}
	rip := ip(layers.IPProtocolUDP)
	rip.SrcIP, rip.DstIP = b, a
	da := &layers.UDP{SrcPort: 53, DstPort: 40003}
	da.SetNetworkLayerForChecksum(rip)
	send(&layers.Ethernet{SrcMAC: dst, DstMAC: src, EthernetType: layers.EthernetTypeIPv4}, rip, da, &ans)
	// ICMP port unreachable quoting a UDP datagram.
	uip := ip(layers.IPProtocolICMPv4)
	uip.SrcIP, uip.DstIP = b, a
	send(&layers.Ethernet{SrcMAC: dst, DstMAC: src, EthernetType: layers.EthernetTypeIPv4}, uip,
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 3)}, gopacket.Payload(quoted.Bytes()))
	// TCP over IPv6 with options, ICMPv6 echo.
	t6 := ip6(layers.IPProtocolTCP)
	syn := &layers.TCP{SrcPort: 40004, DstPort: 22, Seq: 77, SYN: true, Window: 65535, Options: []layers.TCPOption{
		{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xa0}},
		{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
		{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: []byte{0, 0, 0, 1, 0, 0, 0, 0}},
		{OptionType: layers.TCPOptionKindNop},
		{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}}}}
	syn.SetNetworkLayerForChecksum(t6)
	send(&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeIPv6}, t6, syn)
	e6 := ip6(layers.IPProtocolICMPv6)
	ec := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)}
	ec.SetNetworkLayerForChecksum(e6)
	send(&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeIPv6}, e6, ec, &layers.ICMPv6Echo{Identifier: 9, SeqNumber: 1}, payload)
	// IPv6: a hop-by-hop header before UDP, and neighbour discovery.
	h6 := ip6(layers.IPProtocolIPv6HopByHop)
	u6 := &layers.UDP{SrcPort: 40002, DstPort: 7778}
	u6.SetNetworkLayerForChecksum(h6)
	send(&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeIPv6}, h6,
		&layers.IPv6HopByHop{Options: []*layers.IPv6HopByHopOption{{OptionType: 5, OptionLength: 2, OptionData: []byte{0, 0}}, {OptionType: 1, OptionLength: 0, OptionData: []byte{}}}},
		u6, payload)
	n6 := ip6(layers.IPProtocolICMPv6)
	n6.HopLimit = 255
	ic6 := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(135, 0)}
	ic6.SetNetworkLayerForChecksum(n6)
	send(&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeIPv6}, n6, ic6,
		&layers.ICMPv6NeighborSolicitation{TargetAddress: b6, Options: []layers.ICMPv6Option{{Type: layers.ICMPv6OptSourceAddress, Data: src}}})
}
