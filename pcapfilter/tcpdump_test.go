package pcapfilter

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gbpf/gbpf/cbpf"
)

// readCorpus returns the expressions of testdata/corpus.txt.
func readCorpus(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("testdata/corpus.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

func tcpdumpPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed; the differential tests need it")
	}
	return p
}

// tcpdumpListing runs tcpdump -d on expr; ok is false if tcpdump rejects
// the expression.
func tcpdumpListing(tcpdump, expr string, lt LinkType, optimize bool) (string, bool) {
	args := []string{"-d", "-y", lt.String()}
	if !optimize {
		args = append([]string{"-O"}, args...)
	}
	args = append(args, "--", expr)
	out, err := exec.Command(tcpdump, args...).CombinedOutput()
	return string(out), err == nil
}

type diffResult struct {
	expr       string
	lt         LinkType
	optimize   bool
	same       bool // byte-identical listing
	bothReject bool // both compilers reject the expression
	want, got  string
}

// runDifferential compiles every expression with gbpf and tcpdump.
func runDifferential(t *testing.T, exprs []string, lt LinkType, optimize bool) []diffResult {
	tcpdump := tcpdumpPath(t)
	results := make([]diffResult, len(exprs))
	forEachParallel(len(exprs), func(_, i int) {
		e := exprs[i]
		want, ok := tcpdumpListing(tcpdump, e, lt, optimize)
		r := diffResult{expr: e, lt: lt, optimize: optimize, want: want}
		prog, err := Compile(e, Options{LinkType: lt, Optimize: optimize})
		switch {
		case err != nil:
			r.got = "error: " + err.Error()
			var pe *Error
			if errors.As(err, &pe) {
				r.got = "tcpdump: " + pe.Msg + "\n"
			}
			// Both reject, with the same message.
			r.bothReject = !ok && r.got == want
		case ok:
			r.got = Format(prog, Listing)
			r.same = r.got == want
		default:
			r.got = Format(prog, Listing)
		}
		results[i] = r
	})
	return results
}

// forEachParallel calls f(w, i) for every i below n from 2×NumCPU
// workers (the work is mostly waiting for tcpdump); w numbers the
// worker that runs the call.
func forEachParallel(n int, f func(w, i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 2*runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(w, i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// minMatch is the share of corpus expressions whose listing must equal
// tcpdump's; measured at 100% for libpcap 1.10.3 in both modes.
const minMatch = 0.99

func TestTcpdumpDifferential(t *testing.T) {
	exprs := readCorpus(t)
	if len(exprs) < 600 {
		t.Fatalf("corpus has %d expressions, want at least 600", len(exprs))
	}
	for _, optimize := range []bool{false, true} {
		name := "unoptimized"
		if optimize {
			name = "optimized"
		}
		t.Run(name, func(t *testing.T) {
			res := runDifferential(t, exprs, LinkTypeEthernet, optimize)
			checkResults(t, res)
		})
	}
}

// TestTcpdumpLinkTypes compares the single-primitive part of the corpus on
// the other supported link layers.
func TestTcpdumpLinkTypes(t *testing.T) {
	exprs := readCorpus(t)[:175]
	for _, lt := range []LinkType{LinkTypeRaw, LinkTypeLinuxSLL, LinkTypeLinuxSLL2, LinkTypeNull, LinkTypeLoop, LinkTypeIPv4, LinkTypeIPv6} {
		for _, optimize := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/optimize=%v", lt, optimize), func(t *testing.T) {
				checkResults(t, runDifferential(t, exprs, lt, optimize))
			})
		}
	}
}

func checkResults(t *testing.T, res []diffResult) {
	t.Helper()
	same, rejected, bad := 0, 0, 0
	for _, r := range res {
		switch {
		case r.same:
			same++
		case r.bothReject:
			rejected++
		default:
			bad++
			if bad <= 20 {
				t.Logf("mismatch (%v, optimize=%v) %q:\n--- tcpdump\n%s--- gbpf\n%s", r.lt, r.optimize, r.expr, r.want, r.got)
			}
		}
	}
	share := float64(same+rejected) / float64(len(res))
	t.Logf("%s optimize=%v: %d/%d identical listings, %d rejected by both with the same message, %d differ (%.2f%% agree)",
		res[0].lt, res[0].optimize, same, len(res), rejected, bad, 100*share)
	if share < minMatch {
		t.Errorf("only %.2f%% of expressions agree with tcpdump, want at least %.0f%%", 100*share, 100*minMatch)
	}
}

