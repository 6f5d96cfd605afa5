package tcpdump_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gbpf/gbpf/pcapfilter"
	"github.com/gbpf/gbpf/tcpdump"
)

// flagSets are the tcpdump flag sets compared, with the share of
// identical lines each must reach: every line was identical when the test
// was written; the sets that resolve names keep 1% of slack for a
// resolver that answers Go and the C library differently.
var flagSets = []struct {
	flags []string
	floor float64
}{
	{[]string{"-n"}, 1.00},
	{[]string{"-nn", "-e"}, 1.00},
	{[]string{"-x"}, 0.99},
	{[]string{"-X"}, 0.99},
	{[]string{"-A"}, 0.99},
	{[]string{"-q"}, 0.99},
	{[]string{"-tttt"}, 0.99},
	{[]string{"-S", "-n"}, 1.00},
	{[]string{"-v"}, 0.99},
	{[]string{"-vv"}, 0.99},
}

// captures lists the sample captures and the ones made for these tests.
func captures(t *testing.T) []string {
	var files []string
	for _, pat := range []string{
		filepath.Join("..", "..", "shared", "pcapfilter", "captures", "*.pcap*"),
		filepath.Join("testdata", "*.pcap"),
	} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	return files
}

// names is shared by the flag sets so that each address is looked up once.
var names = tcpdump.NewSystemResolver("/etc/services")

// optionsOf parses a flag set as tcpdump does.
func optionsOf(flags []string) tcpdump.Options {
	var o tcpdump.Options
	for _, f := range flags {
		for _, c := range strings.TrimPrefix(f, "-") {
			switch c {
			case 'n':
				o.Numeric++
			case 'e':
				o.Ether = true
			case 'v':
				o.Verbose++
			case 'x':
				o.Hex++
			case 'X':
				o.HexASCII++
			case 'A':
				o.ASCII++
			case 't':
				o.Time++
			case 'S':
				o.Absolute = true
			case 'q':
				o.Quiet = true
			}
		}
	}
	o.Location = time.UTC
	if o.Numeric == 0 {
		o.Names = names
	}
	return o
}

// render prints every packet of file with opts.
func render(file string, opts tcpdump.Options) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	cr, err := pcapfilter.NewCaptureReader(f)
	if err != nil {
		return "", err
	}
	p := tcpdump.New(tcpdump.LinkType(cr.LinkType().DLT()), opts)
	var out []byte
	for {
		pk, err := cr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return string(out), err
		}
		out = p.Format(out, pk.Timestamp, pk.Data, pk.Length)
	}
	return string(out), nil
}

// common counts the lines of want found, in order, in got (the length of
// their longest common subsequence).
func common(want, got []string) int {
	prev := make([]int, len(got)+1)
	cur := make([]int, len(got)+1)
	for i := range want {
		for j := range got {
			switch {
			case want[i] == got[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(got)]
}

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// TestMatchesTcpdump runs tcpdump and the renderer over every capture for
// each flag set and checks the share of identical lines. GBPF_TCPDUMP_DIFF=1
// prints the lines that differ.
func TestMatchesTcpdump(t *testing.T) {
	if testing.Short() {
		t.Skip("runs tcpdump over every capture ten times")
	}
	bin, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed")
	}
	files := captures(t)
	if len(files) == 0 {
		t.Skip("no captures")
	}
	showDiff := os.Getenv("GBPF_TCPDUMP_DIFF") != ""
	for _, set := range flagSets {
		name := strings.Join(set.flags, " ")
		total, same := 0, 0
		for _, file := range files {
			cmd := exec.Command(bin, append([]string{"-r", file}, set.flags...)...)
			cmd.Env = append(os.Environ(), "TZ=UTC")
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			_ = cmd.Run() // tcpdump exits 1 on a truncated file, having printed its lines
			want := lines(stdout.String())
			out, err := render(file, optionsOf(set.flags))
			if err != nil {
				// tcpdump prints the packets before a bad record too.
				t.Logf("%s: %v", file, err)
			}
			got := lines(out)
			n := common(want, got)
			total += len(want)
			same += n
			if showDiff && n < len(want) {
				fmt.Printf("=== %s %s: %d/%d\n", name, filepath.Base(file), n, len(want))
				printDiff(want, got)
			}
		}
		share := float64(same) / float64(max(total, 1))
		t.Logf("flags %-8s %5d/%5d identical lines (%.2f%%)", name, same, total, 100*share)
		if share < set.floor {
			t.Errorf("flags %s: %.4f of lines identical, below the floor %.4f", name, share, set.floor)
		}
	}
}

func printDiff(want, got []string) {
	g := map[string]bool{}
	for _, l := range got {
		g[l] = true
	}
	w := map[string]bool{}
	for _, l := range want {
		w[l] = true
	}
	for _, l := range want {
		if !g[l] {
			fmt.Printf("-%s\n", l)
		}
	}
	for _, l := range got {
		if !w[l] {
			fmt.Printf("+%s\n", l)
		}
	}
}
