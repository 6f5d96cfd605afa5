package loader_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/rlimit"

	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

// realFloor is what TestRealPrograms requires of gbpf on the corpus under
// testdata/realprogs: programs that load and that verify. Raise it as
// gbpf gets better; a change that lowers it is a regression.
var realFloor = struct{ loaded, verified int }{loaded: 657, verified: 308}

// kernelExceptions are the programs gbpf accepts and the kernel of this
// machine refuses, with why that is not a gbpf bug.
var kernelExceptions = map[string]string{
	// The kernel's verifier accepts both (its log ends with the
	// statistics of success) and the load then fails with EINVAL, with
	// bpftool too. Both call bpf_xdp_adjust_meta: on the kernel this was
	// measured on, a three-instruction XDP program calling it fails the
	// same way, while one calling bpf_xdp_adjust_head loads.
	"selftests/test_xdp_context_test_run.o xdp_context": "EINVAL after the kernel's verifier accepted it",
	"selftests/test_xdp_do_redirect.o xdp_redirect":     "EINVAL after the kernel's verifier accepted it",
}

// userMaxEntries is the size the test gives maps that the object leaves
// for user space to size.
const userMaxEntries = 1024

// realProgram is the outcome of one program of the corpus.
type realProgram struct {
	object, name string
	// loadErr is gbpf's loader error, verifyErr gbpf's verifier error,
	// kernelErr the kernel's (nil: accepted), kernelRan says the kernel
	// was asked.
	loadErr, verifyErr, kernelErr error
	kernelRan                     bool
	processed, kernelProcessed    int
}

// TestRealPrograms loads every program of the real-programs corpus (built
// by testdata/realprogs/build.sh from bcc's libbpf-tools and xdp-tools)
// with gbpf's loader and verifier (privileged mode) and, as root, into the
// kernel with cilium/ebpf, and reports how many each accepts and why the
// rest fail. GBPF_REALPROGS_LIST=1 lists every program.
func TestRealPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("the corpus takes a while")
	}
	objs, err := filepath.Glob("testdata/realprogs/*/*.o")
	if err != nil || len(objs) == 0 {
		t.Fatalf("no corpus under testdata/realprogs (%v)", err)
	}
	sort.Strings(objs)
	kernelTypes, err := loader.KernelTypes()
	if err != nil {
		t.Skipf("CO-RE needs the running kernel's BTF: %v", err)
	}
	kernel := os.Geteuid() == 0
	if kernel {
		if err := rlimit.RemoveMemlock(); err != nil {
			// No bpf() here (an emulator, a kernel without BPF).
			if os.Getenv("GBPF_REQUIRE_KERNEL") == "1" {
				t.Fatal(err)
			}
			t.Logf("bpf() unavailable (%v): the kernel's verdicts are not compared", err)
			kernel = false
		}
	}
	if !kernel {
		if os.Getenv("GBPF_REQUIRE_KERNEL") == "1" {
			t.Fatal("GBPF_REQUIRE_KERNEL=1 but not root: the kernel cannot be asked")
		}
		t.Log("the kernel's verdicts are not compared")
	}
	var all []realProgram
	for _, obj := range objs {
		all = append(all, realObject(t, obj, kernelTypes, kernel)...)
	}
	var loaded, verified, kernelOK, both, onlyKernel, onlyGbpf int
	var ratios []float64
	reasons := map[string]int{}
	for _, p := range all {
		gbpfOK := p.loadErr == nil && p.verifyErr == nil
		if p.loadErr == nil {
			loaded++
		}
		if gbpfOK {
			verified++
		}
		if p.kernelRan && p.kernelErr == nil {
			kernelOK++
			if gbpfOK {
				both++
				if p.kernelProcessed > 0 {
					ratios = append(ratios, float64(p.processed)/float64(p.kernelProcessed))
				}
			} else {
				onlyKernel++
			}
		} else if p.kernelRan && gbpfOK {
			onlyGbpf++
			if _, ok := kernelExceptions[p.object+" "+p.name]; !ok {
				t.Errorf("%s %s: gbpf accepts what the kernel refuses: %v", p.object, p.name, p.kernelErr)
			}
		}
		switch {
		case p.loadErr != nil:
			reasons["load: "+reason(p.loadErr)]++
		case p.verifyErr != nil:
			reasons["verify: "+reason(p.verifyErr)]++
		}
		if os.Getenv("GBPF_REALPROGS_LIST") == "1" {
			t.Logf("%s %s: load=%v verify=%v kernel=%v (%d/%d insns)", p.object, p.name, p.loadErr, p.verifyErr, p.kernelErr, p.processed, p.kernelProcessed)
		}
	}
	t.Logf("%d objects, %d programs: gbpf loads %d, verifies %d (privileged)", len(objs), len(all), loaded, verified)
	if kernel {
		t.Logf("kernel accepts %d; gbpf accepts %d of those (%.1f%%), rejects %d; accepts %d the kernel rejects",
			kernelOK, both, 100*float64(both)/float64(max(kernelOK, 1)), onlyKernel, onlyGbpf)
	}
	if len(ratios) > 0 {
		slices.Sort(ratios)
		t.Logf("processed insns gbpf/kernel: median %.2f, p90 %.2f, max %.2f", ratios[len(ratios)/2], ratios[len(ratios)*9/10], ratios[len(ratios)-1])
	}
	type kv struct {
		k string
		n int
	}
	var top []kv
	for k, n := range reasons {
		top = append(top, kv{k, n})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].n > top[j].n || top[i].n == top[j].n && top[i].k < top[j].k })
	for i, r := range top {
		if i == 20 {
			break
		}
		t.Logf("%4d  %s", r.n, r.k)
	}
	if loaded < realFloor.loaded || verified < realFloor.verified {
		t.Errorf("gbpf loads %d and verifies %d programs, fewer than the %d and %d it did", loaded, verified, realFloor.loaded, realFloor.verified)
	}
}

