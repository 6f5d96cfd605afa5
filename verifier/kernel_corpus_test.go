//go:build linux

package verifier

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cilium/ebpf"
	ciliumasm "github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	gasm "github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/progtype"
)

// kernelMessageFiles are the corpus files whose reject annotations are the
// kernel's own messages: there the kernel's error line must contain the
// annotated text. Elsewhere a different wording is counted and logged.
var kernelMessageFiles = map[string]bool{"unpriv_kernel.s": true}

// TestCorpusNames checks that case names are unique across the corpus.
func TestCorpusNames(t *testing.T) {
	seen := map[string]string{}
	for _, c := range loadCorpus(t) {
		where := fmt.Sprintf("%s:%d", c.file, c.line)
		if prev, ok := seen[c.name]; ok {
			t.Errorf("%s: case %q already at %s", where, c.name, prev)
		}
		seen[c.name] = where
	}
}

// Linux decides the verifier's mode from the loader's capabilities
// (include/linux/bpf.h, 6.x): env->bpf_capable is CAP_BPF (or
// CAP_SYS_ADMIN); env->allow_ptr_leaks, allow_uninit_stack and
// bypass_spec_v1/v4 are CAP_PERFMON (or CAP_SYS_ADMIN), the last two also
// when the CPU mitigations are off. A loader with CAP_BPF and
// CAP_NET_ADMIN but neither CAP_PERFMON nor CAP_SYS_ADMIN loads socket
// filters, XDP and tc programs under the unprivileged rules: what an
// unprivileged loader would see where kernel.unprivileged_bpf_disabled
// is 0 (with it at 1 or 2, a loader without CAP_BPF cannot load at all).
const (
	capNetAdmin = unix.CAP_NET_ADMIN
	capSysAdmin = unix.CAP_SYS_ADMIN
	capPerfmon  = unix.CAP_PERFMON
	capBPF      = unix.CAP_BPF
)

// withoutPerfmon runs f on a locked OS thread whose effective capability
// set lacks CAP_SYS_ADMIN and CAP_PERFMON, and restores the set after. If
// the set cannot be restored the thread stays locked, so that the Go
// runtime retires it when the goroutine ends.
func withoutPerfmon(f func()) (err error) {
	warmFeatureProbes.Do(warmProbes)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var old [2]unix.CapUserData
		if err = unix.Capget(&hdr, &old[0]); err != nil {
			err = fmt.Errorf("capget: %w", err)
			runtime.UnlockOSThread()
			return
		}
		for _, c := range []uint{capBPF, capNetAdmin} {
			if !hasCap(old, c) {
				err = fmt.Errorf("capability %d not held", c)
				runtime.UnlockOSThread()
				return
			}
		}
		drop := old
		for _, c := range []uint{capSysAdmin, capPerfmon} {
			drop[c/32].Effective &^= 1 << (c % 32)
		}
		if err = unix.Capset(&hdr, &drop[0]); err != nil {
			err = fmt.Errorf("capset: %w", err)
			runtime.UnlockOSThread()
			return
		}
		f()
		if err = unix.Capset(&hdr, &old[0]); err != nil {
			err = fmt.Errorf("restoring capabilities: %w", err)
			return // the thread stays locked and dies with the goroutine
		}
		runtime.UnlockOSThread()
	}()
	<-done
	return err
}

// warmFeatureProbes runs, with every capability, the feature probes
// cilium/ebpf caches for the process: probed first without CAP_PERFMON,
// bpf_probe_read_kernel would be found missing and every later program's
// calls to it rewritten to bpf_probe_read, which XDP programs may not call.
var warmFeatureProbes sync.Once

func warmProbes() {
	spec := &ebpf.ProgramSpec{Type: ebpf.XDP, License: "GPL", Instructions: ciliumasm.Instructions{
		ciliumasm.Mov.Reg(ciliumasm.R1, ciliumasm.R10),
		ciliumasm.Add.Imm(ciliumasm.R1, -8),
		ciliumasm.Mov.Imm(ciliumasm.R2, 8),
		ciliumasm.Mov.Imm(ciliumasm.R3, 0),
		ciliumasm.FnProbeReadKernel.Call(),
		ciliumasm.Mov.Imm(ciliumasm.R0, 0),
		ciliumasm.Return(),
	}}
	if p, err := ebpf.NewProgram(spec); err == nil {
		p.Close()
	}
}

func hasCap(set [2]unix.CapUserData, c uint) bool {
	return set[c/32].Effective&(1<<(c%32)) != 0
}

// perfmonCapable reports whether the test's threads have CAP_PERFMON or
// CAP_SYS_ADMIN, so that the kernel applies root's rules to their loads.
func perfmonCapable() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var set [2]unix.CapUserData
	if err := unix.Capget(&hdr, &set[0]); err != nil {
		return false
	}
	return hasCap(set, capPerfmon) || hasCap(set, capSysAdmin)
}

// verdict loads p, the program of c, into the kernel in c's mode:
// privileged cases with the test's capabilities, the others without
// CAP_PERFMON and CAP_SYS_ADMIN. It returns the kernel's error line (nil
// if it accepts), or err when the kernel cannot judge the case.
func (k *kernelLoader) verdict(p isa.Program, c *corpusCase) (kerr, err error) {
	if c.priv {
		kerr, _, err = k.load(p, c.typ, c.maps)
		return kerr, err
	}
	werr := withoutPerfmon(func() { kerr, _, err = k.load(p, c.typ, c.maps) })
	if werr != nil {
		return nil, werr
	}
	return kerr, err
}

