package pcapfilter

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/cbpf"
)

// FuzzCompile compiles arbitrary expressions: the compiler must never
// panic, and every program it produces must pass the kernel's checker
// and run.
func FuzzCompile(f *testing.F) {
	for _, e := range []string{"tcp port 80", "host 10.0.0.1 or 10.0.0.2", "ip[0] & 0xf > 5",
		"vlan 10 and (udp or icmp6)", "ether host 00:11:22:33:44:55", "net 2001:db8::/32",
		"not (tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn)", "mpls 3 and ip", "pppoes 7 and ip6",
		"-len % 3 ^ 2 = 1", "(((", "ip[", "portrange 1-100", "less 64 || greater 1000"} {
		f.Add(e, uint8(1), true)
	}
	pkt := make([]byte, 128)
	for i := range pkt {
		pkt[i] = byte(i * 7)
	}
	f.Fuzz(func(t *testing.T, expr string, lt uint8, optimize bool) {
		linkTypes := []LinkType{LinkTypeEthernet, LinkTypeRaw, LinkTypeLinuxSLL, LinkTypeLinuxSLL2, LinkTypeNull, LinkTypeLoop, LinkTypeIPv4, LinkTypeIPv6}
		prog, err := Compile(expr, Options{LinkType: linkTypes[int(lt)%len(linkTypes)], Optimize: optimize})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%q: error %T %v is not a *Error", expr, err, err)
			}
			return
		}
		if len(prog) > cbpf.MaxInstructions {
			return
		}
		vm, err := cbpf.NewVM(prog)
		if err != nil {
			// Only protochain loops backwards, which Linux rejects and
			// libpcap's interpreter runs.
			if vm, err = cbpf.NewVMOptions(prog, cbpf.VMOptions{BackwardJumps: true}); err != nil || !strings.Contains(expr, "protochain") {
				t.Fatalf("%q compiled to a program the checker rejects: %v\n%s", expr, err, Format(prog, Listing))
			}
		}
		vm.Run(pkt, nil)
		_ = Format(prog, Listing)
	})
}

// FuzzCaptureReader feeds arbitrary bytes to the capture file reader.
func FuzzCaptureReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(sharedDir, "captures", "*.pcap*"))
	for i, name := range files {
		if i >= 6 {
			break
		}
		if data, err := os.ReadFile(name); err == nil && len(data) < 1<<16 {
			f.Add(data)
		}
	}
	f.Add([]byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0})
	f.Add([]byte{0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1c, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		cr, err := NewCaptureReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		_ = cr.LinkType()
		for i := 0; i < 1000; i++ {
			if _, err := cr.Next(); err != nil {
				if err == io.EOF {
					return
				}
				return
			}
		}
	})
}
