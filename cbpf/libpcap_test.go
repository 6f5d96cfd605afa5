package cbpf

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// benchExpr is the filter expression that benchProg was compiled from.
const benchExpr = "tcp dst port 80 and (ip src 10.0.0.1 or ip src 10.0.0.2)"

// buildLibpcapHarness compiles testdata/libpcap_filter.c, which times
// libpcap's own interpreter (pcap_offline_filter) on the packets of
// benchCases, and returns the executable's path. It skips the test when
// there is no C compiler or no libpcap to link with.
func buildLibpcapHarness(tb testing.TB) string {
	tb.Helper()
	var cc string
	for _, name := range []string{"cc", "gcc", "clang"} {
		if p, err := exec.LookPath(name); err == nil {
			cc = p
			break
		}
	}
	if cc == "" {
		tb.Skip("no C compiler (cc, gcc or clang) to build the libpcap harness")
	}
	exe := filepath.Join(tb.TempDir(), "libpcap_filter")
	out, err := exec.Command(cc, "-O2", "-o", exe, filepath.Join("testdata", "libpcap_filter.c"), "-lpcap").CombinedOutput()
	if err != nil {
		tb.Skipf("cannot build the libpcap harness (is libpcap-dev installed?): %v\n%s", err, out)
	}
	return exe
}

// libpcapResult is one line of the harness's output.
type libpcapResult struct {
	ns      float64 // per packet, best round
	verdict uint32
}

// runLibpcapHarness runs the harness on benchExpr, n packets per round,
// and returns its results by benchCases name.
func runLibpcapHarness(tb testing.TB, exe string, n, rounds int) map[string]libpcapResult {
	tb.Helper()
	out, err := exec.Command(exe, benchExpr, strconv.Itoa(n), strconv.Itoa(rounds)).Output()
	if err != nil {
		tb.Fatalf("libpcap harness: %v", err)
	}
	res := make(map[string]libpcapResult)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var name string
		var r libpcapResult
		if _, err := fmt.Sscanf(line, "%s %g %d", &name, &r.ns, &r.verdict); err != nil {
			tb.Fatalf("libpcap harness output %q: %v", line, err)
		}
		res[name] = r
	}
	return res
}

// TestLibpcapHarness checks that libpcap's interpreter, run by the harness,
// agrees with gbpf's VM on the benchmark packets, so that the timings
// compare the same work.
func TestLibpcapHarness(t *testing.T) {
	exe := buildLibpcapHarness(t)
	vm, err := NewVM(benchProg)
	if err != nil {
		t.Fatal(err)
	}
	res := runLibpcapHarness(t, exe, 100, 1)
	for _, c := range benchCases() {
		r, ok := res[c.name]
		if !ok {
			t.Fatalf("no result for %s", c.name)
		}
		if want := vm.Run(c.pkt, nil); r.verdict != want {
			t.Errorf("%s: libpcap %d, gbpf VM %d", c.name, r.verdict, want)
		}
	}
}

// BenchmarkLibpcap times libpcap's C interpreter (pcap_offline_filter) on
// the benchmark filter and packets, b.N packets in one run of the harness
// (whose own clock leaves out the process start), so that benchstat can
// put it beside BenchmarkJIT, BenchmarkVM and BenchmarkXNetVM.
func BenchmarkLibpcap(b *testing.B) {
	exe := buildLibpcapHarness(b)
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			res := runLibpcapHarness(b, exe, b.N, 1)
			b.ReportMetric(res[c.name].ns, "ns/op")
		})
	}
}
