package examples_test

import (
	"encoding/binary"
	"errors"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/maps"
)

const (
	xdpAborted = 0
	xdpDrop    = 1
	xdpPass    = 2
	xdpTx      = 3
)

func TestXDPProtoCount(t *testing.T) {
	packets := readPcap(t, pcapPath)
	// What the program should count, decoded independently with gopacket.
	wantPackets := map[uint32]uint64{}
	wantBytes := map[uint32]uint64{}
	wantEther := map[uint16]uint64{}
	for _, data := range packets {
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		eth := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
		wantEther[uint16(eth.EthernetType)]++
		var proto uint32
		switch ip := p.NetworkLayer().(type) {
		case *layers.IPv4:
			proto = uint32(ip.Protocol)
		case *layers.IPv6:
			proto = uint32(ip.NextHeader)
		default:
			continue
		}
		wantPackets[proto]++
		wantBytes[proto] += uint64(len(data))
	}
	each(t, "xdp_proto_count", func(t *testing.T, coll *gbpf.Collection) {
		for i, data := range packets {
			if ret := run(t, coll, "count_protocols", &gbpf.RunOptions{Data: data}); ret != xdpPass {
				t.Fatalf("packet %d: return %d, want XDP_PASS", i, ret)
			}
		}
		for proto := range uint32(256) {
			if got := u64(t, coll, "proto_packets", proto); got != wantPackets[proto] {
				t.Errorf("proto_packets[%d] = %d, want %d", proto, got, wantPackets[proto])
			}
			var perCPU []uint64
			lookup(t, coll, "proto_bytes", proto, &perCPU)
			if got := sum(perCPU); got != wantBytes[proto] {
				t.Errorf("proto_bytes[%d] = %d, want %d", proto, got, wantBytes[proto])
			}
		}
		got := map[uint16]uint64{}
		var k uint16
		var v uint64
		it := coll.Maps["ethertypes"].Iterate()
		for it.Next(&k, &v) {
			got[k] = v
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(wantEther) {
			t.Errorf("ethertypes has %d entries %v, want %v", len(got), got, wantEther)
		}
		for et, n := range wantEther {
			if got[et] != n {
				t.Errorf("ethertypes[%#04x] = %d, want %d", et, got[et], n)
			}
		}
	})
}

func ip4(s string) uint32 { return binary.LittleEndian.Uint32(net.ParseIP(s).To4()) }

func TestHashCounter(t *testing.T) {
	type stats struct{ Packets, Bytes uint64 }
	each(t, "hash_counter", func(t *testing.T, coll *gbpf.Collection) {
		sent := map[string]stats{}
		for i, src := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.3", "10.0.0.1"} {
			data := pkt{src: src, dst: "10.9.9.9", proto: layers.IPProtocolUDP, sport: 1, dport: 2, payload: string(make([]byte, i))}.build(t)
			if ret := run(t, coll, "count_sources", &gbpf.RunOptions{Data: data}); ret != xdpPass {
				t.Fatalf("return %d, want XDP_PASS", ret)
			}
			s := sent[src]
			s.Packets++
			s.Bytes += uint64(len(data))
			sent[src] = s
		}
		for src, want := range sent {
			var got stats
			lookup(t, coll, "sources", ip4(src), &got)
			if got != want {
				t.Errorf("sources[%s] = %+v, want %+v", src, got, want)
			}
		}
		// TOS 0xff deletes the source's entry.
		data := pkt{src: "10.0.0.1", dst: "10.9.9.9", proto: layers.IPProtocolUDP, tos: 0xff}.build(t)
		if ret := run(t, coll, "count_sources", &gbpf.RunOptions{Data: data}); ret != xdpDrop {
			t.Fatalf("return %d, want XDP_DROP", ret)
		}
		var got stats
		if err := coll.Maps["sources"].Lookup(ip4("10.0.0.1"), &got); !errors.Is(err, gbpf.ErrKeyNotExist) {
			t.Fatalf("after delete: lookup = %v, want ErrKeyNotExist", err)
		}
		// Non-IPv4 traffic is not counted.
		run(t, coll, "count_sources", &gbpf.RunOptions{Data: pkt{}.build(t)})
		n := 0
		var k uint32
		it := coll.Maps["sources"].Iterate()
		for it.Next(&k, &got) {
			n++
		}
		if n != 2 {
			t.Errorf("%d sources left, want 2", n)
		}
	})
}

