package gbpf_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/internal/kerneltest"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// TestKernelSelftestsRun runs the kernel's verifier selftests that the
// kernel and gbpf accept, of the types BPF_PROG_TEST_RUN runs (socket
// filter, tc, XDP), in the kernel and on each of gbpf's engines, on the
// case's packet: where the kernel returns the value the source annotates,
// every engine must return it too.
func TestKernelSelftestsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
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
	if err := rlimit.RemoveMemlock(); err != nil {
		testutil.SkipWithoutKernel(t, fmt.Sprintf("memlock: %v", err))
	}
	engines := gbpf.Engines()
	var k kerneltest.Loader
	defer k.Close()
	ran, sameAsKernel, refused, other := 0, 0, 0, 0
	for i := range cases {
		c := &cases[i]
		accept, ok := c.AnnotatedAccept()
		if !ok || !accept || c.Runs > 0 || c.Retval == kerneltest.PointerValue {
			continue // PointerValue: it returns an address, which differs
		}
		p, why := c.Program()
		if why != "" {
			continue
		}
		switch p.Type {
		case progtype.SocketFilter, progtype.SchedCLS, progtype.XDP:
		default:
			continue
		}
		if c.Fixups["prog1"] != nil || c.Fixups["prog2"] != nil {
			continue // the selftests fill their program arrays; these are empty
		}
		kprog, kverdict, _, err := k.Load(p.Insns, p.Type, p.Maps)
		if err != nil {
			testutil.SkipWithoutKernel(t, fmt.Sprintf("bpf(): %v", err))
		}
		if kverdict != nil {
			continue
		}
		kret, kerr := kprog.Run(&ebpf.RunOptions{Data: c.Input()})
		kprog.Close()
		if kerr != nil {
			t.Logf("%s %q: kernel test run: %v", c.File, c.Name, kerr)
			continue
		}
		if kret != c.Retval {
			other++
			// The value the source annotates is not what this kernel
			// returns: an address or uninitialized stack, which differ
			// from run to run and kernel to kernel.
			continue
		}
		name := fmt.Sprintf("%s %q", c.File, c.Name)
		all := true
		for _, e := range engines {
			ret, err := runSelftest(p, e, c.Input())
			if err != nil {
				// The verifier differential counts gbpf's refusals.
				t.Logf("%s on %v: %v", name, e, err)
				refused++
				all = false
				break
			}
			if uint32(ret) != kret {
				t.Errorf("%s on %v: returns %d, the kernel %d", name, e, uint32(ret), kret)
				all = false
			}
		}
		ran++
		if all {
			sameAsKernel++
		}
	}
	t.Logf("selftests run: %d programs return their annotated value in the kernel; on %v every engine returns it on %d, gbpf refuses %d (%d others return an address or stack garbage)",
		ran, engines, sameAsKernel, refused, other)
	if ran < 100 {
		t.Errorf("only %d selftests ran", ran)
	}
}

// runSelftest runs a selftest program on engine e with packet data.
func runSelftest(p kerneltest.Program, e gbpf.Engine, data []byte) (uint64, error) {
	spec := &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{"prog": {Name: "prog", Type: p.Type, Instructions: p.Insns}},
		Maps:     map[string]*maps.Spec{},
	}
	ps := spec.Programs["prog"]
	for _, m := range p.Maps {
		spec.Maps[m.Name] = m
		ps.Maps = append(ps.Maps, m.Name)
	}
	coll, err := gbpf.NewCollection(spec, &gbpf.Options{Engine: e, Privileged: true})
	if err != nil {
		return 0, err
	}
	defer coll.Close()
	return coll.Programs["prog"].Run(&gbpf.RunOptions{Data: data})
}
