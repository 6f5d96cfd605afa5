package gbpf_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/kernel"
)

// TestPinKernel pins by name in a bpffs, and checks that the kernel
// backend shares maps as the runtime does.
func TestPinKernel(t *testing.T) {
	spec := pinnedSpec(t)
	dir := t.TempDir()
	if err := unix.Mount("bpf", dir, "bpf", 0, ""); err != nil {
		if kerr := kernel.Supported(); kerr != nil {
			testutil.SkipWithoutKernel(t, kerr.Error())
		}
		t.Fatalf("mount a bpffs: %v", err)
	}
	defer unix.Unmount(dir, 0)
	pinScenario(t, func() *gbpf.Collection {
		return kernelColl(t, spec, &gbpf.Options{PinPath: dir})
	})
	if _, err := os.Stat(filepath.Join(dir, "shared_packets")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the pin is still there after Unpin: %v", err)
	}
	// Without a pin path, a pinned map cannot be loaded into the kernel.
	if _, err := gbpf.NewCollection(spec, &gbpf.Options{Backend: gbpf.Kernel}); err == nil {
		t.Error("a map pinned by name loaded without PinPath")
	}
}