func TestArrayStatsSocketFilter(t *testing.T) {
	each(t, "array_stats", func(t *testing.T, coll *gbpf.Collection) {
		var bytes, ipv4 uint64
		for _, p := range capture {
			data := p.build(t)
			ret := run(t, coll, "socket_stats", &gbpf.RunOptions{Data: data})
			// A socket filter sees the packet from the network header on.
			if want := uint64(len(data) - 14); ret != want {
				t.Fatalf("return %d, want %d", ret, want)
			}
			bytes += uint64(len(data) - 14)
			if p.src != "" && net.ParseIP(p.src).To4() != nil {
				ipv4++
			}
		}
		if got := u64(t, coll, "stats", uint32(0)); got != uint64(len(capture)) {
			t.Errorf("packets = %d, want %d", got, len(capture))
		}
		if got := u64(t, coll, "stats", uint32(1)); got != bytes {
			t.Errorf("bytes = %d, want %d", got, bytes)
		}
		if got := u64(t, coll, "stats", uint32(2)); got != ipv4 {
			t.Errorf("ipv4 = %d, want %d", got, ipv4)
		}
	})
}

func TestPerCPUHash(t *testing.T) {
	type counter struct {
		Packets uint64
		LastCPU uint32
		_       uint32
	}
	each(t, "percpu_hash", func(t *testing.T, coll *gbpf.Collection) {
		want := map[uint16]uint64{}
		for _, p := range capture {
			data := p.build(t)
			if ret := run(t, coll, "count_percpu", &gbpf.RunOptions{Data: data}); ret != xdpPass {
				t.Fatalf("return %d", ret)
			}
			want[binary.BigEndian.Uint16(data[12:14])]++
		}
		if ret := run(t, coll, "count_percpu", &gbpf.RunOptions{Data: make([]byte, 14)}); ret != xdpPass {
			t.Fatalf("return %d", ret)
		}
		want[0]++
		for et, n := range want {
			var perCPU []counter
			lookup(t, coll, "by_ethertype", et, &perCPU)
			var total uint64
			for cpu, c := range perCPU {
				total += c.Packets
				if c.Packets > 0 && int(c.LastCPU) != cpu {
					t.Errorf("ethertype %#x: CPU %d's value says last CPU %d", et, cpu, c.LastCPU)
				}
			}
			if total != n {
				t.Errorf("ethertype %#x: %d packets, want %d", et, total, n)
			}
		}
	})
}

func TestLRUHash(t *testing.T) {
	each(t, "lru_hash", func(t *testing.T, coll *gbpf.Collection) {
		hit := func(src string) {
			data := pkt{src: src, dst: "10.0.0.254", proto: layers.IPProtocolUDP}.build(t)
			run(t, coll, "remember", &gbpf.RunOptions{Data: data})
		}
		for i := range 10 {
			hit(net.IPv4(10, 1, 0, byte(i)).String())
		}
		hit("10.1.0.9")
		var k, n uint32
		var v uint64
		it := coll.Maps["recent"].Iterate()
		for it.Next(&k, &v) {
			n++
		}
		if n == 0 || n > 4 {
			t.Fatalf("%d entries, want 1 to 4", n)
		}
		key := binary.BigEndian.Uint32(net.ParseIP("10.1.0.9").To4())
		if got := u64(t, coll, "recent", key); got != 2 {
			t.Errorf("most recent source seen %d times, want 2", got)
		}
		var old uint64
		if err := coll.Maps["recent"].Lookup(binary.BigEndian.Uint32(net.ParseIP("10.1.0.0").To4()), &old); !errors.Is(err, gbpf.ErrKeyNotExist) {
			t.Errorf("least recent source: %v, want it evicted", err)
		}
	})
}

func TestLRUPerCPUHash(t *testing.T) {
	each(t, "lru_percpu_hash", func(t *testing.T, coll *gbpf.Collection) {
		want := map[uint16]uint64{}
		for _, p := range capture {
			data := p.build(t)
			run(t, coll, "bytes_by_port", &gbpf.RunOptions{Data: data})
			if p.proto == layers.IPProtocolUDP && net.ParseIP(p.src).To4() != nil {
				want[p.dport] += uint64(len(data))
			}
		}
		for port, n := range want {
			var perCPU []uint64
			lookup(t, coll, "port_bytes", port, &perCPU)
			if got := sum(perCPU); got != n {
				t.Errorf("port %d: %d bytes, want %d", port, got, n)
			}
		}
	})
}

