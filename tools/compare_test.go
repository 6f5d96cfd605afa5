package tools

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gbpf/gbpf/hist"
	"github.com/gbpf/gbpf/internal/testutil"
)

// directWrites writes count blocks of bs bytes to a new file in dir with
// dd oflag=direct.
func directWrites(t *testing.T, dir string, bs, count int) {
	t.Helper()
	out, err := exec.Command("dd", "if=/dev/zero", "of="+filepath.Join(dir, "dd.out"), fmt.Sprintf("bs=%d", bs),
		fmt.Sprintf("count=%d", count), "oflag=direct").CombinedOutput()
	if err != nil {
		t.Fatalf("dd: %v\n%s", err, out)
	}
}

// bpftraceHist runs a bpftrace one-liner printing @ = hist(...), waits
// until it prints "Attaching" (just before it attaches) and returns a
// function that stops it and returns the histogram it printed.
func bpftraceHist(t *testing.T, exprs ...string) func() *hist.Hist {
	t.Helper()
	path, err := exec.LookPath("bpftrace")
	if err != nil {
		testutil.SkipWithoutKernel(t, "bpftrace is not installed (Debian package bpftrace)")
	}
	var lastErr string
	for _, expr := range exprs {
		cmd := exec.Command(path, "-e", expr)
		var stdout, stderr bytes.Buffer
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = pw, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		attached := make(chan bool, 1)
		done := make(chan struct{})
		go func() {
			defer close(done)
			sc := bufio.NewScanner(pr)
			seen := false
			for sc.Scan() {
				if !seen && strings.HasPrefix(sc.Text(), "Attaching") {
					seen = true
					attached <- true
				}
				stdout.WriteString(sc.Text() + "\n")
			}
			if !seen {
				attached <- false
			}
		}()
		select {
		case ok := <-attached:
			if !ok {
				cmd.Wait()
				<-done
				lastErr = stderr.String()
				continue
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatal("bpftrace did not attach within 30s")
		}
		return func() *hist.Hist {
			waitErr := make(chan error, 1)
			go func() { waitErr <- cmd.Wait() }()
			// bpftrace 0.17 now and then misses a SIGINT that arrives
			// while it sets up: repeat it.
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			deadline := time.After(30 * time.Second)
			cmd.Process.Signal(os.Interrupt)
		wait:
			for {
				select {
				case <-waitErr:
					break wait
				case <-tick.C:
					cmd.Process.Signal(os.Interrupt)
				case <-deadline:
					cmd.Process.Kill()
					t.Fatal("bpftrace did not exit within 30s of SIGINT")
				}
			}
			<-done
			h, err := parseBpftraceHist(stdout.String())
			if err != nil {
				t.Fatalf("%v\nbpftrace printed:\n%s\n%s", err, stdout.String(), stderr.String())
			}
			return h
		}
	}
	t.Fatalf("bpftrace failed to start:\n%s", lastErr)
	return nil
}

var bpftraceRow = regexp.MustCompile(`^(\[[^\]]*[\])]|\(\.\.\., [^)]*\))\s+(\d+) \|`)

// parseBpftraceHist reads the rows of a bpftrace hist() back into a log2
// histogram.
func parseBpftraceHist(out string) (*hist.Hist, error) {
	h := hist.NewLog2()
	labels := map[string]int{}
	for i := range hist.Log2Slots {
		labels[hist.BpftraceLabel(h, i)] = i
	}
	for _, line := range strings.Split(out, "\n") {
		m := bpftraceRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		slot, ok := labels[m[1]]
		if !ok {
			return nil, fmt.Errorf("bpftrace row %q: unknown bucket %s", line, m[1])
		}
		n, _ := strconv.ParseUint(m[2], 10, 64)
		h.Slots[slot] += n
	}
	return h, nil
}

// kbytesOfBytes folds a log2 histogram of bytes into bitesize's log2
// histogram of kbytes: bytes below 1024 are 0 kbytes, and 2^k kbytes are
// 2^(k+10) bytes.
func kbytesOfBytes(b *hist.Hist) *hist.Hist {
	k := hist.NewLog2()
	for s, n := range b.Slots {
		if s <= 10 {
			k.Slots[0] += n
		} else {
			k.Slots[s-10] += n
		}
	}
	return k
}

// The dd workload of the comparisons: 1024 writes of 4 KiB and 16 of 64
// KiB, each one block request.
func ddWorkload(t *testing.T, dir string) {
	directWrites(t, dir, 4096, 1024)
	directWrites(t, dir, 64<<10, 16)
}

// TestBitesizeMatchesBpftrace runs bitesize next to bpftrace's
// `hist(args.bytes)` at block:block_rq_issue during direct-I/O dd runs, and
// checks that they count the same buckets. Filtered to dd's requests, the
// counts must be equal; unfiltered, other processes' I/O in the moments
// between bpftrace's attach and detach and gbpf's may differ.
//
// Copy mode cannot run at the same time as bpftrace: while a BPF program
// that returns 0 is attached to a tracepoint (bpftrace's do, and so do
// gbpf's), the kernel hands the tracepoint's records to no perf event
// (perf_trace_run_bpf_submit). So copy mode is compared with bpftrace over
// two runs of the same dd workload, filtered to dd, which agree up to a
// few requests.
func TestBitesizeMatchesBpftrace(t *testing.T) {
	requireKernel(t)
	dir := blockBackedDir(t)
	ddOnly := []string{
		`tracepoint:block:block_rq_issue /comm == "dd"/ { @ = hist(args.bytes); }`,
		`tracepoint:block:block_rq_issue /comm == "dd"/ { @ = hist(args->bytes); }`}
	all := []string{
		"tracepoint:block:block_rq_issue { @ = hist(args.bytes); }",
		"tracepoint:block:block_rq_issue { @ = hist(args->bytes); }"}

	// together runs the workload once with bitesize in mode and bpftrace
	// attached together, and returns both histograms.
	together := func(t *testing.T, mode Mode, comm string, programs []string) (got, want *hist.Hist) {
		// gbpf starts first; once bpftrace (which takes a second to
		// compile) has surely attached, gbpf starts a new period, and
		// reads just before bpftrace stops: gbpf's period lies inside
		// bpftrace's, and they differ only by the moments around
		// bpftrace's attach and detach.
		b, err := NewBitesize(BitesizeOptions{Mode: mode, Comm: comm})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		stop := bpftraceHist(t, programs...)
		time.Sleep(300 * time.Millisecond)
		if _, err := b.Read(true); err != nil {
			stop()
			t.Fatal(err)
		}
		ddWorkload(t, dir)
		snap, err := b.Read(false)
		if err != nil {
			stop()
			t.Fatal(err)
		}
		return snap.Merged(), kbytesOfBytes(stop())
	}
	check := func(t *testing.T, got, want *hist.Hist, slack uint64) {
		t.Helper()
		t.Logf("gbpf %d events, bpftrace %d", got.Total(), want.Total())
		if err := sameBuckets(got, want, slack); err != nil {
			var g, w bytes.Buffer
			hist.WriteBCC(&g, got, "kbytes")
			hist.WriteBCC(&w, want, "kbytes")
			t.Errorf("%v\ngbpf:\n%s\nbpftrace:\n%s", err, g.String(), w.String())
		}
	}

	t.Run("kernel/dd", func(t *testing.T) {
		got, want := together(t, ModeKernel, "dd", ddOnly)
		check(t, got, want, 0)
	})
	t.Run("kernel/all", func(t *testing.T) {
		got, want := together(t, ModeKernel, "", all)
		// bpftrace may also count other processes' I/O just after it
		// attached and just before it detached; gbpf may not count more.
		for s := range got.Slots {
			if got.Slots[s] > want.Slots[s]+2 {
				t.Errorf("slot %d: gbpf %d, more than bpftrace's %d over a longer period", s, got.Slots[s], want.Slots[s])
			}
		}
		check(t, got, want, max(32, want.Total()/4))
	})
	t.Run("copy/dd", func(t *testing.T) {
		stop := bpftraceHist(t, ddOnly...)
		time.Sleep(300 * time.Millisecond)
		ddWorkload(t, dir)
		want := kbytesOfBytes(stop())

		b, err := NewBitesize(BitesizeOptions{Mode: ModeCopy, Comm: "dd"})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		ddWorkload(t, dir)
		snap, err := b.Read(false)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("copy mode: %d records copied, %d lost, %d faults", snap.Stats.Records, snap.Stats.Lost, snap.Stats.Faults)
		if snap.Stats.Lost != 0 || snap.Stats.Faults != 0 {
			t.Errorf("copy mode lost %d records, %d faults", snap.Stats.Lost, snap.Stats.Faults)
		}
		// Two runs of dd are not quite the same: now and then ext4
		// merges two writes or adds a request of its own.
		check(t, snap.Merged(), want, 4)
	})
}

// sameBuckets checks that two histograms of the same period agree: the
// buckets of 4 and 64 kbytes hold dd's writes in both, and no bucket
// differs by more than slack.
func sameBuckets(got, want *hist.Hist, slack uint64) error {
	var errs []error
	for _, s := range []int{hist.Log2Slot(4), hist.Log2Slot(64)} {
		if got.Slots[s] == 0 || want.Slots[s] == 0 {
			errs = append(errs, fmt.Errorf("slot %d: gbpf %d, bpftrace %d, want both > 0", s, got.Slots[s], want.Slots[s]))
		}
	}
	for s := range got.Slots {
		g, w := got.Slots[s], want.Slots[s]
		if max(g, w)-min(g, w) > slack {
			errs = append(errs, fmt.Errorf("slot %d: gbpf %d, bpftrace %d: differ by more than %d", s, g, w, slack))
		}
	}
	return errors.Join(errs...)
}

// TestBiolatencyMatchesBpftrace times block requests from issue to
// completion with biolatency in the kernel and with the same measurement in
// bpftrace over the same period. Both take their own timestamps, a moment
// apart, so a latency near a power of two may land one bucket apart.
func TestBiolatencyMatchesBpftrace(t *testing.T) {
	requireKernel(t)
	dir := blockBackedDir(t)
	b, err := NewBiolatency(BiolatencyOptions{Mode: ModeKernel})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const body = `tracepoint:block:block_rq_issue { @start[args%[1]sdev, args%[1]ssector] = nsecs; }
tracepoint:block:block_rq_complete /@start[args%[1]sdev, args%[1]ssector]/ {
	@usecs = hist((nsecs - @start[args%[1]sdev, args%[1]ssector]) / 1000);
	delete(@start[args%[1]sdev, args%[1]ssector]);
}
END { clear(@start); }`
	stop := bpftraceHist(t, fmt.Sprintf(body, "."), fmt.Sprintf(body, "->"))
	time.Sleep(300 * time.Millisecond)
	if _, err := b.Read(true); err != nil {
		stop()
		t.Fatal(err)
	}
	directWrites(t, dir, 4096, 500)
	snap, err := b.Read(false)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	want := stop()
	got := snap.Merged()
	t.Logf("gbpf %d latencies, bpftrace %d", got.Total(), want.Total())
	// The block layer may merge dd's writes (more so on a busy machine);
	// what matters is that both count the same requests.
	if got.Total() < 250 || want.Total() < 250 {
		t.Errorf("gbpf %d, bpftrace %d latencies of 500 writes, want both >= 250", got.Total(), want.Total())
	}
	// bpftrace's period is longer: it may count other requests; gbpf may
	// count more only where a latency moved across a bucket boundary.
	var extra, missing uint64
	for s := range got.Slots {
		if got.Slots[s] > want.Slots[s] {
			extra += got.Slots[s] - want.Slots[s]
		} else {
			missing += want.Slots[s] - got.Slots[s]
		}
	}
	if extra > 4+got.Total()/50 || missing > max(32, want.Total()/4) {
		var g, w bytes.Buffer
		hist.WriteBCC(&g, got, "usecs")
		hist.WriteBCC(&w, want, "usecs")
		t.Errorf("gbpf has %d counts more and %d fewer than bpftrace\ngbpf:\n%s\nbpftrace:\n%s", extra, missing, g.String(), w.String())
	}
}
