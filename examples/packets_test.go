package examples_test

import (
	"bytes"
	"flag"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

var update = flag.Bool("update", false, "rewrite testdata/packets.pcap")

var (
	macA = net.HardwareAddr{0x02, 0, 0, 0, 0, 0xa}
	macB = net.HardwareAddr{0x02, 0, 0, 0, 0, 0xb}
)

// pkt describes a test packet.
type pkt struct {
	src, dst string // IPv4 or IPv6 addresses; empty for ARP
	proto    layers.IPProtocol
	sport    uint16
	dport    uint16
	tos      uint8
	payload  string
}

// build serializes p as an Ethernet frame.
func (p pkt) build(t testing.TB) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: macA, DstMAC: macB}
	var ls []gopacket.SerializableLayer
	ls = append(ls, eth)
	var nl gopacket.NetworkLayer
	switch {
	case p.src == "":
		eth.EthernetType = layers.EthernetTypeARP
		ls = append(ls, &layers.ARP{
			AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
			HwAddressSize: 6, ProtAddressSize: 4, Operation: layers.ARPRequest,
			SourceHwAddress: macA, SourceProtAddress: []byte{10, 0, 0, 1},
			DstHwAddress: make([]byte, 6), DstProtAddress: []byte{10, 0, 0, 2},
		})
	case net.ParseIP(p.src).To4() != nil:
		eth.EthernetType = layers.EthernetTypeIPv4
		ip := &layers.IPv4{Version: 4, TTL: 64, TOS: p.tos, Protocol: p.proto,
			SrcIP: net.ParseIP(p.src).To4(), DstIP: net.ParseIP(p.dst).To4()}
		ls = append(ls, ip)
		nl = ip
	default:
		eth.EthernetType = layers.EthernetTypeIPv6
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: p.proto,
			SrcIP: net.ParseIP(p.src), DstIP: net.ParseIP(p.dst)}
		ls = append(ls, ip)
		nl = ip
	}
	switch p.proto {
	case layers.IPProtocolUDP:
		udp := &layers.UDP{SrcPort: layers.UDPPort(p.sport), DstPort: layers.UDPPort(p.dport)}
		_ = udp.SetNetworkLayerForChecksum(nl)
		ls = append(ls, udp)
	case layers.IPProtocolTCP:
		tcp := &layers.TCP{SrcPort: layers.TCPPort(p.sport), DstPort: layers.TCPPort(p.dport), SYN: true, Window: 1024}
		_ = tcp.SetNetworkLayerForChecksum(nl)
		ls = append(ls, tcp)
	case layers.IPProtocolICMPv4:
		ls = append(ls, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 1, Seq: 1})
	case layers.IPProtocolICMPv6:
		icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)}
		_ = icmp.SetNetworkLayerForChecksum(nl)
		ls = append(ls, icmp)
	}
	if p.payload != "" {
		ls = append(ls, gopacket.Payload(p.payload))
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// capture is the traffic in testdata/packets.pcap: a mix of protocols and
// addresses.
var capture = []pkt{
	{src: "10.0.0.1", dst: "10.0.0.2", proto: layers.IPProtocolTCP, sport: 40000, dport: 80},
	{src: "10.0.0.1", dst: "10.0.0.2", proto: layers.IPProtocolTCP, sport: 40000, dport: 80, payload: "GET / HTTP/1.1\r\n\r\n"},
	{src: "10.0.0.2", dst: "10.0.0.1", proto: layers.IPProtocolTCP, sport: 80, dport: 40000, payload: "HTTP/1.1 200 OK\r\n\r\nhello"},
	{src: "10.0.0.3", dst: "8.8.8.8", proto: layers.IPProtocolUDP, sport: 5353, dport: 53, payload: "dns query"},
	{src: "8.8.8.8", dst: "10.0.0.3", proto: layers.IPProtocolUDP, sport: 53, dport: 5353, payload: "dns answer, longer"},
	{src: "10.0.0.4", dst: "10.0.0.1", proto: layers.IPProtocolICMPv4},
	{src: "10.0.0.1", dst: "10.0.0.4", proto: layers.IPProtocolICMPv4, payload: "ping payload"},
	{src: "fd00::1", dst: "fd00::2", proto: layers.IPProtocolUDP, sport: 1234, dport: 4321, payload: "v6 data"},
	{src: "fd00::2", dst: "fd00::1", proto: layers.IPProtocolTCP, sport: 443, dport: 50000},
	{src: "fd00::1", dst: "fd00::2", proto: layers.IPProtocolICMPv6, payload: "echo"},
	{},
	{src: "192.168.1.10", dst: "192.168.1.255", proto: layers.IPProtocolUDP, sport: 137, dport: 137, payload: "netbios broadcast"},
	{src: "10.0.0.3", dst: "1.1.1.1", proto: layers.IPProtocolUDP, sport: 5353, dport: 53, payload: "another query"},
}

const pcapPath = "testdata/packets.pcap"

// TestPcapUpToDate checks (or, with -update, writes) the committed capture.
func TestPcapUpToDate(t *testing.T) {
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, p := range capture {
		data := p.build(t)
		ci := gopacket.CaptureInfo{Timestamp: ts.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(data), Length: len(data)}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	if *update {
		if err := os.WriteFile(filepath.FromSlash(pcapPath), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(filepath.FromSlash(pcapPath))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, buf.Bytes()) {
		t.Fatalf("%s is out of date: run go test -run TestPcapUpToDate -update", pcapPath)
	}
}

// readPcap returns the packets of a capture file.
func readPcap(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for {
		data, _, err := r.ReadPacketData()
		if err != nil {
			break
		}
		out = append(out, data)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no packets", path)
	}
	return out
}