func TestLPMTrie(t *testing.T) {
	type key struct{ PrefixLen, Addr uint32 }
	type rule struct{ ID, Action uint32 }
	each(t, "lpm_trie", func(t *testing.T, coll *gbpf.Collection) {
		rules := coll.Maps["rules"]
		for _, r := range []struct {
			prefix string
			rule   rule
		}{
			{"10.0.0.0/8", rule{1, xdpPass}},
			{"10.1.0.0/16", rule{2, xdpDrop}},
			{"10.1.2.0/24", rule{3, xdpPass}},
			{"10.1.2.3/32", rule{4, xdpTx}},
		} {
			_, n, err := net.ParseCIDR(r.prefix)
			if err != nil {
				t.Fatal(err)
			}
			ones, _ := n.Mask.Size()
			if err := rules.Update(key{uint32(ones), ip4(n.IP.String())}, r.rule, gbpf.UpdateAny); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			dst  string
			want uint64
		}{
			{"10.9.9.9", xdpPass},
			{"10.1.9.9", xdpDrop},
			{"10.1.2.9", xdpPass},
			{"10.1.2.3", xdpTx},
			{"10.1.3.3", xdpDrop},
			{"192.168.0.1", xdpPass}, // no rule
		} {
			data := pkt{src: "1.2.3.4", dst: c.dst, proto: layers.IPProtocolUDP}.build(t)
			if got := run(t, coll, "filter_prefix", &gbpf.RunOptions{Data: data}); got != c.want {
				t.Errorf("%s: verdict %d, want %d", c.dst, got, c.want)
			}
		}
		for id, want := range map[uint32]uint64{1: 1, 2: 2, 3: 1, 4: 1, 5: 0} {
			if got := u64(t, coll, "hits", id); got != want {
				t.Errorf("rule %d: %d hits, want %d", id, got, want)
			}
		}
	})
}

func TestTailCall(t *testing.T) {
	each(t, "tail_call", func(t *testing.T, coll *gbpf.Collection) {
		for _, c := range []struct {
			p    pkt
			want uint64
		}{
			{pkt{src: "10.0.0.1", dst: "10.0.0.2", proto: layers.IPProtocolTCP}, xdpPass},
			{pkt{src: "10.0.0.1", dst: "10.0.0.2", proto: layers.IPProtocolUDP}, xdpDrop},
			{pkt{src: "10.0.0.1", dst: "10.0.0.2", proto: layers.IPProtocolUDP}, xdpDrop},
			{pkt{src: "10.0.0.1", dst: "10.0.0.2", proto: layers.IPProtocolICMPv4}, xdpPass + 100},
		} {
			if got := run(t, coll, "dispatch", &gbpf.RunOptions{Data: c.p.build(t)}); got != c.want {
				t.Errorf("%v: %d, want %d", c.p.proto, got, c.want)
			}
		}
		if got := u64(t, coll, "calls", uint32(0)); got != 1 {
			t.Errorf("handle_tcp ran %d times, want 1", got)
		}
		if got := u64(t, coll, "calls", uint32(1)); got != 2 {
			t.Errorf("handle_udp ran %d times, want 2", got)
		}
		// An empty slot: the tail call fails and dispatch goes on.
		if err := coll.Maps["dispatch_table"].Delete(uint32(0)); err != nil {
			t.Fatal(err)
		}
		data := pkt{src: "10.0.0.1", dst: "10.0.0.2", proto: layers.IPProtocolTCP}.build(t)
		if got := run(t, coll, "dispatch", &gbpf.RunOptions{Data: data}); got != xdpPass+100 {
			t.Errorf("empty slot: %d, want %d", got, xdpPass+100)
		}
		// chain tail-calls itself: 33 tail calls succeed, the 34th fails.
		res, err := coll.Programs["chain"].Test(&gbpf.RunOptions{Data: data})
		if err != nil {
			t.Fatal(err)
		}
		if res.Return != xdpTx || res.TailCalls != 33 {
			t.Errorf("chain: return %d after %d tail calls, want %d after 33", res.Return, res.TailCalls, xdpTx)
		}
		if got := u64(t, coll, "calls", uint32(2)); got != 34 {
			t.Errorf("chain ran %d times, want 34", got)
		}
		if got := u64(t, coll, "calls", uint32(3)); got != 1 {
			t.Errorf("chain fell through %d times, want 1", got)
		}
	})
}

