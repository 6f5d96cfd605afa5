package pcapfilter

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gbpf/gbpf/cbpf"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

const genPackets = 10000

// unoptExprs is how many corpus expressions are also compared
// unoptimised, with tcpdump -O.
const unoptExprs = 150

// genEpoch is the timestamp of generated packet 0; packet i is stamped i
// seconds later, which identifies it in tcpdump's output.
var genEpoch = time.Unix(1_700_000_000, 0).UTC()

func writeGenCapture(t testing.TB, path string, pkts []genPacket) {
	writeGenCaptureLink(t, path, pkts, layers.LinkTypeEthernet)
}

func writeGenCaptureLink(t testing.TB, path string, pkts []genPacket, lt layers.LinkType) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, lt); err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		ci := gopacket.CaptureInfo{Timestamp: genEpoch.Add(time.Duration(i) * time.Second), CaptureLength: len(p.data), Length: p.wireLen}
		if err := w.WritePacket(ci, p.data); err != nil {
			t.Fatal(err)
		}
	}
}

// tcpdumpMatches runs tcpdump -r in -w out expr and returns which packets
// it kept.
func tcpdumpMatches(tcpdump, in, out, expr string, n int, optimize bool) ([]bool, error) {
	args := []string{"-r", in, "-w", out, "--", expr}
	if !optimize {
		args = append([]string{"-O"}, args...)
	}
	cmd := exec.Command(tcpdump, args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("tcpdump: %v: %s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		return nil, err
	}
	match := make([]bool, n)
	for {
		_, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		i := int(ci.Timestamp.Sub(genEpoch) / time.Second)
		if i >= 0 && i < n {
			match[i] = true
		}
	}
	return match, nil
}

// TestVerdictsAgainstTcpdump compares, for every corpus expression, the
// verdict of gbpf's compiled program (optimised and not) on each packet
// of a generated capture with the packets tcpdump keeps.
func TestVerdictsAgainstTcpdump(t *testing.T) {
	tcpdumpPath(t)
	if testing.Short() {
		t.Skip("runs tcpdump on a 10,000-packet capture for every corpus expression")
	}
	exprs := readCorpus(t)
	n := genPackets
	if raceEnabled {
		n, exprs = 1000, exprs[:200] // the race detector slows the VM down
	}
	runVerdicts(t, exprs, genCapture(n), LinkTypeEthernet, layers.LinkTypeEthernet, unoptExprs)
}

// TestVerdictsCooked runs the single-primitive part of the corpus on
// captures in the Linux cooked formats.
func TestVerdictsCooked(t *testing.T) {
	tcpdumpPath(t)
	if testing.Short() {
		t.Skip("runs tcpdump on generated captures")
	}
	exprs := readCorpus(t)[:175]
	n := 5000
	if raceEnabled {
		n = 500
	}
	t.Run("LINUX_SLL", func(t *testing.T) {
		runVerdicts(t, exprs, genCookedCapture(n, false), LinkTypeLinuxSLL, layers.LinkTypeLinuxSLL, 0)
	})
	t.Run("LINUX_SLL2", func(t *testing.T) {
		runVerdicts(t, exprs, genCookedCapture(n, true), LinkTypeLinuxSLL2, layers.LinkType(DLTLinuxSLL2), 0)
	})
}

// verdictRunner runs one program as a cbpf.Filter (machine code where the
// JIT takes the program) and in the VM.
type verdictRunner struct {
	filter *cbpf.Filter
	vm     *cbpf.VM
}

func newVerdictRunner(prog []cbpf.Instruction) (*verdictRunner, error) {
	opts := cbpf.VMOptions{BackwardJumps: true}
	f, err := cbpf.NewFilter(prog, cbpf.FilterOptions{VMOptions: opts})
	if err != nil {
		return nil, err
	}
	vm, err := cbpf.NewVMOptions(prog, opts)
	if err != nil {
		return nil, err
	}
	return &verdictRunner{filter: f, vm: vm}, nil
}

// run returns whether the program accepts p, or an error if the filter
// and the VM disagree.
func (r *verdictRunner) run(p genPacket) (bool, error) {
	a := r.filter.RunWire(p.data, uint32(p.wireLen), nil)
	b := r.vm.RunWire(p.data, uint32(p.wireLen), nil)
	if a != b {
		return false, fmt.Errorf("filter (JIT %v) returns %d, VM %d", r.filter.JIT(), a, b)
	}
	return a != 0, nil
}

func runVerdicts(t *testing.T, exprs []string, pkts []genPacket, lt LinkType, fileLT layers.LinkType, unoptExprs int) {
	tcpdump := tcpdumpPath(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "gen.pcap")
	writeGenCaptureLink(t, in, pkts, fileLT)
	type result struct {
		compared, agree, packetsDiffer int
		skipped, jit                   bool
		firstDiff                      string
	}
	results := make([]result, len(exprs))
	forEachParallel(len(exprs), func(w, i int) {
		out := filepath.Join(dir, fmt.Sprintf("out%d.pcap", w))
		e := exprs[i]
		opt, err1 := Compile(e, Options{LinkType: lt, Optimize: true, Snaplen: 65535})
		unopt, err2 := Compile(e, Options{LinkType: lt, Snaplen: 65535})
		if err1 != nil || err2 != nil {
			results[i].skipped = true // rejected (checked by the listing tests)
			return
		}
		want, err := tcpdumpMatches(tcpdump, in, out, e, len(pkts), true)
		if err != nil {
			// tcpdump refuses some filters on files (inbound,
			// ifindex) that compile for live captures.
			results[i].skipped = true
			results[i].firstDiff = err.Error()
			return
		}
		// Each program runs as machine code where the JIT takes
		// it (cbpf.Filter) and in the VM, and both must agree.
		optRun, err := newVerdictRunner(opt)
		if err != nil {
			results[i].firstDiff = err.Error()
			return
		}
		results[i].jit = optRun.filter.JIT()
		unoptRun, err := newVerdictRunner(unopt)
		if err != nil {
			results[i].firstDiff = err.Error()
			return
		}
		// The unoptimised program may read fields the optimised
		// one does not and so reject short packets; compare it
		// with tcpdump -O on part of the corpus.
		wantUnopt := want
		if i < unoptExprs {
			if wantUnopt, err = tcpdumpMatches(tcpdump, in, out, e, len(pkts), false); err != nil {
				results[i].firstDiff = err.Error()
				return
			}
		}
		res := &results[i]
		for j, p := range pkts {
			a, errA := optRun.run(p)
			b, errB := unoptRun.run(p)
			if errA != nil || errB != nil {
				res.packetsDiffer++
				res.firstDiff = fmt.Sprintf("packet %d (% x): %v", j, p.data, errors.Join(errA, errB))
				continue
			}
			if i >= unoptExprs && len(p.data) < 64 {
				b = wantUnopt[j] // not compared with tcpdump -O
			}
			res.compared++
			if a == want[j] && b == wantUnopt[j] {
				res.agree++
			} else {
				res.packetsDiffer++
				if res.firstDiff == "" {
					res.firstDiff = fmt.Sprintf("packet %d (% x, wire %d): tcpdump %v, gbpf optimised %v, unoptimised %v", j, p.data, p.wireLen, want[j], a, b)
				}
			}
		}
	})

	var exprsAgree, exprsCompared, skipped, verdicts, agree, jit int
	for i, r := range results {
		if r.jit {
			jit++
		}
		if r.skipped {
			skipped++
			if r.firstDiff != "" {
				t.Logf("%q: skipped: %s", exprs[i], r.firstDiff)
			}
			continue
		}
		exprsCompared++
		verdicts += r.compared
		agree += r.agree
		if r.packetsDiffer == 0 && r.firstDiff == "" {
			exprsAgree++
		} else {
			t.Errorf("%q: %d packets differ; first: %s", exprs[i], r.packetsDiffer, r.firstDiff)
		}
	}
	t.Logf("%v: %d packets; %d/%d expressions agree with tcpdump on every packet (%d verdicts, %d agree); %d expressions rejected by gbpf or tcpdump skipped; %d optimised programs ran as machine code",
		lt, len(pkts), exprsAgree, exprsCompared, verdicts, agree, skipped, jit)
}
