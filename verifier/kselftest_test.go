package verifier

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/internal/kerneltest"
	"github.com/gbpf/gbpf/progtype"
)

// selftests returns the kernel's verifier selftests, skipping (failing
// under CI) when the Linux sources are not installed.
func selftests(t *testing.T) []kerneltest.Case {
	t.Helper()
	cases, err := kerneltest.Selftests()
	if errors.Is(err, kerneltest.ErrNoSource) || errors.Is(err, kerneltest.ErrNoCompiler) {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v: .ci/setup installs it", err)
		}
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 1000 {
		t.Fatalf("only %d selftest cases", len(cases))
	}
	return cases
}

// TestKernelSelftests verifies every case of the kernel's verifier
// selftests that can run here with gbpf (privileged, as the selftests load
// as root) and loads it into the running kernel: gbpf must refuse every
// program the kernel refuses, and accept as many as it accepts as it did
// when last measured.
func TestKernelSelftests(t *testing.T) {
	cases := selftests(t)
	kernelSetup(t)
	var k kernelLoader
	defer k.close()
	var d diffStats
	skipped := map[string]int{}
	sameMsg, bothReject := 0, 0
	// How the running kernel and gbpf compare with the verdicts annotated
	// in the sources (those of the source's kernel, older than this one).
	annotated, kernelAsAnnotated, gbpfAsAnnotated := 0, 0, 0
	withErrstr, gbpfErrstr, kernelErrstr := 0, 0, 0
	for i := range cases {
		c := &cases[i]
		p, why := c.Program()
		if why != "" {
			skipped[why]++
			continue
		}
		var glog strings.Builder
		opts := Options{Type: p.Type, Maps: p.Maps, Privileged: true, LogLevel: 1, Log: &glog}
		if p.Type == progtype.Tracepoint {
			opts.CtxSize = progtype.MaxTraceSize
		}
		_, gerr := Verify(p.Insns, opts)
		k.attachType = ebpf.AttachType(c.AttachType)
		var klog []string
		k.DebugLog = func(l []string) { klog = l }
		kerr, _, err := k.load(p.Insns, p.Type, p.Maps)
		if err != nil {
			skipped["kernel: "+err.Error()]++
			continue
		}
		name := fmt.Sprintf("%s %q", c.File, c.Name)
		d.add(t, name, gerr, kerr)
		if want, ok := c.AnnotatedAccept(); ok {
			annotated++
			if (kerr == nil) == want {
				kernelAsAnnotated++
			}
			if (gerr == nil) == want {
				gbpfAsAnnotated++
			}
		}
		if want, ok := c.AnnotatedAccept(); ok && !want && c.Errstr != "" && gerr != nil && kerr != nil {
			// The selftests' own check: every tab-separated part of the
			// annotated message appears in the log, in order.
			withErrstr++
			if logHas(glog.String()+gerr.(*Error).Log, c.Errstr) {
				gbpfErrstr++
			}
			if logHas(strings.Join(klog, "\n"), c.Errstr) {
				kernelErrstr++
			}
		}
		if gerr != nil && kerr != nil {
			bothReject++
			if gerr.(*Error).Msg == kerr.Error() {
				sameMsg++
			} else {
				t.Logf("%s: message: gbpf %q, kernel %q", name, gerr.(*Error).Msg, kerr.Error())
			}
		}
	}
	var reasons []string
	total := 0
	for r, n := range skipped {
		reasons = append(reasons, fmt.Sprintf("%d: %s", n, r))
		total += n
	}
	sort.Strings(reasons)
	t.Logf("selftests: %d cases, %d skipped: %s", len(cases), total, strings.Join(reasons, "; "))
	t.Logf("selftests: both reject %d, with the kernel's message %d", bothReject, sameMsg)
	t.Logf("selftests: of %d annotated verdicts, the kernel gives %d, gbpf %d", annotated, kernelAsAnnotated, gbpfAsAnnotated)
	t.Logf("selftests: of %d rejections both give with an annotated message, the kernel's log has it in %d, gbpf's in %d", withErrstr, kernelErrstr, gbpfErrstr)
	// The floor is what gbpf's log reaches today.
	if gbpfErrstr < 313 {
		t.Errorf("selftests: gbpf's log has the annotated message in only %d rejections (was 313)", gbpfErrstr)
	}
	// The floor is what gbpf reaches today; the programs it refuses and
	// the kernel accepts use helpers and program types gbpf lacks.
	d.report(t, "selftests", 0.92)
}

// logHas reports whether each tab-separated part of want appears in log,
// in order, as the selftests check their messages.
func logHas(log, want string) bool {
	for _, part := range strings.Split(want, "\t") {
		i := strings.Index(log, part)
		if i < 0 {
			return false
		}
		log = log[i+len(part):]
	}
	return true
}