func TestMapInMap(t *testing.T) {
	each(t, "map_in_map", func(t *testing.T, coll *gbpf.Collection) {
		if err := coll.Maps["by_port"].Update(uint16(53), coll.Maps["port_counts"], gbpf.UpdateAny); err != nil {
			t.Fatal(err)
		}
		var tcp, udp, dns53 uint64
		for _, p := range capture {
			data := p.build(t)
			run(t, coll, "count_nested", &gbpf.RunOptions{Data: data})
			if p.src == "" || net.ParseIP(p.src).To4() == nil || len(data) < 14+20+8 {
				continue
			}
			switch p.proto {
			case layers.IPProtocolTCP:
				tcp++
				if p.dport == 53 {
					dns53 += uint64(len(data))
				}
			case layers.IPProtocolUDP:
				udp++
				if p.dport == 53 {
					dns53 += uint64(len(data))
				}
			}
		}
		if got := u64(t, coll, "tcp_counts", uint32(0)); got != tcp {
			t.Errorf("tcp_counts[0] = %d, want %d", got, tcp)
		}
		if got := u64(t, coll, "udp_counts", uint32(0)); got != udp {
			t.Errorf("udp_counts[0] = %d, want %d", got, udp)
		}
		if got := u64(t, coll, "port_counts", uint32(1)); got != dns53 {
			t.Errorf("port_counts[1] = %d, want %d", got, dns53)
		}
	})
}

func TestGlobals(t *testing.T) {
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			s := spec(t, "globals")
			var min uint32
			if err := s.Variables["min_len"].Get(&min); err != nil || min != 60 {
				t.Fatalf("min_len = %d, %v; want 60", min, err)
			}
			if !s.Variables["min_len"].Constant() || s.Variables["packets"].Constant() {
				t.Fatal("min_len should be constant and packets not")
			}
			if err := s.Variables["min_len"].Set(uint32(100)); err != nil {
				t.Fatal(err)
			}
			if err := s.Variables["min_len"].Set(uint64(100)); err == nil {
				t.Fatal("setting a 4-byte variable from 8 bytes succeeded")
			}
			coll := collection(t, s, cfg)
			var small, total uint64
			for _, p := range capture {
				data := p.build(t)
				want := uint64(xdpPass)
				if len(data) < 100 {
					want = xdpDrop
					small++
				}
				total += uint64(len(data))
				if got := run(t, coll, "classify", &gbpf.RunOptions{Data: data}); got != want {
					t.Errorf("%d bytes: %d, want %d", len(data), got, want)
				}
			}
			var data struct{ Packets uint64 }
			lookup(t, coll, ".data", uint32(0), &data)
			if data.Packets != 1000+uint64(len(capture)) {
				t.Errorf("packets = %d, want %d", data.Packets, 1000+len(capture))
			}
			var bss struct {
				TotalBytes uint64
				LastHead   [8]byte
				Small      uint64
			}
			lookup(t, coll, ".bss", uint32(0), &bss)
			last := capture[len(capture)-1].build(t)
			if bss.TotalBytes != total || bss.Small != small || string(bss.LastHead[:]) != string(last[:8]) {
				t.Errorf(".bss = %+v, want total %d, small %d, head %x", bss, total, small, last[:8])
			}
		})
	}
}

func TestLegacyMaps(t *testing.T) {
	s := spec(t, "legacy_maps")
	if m := s.Maps["by_protocol"]; m == nil || m.Type != maps.Hash || m.KeySize != 4 || m.ValueSize != 8 || m.MaxEntries != 16 {
		t.Fatalf("by_protocol = %v", m)
	}
	each(t, "legacy_maps", func(t *testing.T, coll *gbpf.Collection) {
		wantProto := map[uint32]uint64{}
		var wantSize [4]uint64
		for _, p := range capture {
			data := p.build(t)
			if ret := run(t, coll, "classify_legacy", &gbpf.RunOptions{Data: data}); ret != 0 {
				t.Fatalf("return %d", ret)
			}
			wantProto[uint32(binary.LittleEndian.Uint16(data[12:14]))]++
			switch n := len(data) - 14; {
			case n < 64:
				wantSize[0]++
			case n < 128:
				wantSize[1]++
			case n < 1024:
				wantSize[2]++
			default:
				wantSize[3]++
			}
		}
		for proto, n := range wantProto {
			if got := u64(t, coll, "by_protocol", proto); got != n {
				t.Errorf("by_protocol[%#x] = %d, want %d", proto, got, n)
			}
		}
		for i, n := range wantSize {
			if got := u64(t, coll, "by_size", uint32(i)); got != n {
				t.Errorf("by_size[%d] = %d, want %d", i, got, n)
			}
		}
	})
}