// TestTcpdumpFormats compares the -dd and -ddd output formats.
func TestTcpdumpFormats(t *testing.T) {
	tcpdump := tcpdumpPath(t)
	exprs := readCorpus(t)[:100]
	for _, style := range []struct {
		flag  string
		style Style
	}{{"-dd", CArray}, {"-ddd", Decimal}} {
		same, total := 0, 0
		for _, e := range exprs {
			out, err := exec.Command(tcpdump, style.flag, "-y", "EN10MB", "--", e).CombinedOutput()
			if err != nil {
				continue
			}
			total++
			prog, cerr := Compile(e, Options{Optimize: true})
			if cerr != nil {
				t.Errorf("%q: %v", e, cerr)
				continue
			}
			if got := Format(prog, style.style); got != string(out) {
				t.Errorf("%s %q:\n--- tcpdump\n%s--- gbpf\n%s", style.flag, e, out, got)
				continue
			}
			same++
		}
		t.Logf("%s: %d/%d identical", style.flag, same, total)
	}
}

// randomTokens are the pieces of TestTcpdumpRandom's expressions.
var randomTokens = strings.Fields(`tcp udp ip ip6 arp host net port portrange src dst and or not ! ( ) 10.0.0.1
	10.0.0.0/8 1.2.3 80 53 0x10 ::1 fe80::/10 ether proto less greater len = != > < >= <= + - * & | ^ % << >>
	[ ] : 2 4 1 icmp vlan mpls pppoes broadcast multicast 00:11:22:33:44:55 \tcp http 1-1000 mask 255.255.0.0
	icmp[icmptype] tcp-syn tcpflags gateway byte protochain llc decnet 1.1 && || == ip[0] tcp[13]`)

// TestTcpdumpRandom compiles random token sequences, mostly invalid, and
// checks that gbpf and tcpdump agree on the listing or on the error
// message (libpcap reports the error of a primitive completed before a
// syntax error first).
func TestTcpdumpRandom(t *testing.T) {
	tcpdumpPath(t)
	r := rand.New(rand.NewPCG(2026, 6))
	exprs := make([]string, 1000)
	for i := range exprs {
		words := make([]string, 1+r.IntN(8))
		for j := range words {
			words[j] = randomTokens[r.IntN(len(randomTokens))]
		}
		exprs[i] = strings.Join(words, " ")
	}
	res := runDifferential(t, exprs, LinkTypeEthernet, true)
	checkResults(t, res)
}

// TestTcpdumpLongBranches compares programs long enough that branches
// reach 256 or more instructions ahead, which the conversion routes
// through an added "ja".
func TestTcpdumpLongBranches(t *testing.T) {
	var exprs []string
	for _, n := range []int{10, 25, 40} {
		ports := make([]string, n)
		for i := range ports {
			ports[i] = fmt.Sprintf("port %d", i+1)
		}
		exprs = append(exprs, strings.Join(ports, " or "))
	}
	for _, optimize := range []bool{false, true} {
		res := runDifferential(t, exprs, LinkTypeEthernet, optimize)
		for _, r := range res {
			if !r.same {
				t.Errorf("optimize=%v %q:\n--- tcpdump\n%s--- gbpf\n%s", optimize, r.expr, r.want, r.got)
			}
		}
	}
	// Without the optimiser the longest program needs the added jumps.
	prog, err := Compile(exprs[len(exprs)-1], Options{})
	if err != nil {
		t.Fatal(err)
	}
	long := 0
	for i, ins := range prog {
		if ins.Op == cbpf.ClassJMP|cbpf.JmpJA && i > 0 && prog[i-1].IsJump() && prog[i-1].Op != cbpf.ClassJMP|cbpf.JmpJA {
			long++
		}
	}
	if len(prog) <= 256 || long == 0 {
		t.Errorf("%d instructions with %d long branches; want over 256 with some", len(prog), long)
	}
}
