package pcapfilter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"
)

// requireLive skips the test unless live capture is possible; with
// GBPF_REQUIRE_KERNEL=1 it fails instead.
func requireLive(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("GBPF_REQUIRE_KERNEL") == "1" {
		t.Fatalf("live capture unavailable: %v", err)
	}
	t.Skipf("live capture unavailable (needs root and AF_PACKET): %v", err)
}

// udpTarget returns a local UDP port with a listener draining it.
func udpTarget(t *testing.T) (*net.UDPConn, int) {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := c.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return c, c.LocalAddr().(*net.UDPAddr).Port
}

func testLiveCapture(t *testing.T, userSpace bool) {
	if os.Geteuid() != 0 {
		requireLive(t, errors.New("not root"))
	}
	_, port := udpTarget(t)
	_, other := udpTarget(t)
	capt, err := OpenLive("lo", fmt.Sprintf("udp dst port %d", port), LiveOptions{Optimize: true, UserSpace: userSpace, Timeout: 100 * time.Millisecond})
	requireLive(t, err)
	defer capt.Close()
	if capt.KernelFiltered() == userSpace {
		t.Fatalf("KernelFiltered() = %v with UserSpace %v", capt.KernelFiltered(), userSpace)
	}

	const stream = 50
	go func() {
		to, _ := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		noise, _ := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: other})
		defer to.Close()
		defer noise.Close()
		l, _ := net.Listen("tcp4", "127.0.0.1:0")
		defer l.Close()
		for i := 0; i < stream; i++ {
			noise.Write([]byte("noise"))
			to.Write([]byte(fmt.Sprintf("packet %d", i)))
			if c, err := net.Dial("tcp4", l.Addr().String()); err == nil {
				c.Close()
			}
			time.Sleep(time.Millisecond)
		}
	}()

	got := 0
	deadline := time.Now().Add(5 * time.Second)
	for got < stream && time.Now().Before(deadline) {
		p, err := capt.Next()
		if errors.Is(err, ErrTimeout) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		// Ethernet (zero addresses on lo), IPv4, UDP to our port.
		d := p.Data
		if len(d) < 42 || binary.BigEndian.Uint16(d[12:]) != 0x0800 || d[23] != 17 {
			t.Fatalf("captured a packet the filter does not match: % x", d)
		}
		ihl := int(d[14]&0xf) * 4
		if dp := int(binary.BigEndian.Uint16(d[14+ihl+2:])); dp != port {
			t.Fatalf("captured a UDP packet to port %d, want %d", dp, port)
		}
		got++
	}
	if got != stream {
		t.Fatalf("captured %d packets of the stream, want %d", got, stream)
	}
	st, err := capt.Stats()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kernel filter %v: captured %d, socket received %d, dropped %d", capt.KernelFiltered(), st.Matched, st.Received, st.Dropped)
	if !userSpace && st.Received != stream {
		t.Errorf("the socket received %d packets with the kernel filter, want only the %d of the stream", st.Received, stream)
	}
}

func TestLiveCaptureKernelFilter(t *testing.T) { testLiveCapture(t, false) }

func TestLiveCaptureUserSpaceFilter(t *testing.T) { testLiveCapture(t, true) }

// TestLivePromiscuous checks that a capture puts the interface in
// promiscuous mode for as long as it is open, as tcpdump does, and that
// NoPromiscuous (tcpdump -p) leaves it out.
func TestLivePromiscuous(t *testing.T) {
	promisc := func() bool {
		b, err := os.ReadFile("/sys/class/net/lo/flags")
		if err != nil {
			t.Skipf("no interface flags: %v", err)
		}
		var flags uint32
		if _, err := fmt.Sscanf(string(b), "0x%x", &flags); err != nil {
			t.Fatal(err)
		}
		return flags&0x100 != 0 // IFF_PROMISC
	}
	if promisc() {
		t.Skip("lo is already promiscuous")
	}
	for _, no := range []bool{false, true} {
		c, err := OpenLive("lo", "udp", LiveOptions{NoPromiscuous: no})
		requireLive(t, err)
		if got := promisc(); got == no {
			t.Errorf("NoPromiscuous %v: lo promiscuous while capturing: %v", no, got)
		}
		c.Close()
		if promisc() {
			t.Errorf("NoPromiscuous %v: lo still promiscuous after Close", no)
		}
	}
}
