package kernel

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/abi"
)

func TestUnsupportedMatchesBoth(t *testing.T) {
	err := unsupported(fmt.Errorf("kernel: attach p to xdp: %w", ebpf.ErrNotSupported))
	if !errors.Is(err, ebpf.ErrNotSupported) || !errors.Is(err, abi.ErrNotSupported) {
		t.Errorf("%v matches ebpf.ErrNotSupported %v, abi.ErrNotSupported %v", err,
			errors.Is(err, ebpf.ErrNotSupported), errors.Is(err, abi.ErrNotSupported))
	}
	if err.Error() != "kernel: attach p to xdp: "+ebpf.ErrNotSupported.Error() {
		t.Errorf("text changed: %q", err)
	}
	other := errors.New("permission denied")
	if got := unsupported(other); got != other || errors.Is(got, abi.ErrNotSupported) {
		t.Errorf("unsupported changed an unrelated error: %v", got)
	}
	if unsupported(nil) != nil {
		t.Error("unsupported(nil) != nil")
	}
	if err := KprobesSupported(); err != nil && !errors.Is(err, abi.ErrNotSupported) {
		t.Errorf("KprobesSupported: %v does not match abi.ErrNotSupported", err)
	}
}
