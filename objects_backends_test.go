package gbpf_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// kernelRefuses names the objects of the repository that the kernel
// backend cannot load, with a word of the reason its error must give.
var kernelRefuses = map[string]string{
	// Raw programs exist only in gbpf's runtime.
	"clock.o":  "Raw",
	"printk.o": "Raw",
}

// testRunnable are the program types both backends run with
// Program.Run: the kernel's BPF_PROG_TEST_RUN has no tracing types.
var testRunnable = map[progtype.Type]bool{progtype.XDP: true, progtype.SocketFilter: true, progtype.SchedCLS: true}

// TestBackendsEveryObject loads every BPF object of the repository into
// the kernel and into gbpf's runtime through the same API, and runs each
// program of a type both can test-run on the same packets, comparing
// return values. Objects the kernel backend cannot take must fail with
// ErrNotSupported and their reason.
func TestBackendsEveryObject(t *testing.T) {
	var objs []string
	for _, dir := range []string{"examples/bpf", "kernel/testdata", "tools/bpf", "internal/progfile/testdata"} {
		found, _ := filepath.Glob(filepath.Join(dir, "*.o"))
		objs = append(objs, found...)
	}
	if len(objs) < 30 {
		t.Fatalf("found %d objects", len(objs))
	}
	packets := [][]byte{make([]byte, 14), udpPacket(), append(udpPacket(), make([]byte, 100)...)}
	var loaded, runs int
	for _, obj := range objs {
		t.Run(obj, func(t *testing.T) {
			spec, err := gbpf.LoadCollectionSpec(obj)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range spec.Maps {
				m.Pinning = maps.PinNone // TestPinKernel pins, in a bpffs of its own
			}
			kc, kerr := gbpf.NewCollection(spec, &gbpf.Options{Backend: gbpf.Kernel})
			if why, ok := kernelRefuses[filepath.Base(obj)]; ok {
				if kerr == nil || !errors.Is(kerr, gbpf.ErrNotSupported) || !strings.Contains(kerr.Error(), why) {
					t.Fatalf("kernel backend: %v, want ErrNotSupported naming %s", kerr, why)
				}
				return
			}
			if errors.Is(kerr, gbpf.ErrNotSupported) || errors.Is(kerr, maps.ErrPermission) {
				testutil.SkipWithoutKernel(t, fmt.Sprintf("the kernel backend is unavailable: %v", kerr))
			}
			if kerr != nil {
				t.Fatalf("kernel backend: %v", kerr)
			}
			defer kc.Close()
			loaded++
			gc, err := gbpf.NewCollection(spec, &gbpf.Options{Privileged: true})
			if err != nil {
				t.Fatalf("gbpf backend: %v", err)
			}
			defer gc.Close()
			for name, kp := range kc.Programs {
				if kp.Backend() != gbpf.Kernel || !testRunnable[kp.Type()] {
					continue
				}
				for i, p := range packets {
					kr, kerr := kp.Run(&gbpf.RunOptions{Data: p})
					gr, gerr := gc.Programs[name].Run(&gbpf.RunOptions{Data: p})
					if kerr != nil || gerr != nil {
						t.Fatalf("%s: kernel %v, gbpf %v", name, kerr, gerr)
					}
					runs++
					if uint32(kr) != uint32(gr) {
						t.Errorf("%s, packet %d: kernel returned %d, gbpf %d", name, i, kr, gr)
					}
				}
			}
		})
	}
	t.Logf("%d objects loaded into the kernel, %d return values compared", loaded, runs)
}

// TestKernelSpinLockNeedsBTF loads spin_lock.o into the kernel, which
// takes a value holding a bpf_spin_lock only with the value's BTF type:
// with the types the loader keeps it loads, without them the backend
// says what is missing.
func TestKernelSpinLockNeedsBTF(t *testing.T) {
	spec, err := gbpf.LoadCollectionSpec("examples/bpf/spin_lock.o")
	if err != nil {
		t.Fatal(err)
	}
	if spec.MapTypes["totals"].Value == nil {
		t.Fatal("the loader kept no BTF type for totals' value")
	}
	kernelColl(t, spec, nil)
	spec.MapTypes = nil
	_, err = gbpf.NewCollection(spec, &gbpf.Options{Backend: gbpf.Kernel})
	if !errors.Is(err, gbpf.ErrNotSupported) || !strings.Contains(err.Error(), "bpf_spin_lock") {
		t.Errorf("without map BTF: %v, want ErrNotSupported naming bpf_spin_lock", err)
	}
}

// TestKernelLoadAndAssign assigns spin_lock.o's program and map into a
// struct on the kernel backend: the map keeps its BTF types through
// LoadAndAssign.
func TestKernelLoadAndAssign(t *testing.T) {
	spec, err := gbpf.LoadCollectionSpec("examples/bpf/spin_lock.o")
	if err != nil {
		t.Fatal(err)
	}
	kernelColl(t, spec, nil).Close() // skips without the kernel backend
	var objs struct {
		Add    *gbpf.Program `ebpf:"add_locked"`
		Totals *gbpf.Map     `ebpf:"totals"`
	}
	if err := gbpf.LoadAndAssign(spec, &objs, &gbpf.Options{Backend: gbpf.Kernel}); err != nil {
		t.Fatal(err)
	}
	defer objs.Add.Close()
	defer objs.Totals.Close()
	if objs.Add.Backend() != gbpf.Kernel || objs.Totals.Backend() != gbpf.Kernel {
		t.Errorf("assigned %v and %v", objs.Add.Backend(), objs.Totals.Backend())
	}
	if _, err := objs.Add.Run(&gbpf.RunOptions{Data: udpPacket()}); err != nil {
		t.Fatal(err)
	}
}
