package hist_test

import (
	"os"

	"github.com/gbpf/gbpf/hist"
)

func ExampleWriteBCC() {
	h := hist.NewLog2()
	for _, kbytes := range []uint64{4, 4, 4, 4, 8, 64} {
		h.Add(kbytes)
	}
	hist.WriteBCC(os.Stdout, h, "kbytes")
	// Output:
	//      kbytes              : count     distribution
	//          0 -> 1          : 0        |                                        |
	//          2 -> 3          : 0        |                                        |
	//          4 -> 7          : 4        |****************************************|
	//          8 -> 15         : 1        |**********                              |
	//         16 -> 31         : 0        |                                        |
	//         32 -> 63         : 0        |                                        |
	//         64 -> 127        : 1        |**********                              |
}

func ExampleWriteBpftrace() {
	h := hist.NewLog2()
	for _, bytes := range []uint64{4096, 4096, 4096, 65536} {
		h.Add(bytes)
	}
	os.Stdout.WriteString("@bytes:\n")
	hist.WriteBpftrace(os.Stdout, h)
	// Output:
	// @bytes:
	// [4K, 8K)               3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
	// [8K, 16K)              0 |                                                    |
	// [16K, 32K)             0 |                                                    |
	// [32K, 64K)             0 |                                                    |
	// [64K, 128K)            1 |@@@@@@@@@@@@@@@@@                                   |
}
