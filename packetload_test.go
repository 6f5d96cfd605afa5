package gbpf_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/cilium/ebpf"
	ciliumasm "github.com/cilium/ebpf/asm"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/progtype"
)

// udpFrame is an Ethernet frame holding an IPv4 UDP datagram, 60 bytes.
var udpFrame = func() []byte {
	b := make([]byte, 60)
	copy(b, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00})
	copy(b[14:], []byte{0x45, 0, 0, 46, 0x12, 0x34, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2})
	copy(b[34:], []byte{0x30, 0x39, 0x00, 0x35, 0, 26, 0, 0})
	for i := 42; i < len(b); i++ {
		b[i] = byte(0xa0 + i)
	}
	return b
}()

// packetLoadTests are programs of legacy packet loads (BPF_LD_ABS,
// BPF_LD_IND), with r6 the context as the verifier demands.
var packetLoadTests = []struct{ name, src string }{
	{"abs byte", "ldabsb 0"},
	{"abs half", "ldabsh 2"},
	{"abs word", "ldabsw 12"},
	{"abs last word", "ldabsw 42"},
	{"abs word past the end", "mov %r0, 7\nldabsw 43\nmov %r0, 9"},
	{"abs far past the end", "ldabsb 100000"},
	{"ind", "mov %r7, 5\nldindh %r7, 3"},
	{"ind past the end", "mov %r7, 40\nldindw %r7, 5"},
	{"ind negative", "mov %r7, -1\nldindb %r7, 0"},
	{"ind high bits ignored", "lddw %r7, 0x100000005\nldindb %r7, 1"},
	{"ind wraps to a negative offset", "mov32 %r7, -2\nldindb %r7, 4"},
	{"network header", "ldabsb -0x100000"},
	{"network header, word", "ldabsw -0xffff4"},
	{"link-layer header", "ldabsh -0x1ffff4"},
	{"link-layer header past the end", "ldabsw -0x1fffc6"},
	{"below the link-layer area", "ldabsb -0x200001"},
	{"two loads", "ldabsb 9\nmov %r8, %r0\nldabsb 0\nlsh %r0, 8\nor %r0, %r8"},
}

// TestPacketLoads runs legacy packet loads on every engine, in socket
// filters (whose packet starts at the network header) and tc programs
// (at the Ethernet header), and compares the results with the kernel's
// BPF_PROG_TEST_RUN where it can load programs.
func TestPacketLoads(t *testing.T) {
	kernel, compared := true, 0
	for _, typ := range []progtype.Type{progtype.SocketFilter, progtype.SchedCLS} {
		for _, tt := range packetLoadTests {
			src := "mov %r6, %r1\n" + tt.src + "\nexit\n"
			p, err := asm.Assemble(src)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			var results []uint64
			for _, e := range gbpf.Engines() {
				coll, err := gbpf.NewCollection(single(typ, 0, p.Insns...), &gbpf.Options{Engine: e})
				if errors.Is(err, gbpf.ErrNotSupported) {
					continue
				}
				if err != nil {
					t.Fatalf("%v %s on %v: %v", typ, tt.name, e, err)
				}
				ret, err := coll.Programs["prog"].Run(&gbpf.RunOptions{Data: udpFrame})
				coll.Close()
				if err != nil {
					t.Fatalf("%v %s on %v: %v", typ, tt.name, e, err)
				}
				results = append(results, ret)
				if ret != results[0] {
					t.Errorf("%v %s: %v returns %#x, %v %#x", typ, tt.name, e, ret, gbpf.Engines()[0], results[0])
				}
			}
			if kernel {
				want, err := kernelRun(typ, p.Encode(), udpFrame)
				if err != nil {
					testutil.SkipWithoutKernel(t, fmt.Sprintf("the kernel does not run socket filters: %v", err))
					kernel = false
					continue
				}
				compared++
				if uint64(want) != results[0] {
					t.Errorf("%v %s: gbpf returns %#x, the kernel %#x", typ, tt.name, results[0], want)
				}
			}
		}
	}
	t.Logf("%d programs, %d compared with the kernel", 2*len(packetLoadTests), compared)
}

// kernelRun loads the program of raw instructions code into the kernel as
// a program of type typ and runs it once on data with BPF_PROG_TEST_RUN.
func kernelRun(typ progtype.Type, code, data []byte) (uint32, error) {
	insns, err := ciliumasm.AppendInstructions(nil, bytes.NewReader(code), binary.LittleEndian, "linux")
	if err != nil {
		return 0, err
	}
	pt := ebpf.SocketFilter
	if typ == progtype.SchedCLS {
		pt = ebpf.SchedCLS
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: pt, Instructions: insns, License: "GPL"})
	if err != nil {
		return 0, err
	}
	defer prog.Close()
	return prog.Run(&ebpf.RunOptions{Data: data})
}