// realObject loads the programs of one object with gbpf and the kernel.
func realObject(t *testing.T, path string, kernelTypes *btf.Spec, kernel bool) []realProgram {
	t.Helper()
	obj := strings.TrimPrefix(path, "testdata/realprogs/")
	cs, cerr := ebpf.LoadCollectionSpec(path)
	spec, lerr := loader.LoadCollectionSpec(path)
	if lerr == nil {
		lerr = spec.RelocateCORE(kernelTypes)
	}
	// The tools size some maps from user space before they load the
	// object (bpf_map__set_max_entries); do as they do for both.
	if cerr == nil {
		for n, m := range cs.Maps {
			if m.Type == ebpf.StackTrace && m.ValueSize == 0 {
				// perf_max_stack_depth frames of 8 bytes.
				m.ValueSize = 127 * 8
				if spec != nil && spec.Maps[n] != nil {
					spec.Maps[n].ValueSize = m.ValueSize
				}
			}
			if m.MaxEntries == 0 && m.Type != ebpf.PerfEventArray && m.Type != ebpf.RingBuf {
				m.MaxEntries = userMaxEntries
				if spec != nil && spec.Maps[n] != nil {
					spec.Maps[n].MaxEntries = userMaxEntries
				}
			}
		}
	}
	var names []string
	switch {
	case spec != nil && lerr == nil:
		names = spec.ProgramNames()
		for n := range spec.Unlinked {
			names = append(names, n)
		}
	case cerr == nil:
		for n := range cs.Programs {
			names = append(names, n)
		}
	default:
		return []realProgram{{object: obj, name: "(object)", loadErr: lerr, kernelRan: kernel, kernelErr: cerr}}
	}
	sort.Strings(names)
	var out []realProgram
	for _, n := range names {
		p := realProgram{object: obj, name: n, loadErr: lerr}
		if lerr == nil {
			p.loadErr = spec.Unlinked[n]
		}
		if p.loadErr == nil {
			p.processed, p.verifyErr = gbpfVerify(spec, spec.Programs[n])
		}
		if kernel {
			p.kernelRan = true
			if cerr != nil {
				p.kernelErr = cerr
			} else {
				p.kernelProcessed, p.kernelErr = kernelVerify(cs, n)
			}
		}
		out = append(out, p)
	}
	return out
}

// gbpfVerify verifies one program in privileged mode, as cmd/gbpf's
// verify --privileged does.
func gbpfVerify(cs *loader.CollectionSpec, ps *loader.ProgramSpec) (int, error) {
	specs, err := cs.MapSpecs(ps)
	if err != nil {
		return 0, err
	}
	ctx := ps.CtxSize
	if info, ok := progtype.Lookup(ps.Type); ok && !info.VarCtx {
		ctx = 0
	}
	res, err := verifier.Verify(ps.Instructions, verifier.Options{
		Type: ps.Type, CtxSize: ctx, Maps: append([]*maps.Spec(nil), specs...), Privileged: true,
	})
	if err != nil {
		return 0, err
	}
	return res.Processed, nil
}

var processedRE = regexp.MustCompile(`processed (\d+) insns`)

// kernelVerify loads program name of cs, alone with its maps, into the
// kernel and returns the instructions the kernel's verifier processed.
func kernelVerify(cs *ebpf.CollectionSpec, name string) (int, error) {
	cs = cs.Copy()
	for n := range cs.Programs {
		if n != name {
			delete(cs.Programs, n)
		}
	}
	for _, m := range cs.Maps {
		if m.Type == ebpf.ProgramArray || m.Type == ebpf.ArrayOfMaps || m.Type == ebpf.HashOfMaps {
			m.Contents = nil
		}
		m.Pinning = ebpf.PinNone
	}
	coll, err := ebpf.NewCollectionWithOptions(cs, ebpf.CollectionOptions{
		Programs: ebpf.ProgramOptions{LogLevel: ebpf.LogLevelStats},
	})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) && len(ve.Log) > 0 {
			return 0, fmt.Errorf("%w: %s", err, ve.Log[len(ve.Log)-1])
		}
		return 0, err
	}
	defer coll.Close()
	prog := coll.Programs[name]
	if prog == nil {
		return 0, fmt.Errorf("cilium/ebpf did not load program %s", name)
	}
	if m := processedRE.FindStringSubmatch(prog.VerifierLog); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, nil
	}
	return 0, nil
}

var namesRE = regexp.MustCompile(`(testdata/\S+\.o|(program|map) \S+|instruction \d+): `)

var numbersRE = regexp.MustCompile(`\b(0x[0-9a-f]+|-?\d+)\b`)

// reason shortens err to a failure class: numbers and names of programs
// and instructions left out, so that equal causes count together.
func reason(err error) string {
	s := err.Error()
	var ve *verifier.Error
	if errors.As(err, &ve) {
		s = ve.Msg
	}
	s = namesRE.ReplaceAllString(s, "")
	s = numbersRE.ReplaceAllString(s, "N")
	if len(s) > 110 {
		s = s[:110]
	}
	return s
}
