package pcapfilter

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gbpf/gbpf/cbpf"
)

const benchExpr = "tcp dst port 80 and (ip src 10.0.0.1 or ip src 10.0.0.2)"

func BenchmarkCompile(b *testing.B) {
	for _, optimize := range []bool{false, true} {
		name := "unoptimized"
		if optimize {
			name = "optimized"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(benchExpr, Options{Optimize: optimize}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchCaptureFile writes the generated capture ten times over (100,000
// packets), so that starting tcpdump weighs little in its time per packet.
func benchCaptureFile(b *testing.B) (string, int) {
	b.Helper()
	gen := genCapture(genPackets)
	var pkts []genPacket
	for range 10 {
		pkts = append(pkts, gen...)
	}
	path := filepath.Join(b.TempDir(), "gen.pcap")
	writeGenCapture(b, path, pkts)
	return path, len(pkts)
}

// BenchmarkFileFilter reads the generated capture and filters every
// packet, as gbpf filter -r does (with a cbpf.Filter: machine code where
// the JIT runs); ns/packet is the cost per packet.
func BenchmarkFileFilter(b *testing.B) {
	path, n := benchCaptureFile(b)
	prog, err := Compile(benchExpr, Options{Optimize: true})
	if err != nil {
		b.Fatal(err)
	}
	vm, err := cbpf.NewFilter(prog, cbpf.FilterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		cr, err := NewCaptureReader(f)
		if err != nil {
			b.Fatal(err)
		}
		for {
			p, err := cr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			vm.RunWire(p.Data, uint32(p.Length), nil)
		}
		f.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/packet")
}

// BenchmarkTcpdumpFile runs tcpdump -r FILE -w /dev/null EXPR on the same
// capture, for comparison (it includes starting the process).
func BenchmarkTcpdumpFile(b *testing.B) {
	tcpdump := tcpdumpPath(b)
	path, n := benchCaptureFile(b)
	for b.Loop() {
		if out, err := exec.Command(tcpdump, "-r", path, "-w", "/dev/null", benchExpr).CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/packet")
}
