//go:build !linux

package gbpf_test

import (
	"errors"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/abi"
)

// TestKernelBackendOffLinux checks that off Linux the kernel backend and
// the kernel's attach points report the one ErrNotSupported.
func TestKernelBackendOffLinux(t *testing.T) {
	spec, err := gbpf.LoadCollectionSpec("examples/bpf/hash_counter.o")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gbpf.NewCollection(spec, &gbpf.Options{Backend: gbpf.Kernel}); !errors.Is(err, gbpf.ErrNotSupported) || !errors.Is(err, abi.ErrNotSupported) {
		t.Errorf("kernel backend: %v, want ErrNotSupported", err)
	}
	coll, err := gbpf.NewCollection(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	p := coll.Programs["count_sources"]
	for what, err := range map[string]error{
		"xdp":        func() error { _, err := p.AttachXDP(1); return err }(),
		"tc":         func() error { _, err := p.AttachTC(1, true); return err }(),
		"tracepoint": func() error { _, err := p.AttachTracepoint("syscalls", "sys_enter_getpid"); return err }(),
		"uprobe":     func() error { _, err := p.AttachUprobe("/bin/sh", "main"); return err }(),
		"cgroup":     func() error { _, err := p.AttachCgroup("/"); return err }(),
	} {
		if !errors.Is(err, gbpf.ErrNotSupported) {
			t.Errorf("%s: %v, want ErrNotSupported", what, err)
		}
	}
}
