package pcapfilter_test

import (
	"fmt"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gbpf/gbpf/pcapfilter"
)

func ExampleCompile() {
	prog, err := pcapfilter.Compile("ip and udp dst port 53", pcapfilter.Options{Optimize: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(pcapfilter.Format(prog, pcapfilter.Listing))

	// Machine code where gbpf's JIT runs, the VM otherwise.
	filter, err := cbpf.NewFilter(prog, cbpf.FilterOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Ethernet, IPv4 (20-byte header), UDP from port 1024 to port 53.
	pkt := make([]byte, 42)
	pkt[12], pkt[13] = 0x08, 0x00
	pkt[14], pkt[23] = 0x45, 17
	pkt[34], pkt[35] = 0x04, 0x00
	pkt[36], pkt[37] = 0x00, 53
	fmt.Println("verdict:", filter.Run(pkt, nil))
	// Output:
	// (000) ldh      [12]
	// (001) jeq      #0x800           jt 2	jf 10
	// (002) ldb      [23]
	// (003) jeq      #0x11            jt 4	jf 10
	// (004) ldh      [20]
	// (005) jset     #0x1fff          jt 10	jf 6
	// (006) ldxb     4*([14]&0xf)
	// (007) ldh      [x + 16]
	// (008) jeq      #0x35            jt 9	jf 10
	// (009) ret      #262144
	// (010) ret      #0
	// verdict: 262144
}

func ExampleCompile_error() {
	_, err := pcapfilter.Compile("tcp port 99999", pcapfilter.Options{})
	fmt.Println(err)
	// Output: illegal port number 99999 > 65535 (at offset 9)
}