// kernelSkip says why the kernel cannot judge c, or "".
func kernelSkip(c *corpusCase) string {
	if c.kernelSkip != "" {
		return c.kernelSkip
	}
	if _, ok := kernelTypeOf(c.typ); !ok {
		if c.typ == progtype.Tracepoint {
			return "tracepoint records are sized per case here, in the kernel per event"
		}
		return fmt.Sprintf("program type %v is gbpf's own", c.typ)
	}
	if c.maxInsns != 0 {
		return "a lowered complexity limit (maxinsns), which the kernel does not have"
	}
	if c.typ == progtype.Kprobe && !c.priv {
		return "kprobe programs need CAP_PERFMON, which turns the unprivileged rules off"
	}
	for _, m := range c.maps {
		if m.SpinLockOffset >= 0 {
			return "spin locks need BTF, which raw instructions lack"
		}
	}
	return ""
}

// bypassSpecV1 reports whether the kernel skips its Spectre v1 rules for a
// loader without CAP_PERFMON, as it does when the CPU mitigations are off:
// only they reject a variable-offset read of initialized stack.
func bypassSpecV1() (bool, error) {
	p, err := gasm.Assemble(`
    stdw [%r10-8], 0
    stdw [%r10-16], 0
    call 7
    and %r0, 8
    mov %r1, %r10
    add %r1, -16
    add %r1, %r0
    ldxdw %r0, [%r1+0]
    exit`)
	if err != nil {
		return false, err
	}
	var k kernelLoader
	defer k.close()
	kerr, err := k.verdict(p, &corpusCase{typ: progtype.SocketFilter})
	if err != nil {
		return false, err
	}
	return kerr == nil, nil
}

func verdictString(err error) string {
	if err == nil {
		return "accept"
	}
	return "reject: " + err.Error()
}

// TestKernelCorpus loads every corpus case the kernel can judge into the
// Linux verifier in the case's mode (see withoutPerfmon) and checks that
// the kernel gives the annotated verdict: accept, or reject with an error
// line containing the annotated text ("kernel reject" where gbpf differs
// on purpose). gbpf's verdict is logged beside it; TestCorpus checks gbpf
// against the annotation.
func TestKernelCorpus(t *testing.T) {
	kernelSetup(t)
	if err := withoutPerfmon(func() {}); err != nil {
		testutil.SkipWithoutKernel(t, fmt.Sprintf("cannot drop CAP_PERFMON and CAP_SYS_ADMIN: %v", err))
	}
	if on, err := bypassSpecV1(); err != nil || on {
		testutil.SkipWithoutKernel(t, fmt.Sprintf("the kernel does not apply its Spectre v1 rules to a loader without CAP_PERFMON (CPU mitigations off?), as the corpus assumes (err %v)", err))
	}
	privileged := perfmonCapable()
	var k kernelLoader
	defer k.close()
	var total, agree, differ, msgAgree, gbpfAgree int
	skipped := map[string]int{}
	for _, c := range loadCorpus(t) {
		where := fmt.Sprintf("%s:%d %q", c.file, c.line, c.name)
		r := kernelSkip(c)
		if r == "" && c.priv && !privileged {
			r = "the test lacks CAP_PERFMON and CAP_SYS_ADMIN for privileged cases"
		}
		if r != "" {
			skipped[r]++
			continue
		}
		p := c.program(t)
		kerr, err := k.verdict(p, c)
		if errors.Is(err, errNeedsBTF) {
			skipped["callbacks need BTF func_info, which raw instructions lack"]++
			continue
		}
		if err != nil {
			t.Errorf("%s: cannot load into the kernel: %v (give the case a \"#: kernel skip\" reason)", where, err)
			continue
		}
		total++
		_, gerr := Verify(p, c.options())
		if (gerr == nil) == (kerr == nil) {
			gbpfAgree++
		}
		mode := "unprivileged"
		if c.priv {
			mode = "privileged"
		}
		wantAccept, wantMsg := c.accept, c.msg
		switch {
		case c.kernelMsg != "":
			wantAccept, wantMsg = false, c.kernelMsg
		case c.kernelAccept:
			wantAccept, wantMsg = true, ""
		}
		want := "accept"
		if !wantAccept {
			want = "reject " + wantMsg
		}
		t.Logf("%s [%s]: want %s; kernel %s; gbpf %s", where, mode, want, verdictString(kerr), verdictString(gerr))
		switch {
		case wantAccept && kerr != nil:
			t.Errorf("%s: the kernel rejects (%v), the case says accept", where, kerr)
			continue
		case !wantAccept && kerr == nil:
			t.Errorf("%s: the kernel accepts, the case says reject %q", where, wantMsg)
			continue
		}
		agree++
		if c.kernelMsg != "" || c.kernelAccept {
			differ++
		}
		switch {
		case kerr == nil || strings.Contains(kerr.Error(), wantMsg):
			msgAgree++
		case c.kernelMsg != "" || kernelMessageFiles[c.file]:
			t.Errorf("%s: the kernel rejects with %q, the case says %q", where, kerr, wantMsg)
		}
	}
	var reasons []string
	nskip := 0
	for r, n := range skipped {
		reasons = append(reasons, fmt.Sprintf("%d: %s", n, r))
		nskip += n
	}
	sort.Strings(reasons)
	t.Logf("kernel agrees on %d of %d cases (%d of them by a documented difference from gbpf, %d with the annotated message); gbpf's verdict is the kernel's on %d; %d skipped: %s",
		agree, total, differ, msgAgree, gbpfAgree, nskip, strings.Join(reasons, "; "))
}
