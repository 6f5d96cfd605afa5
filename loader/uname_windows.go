package loader

import (
	"fmt"

	"github.com/gbpf/gbpf/abi"
)

// kernelRelease reports that Windows has no Linux kernel release, so
// objects that read LINUX_KERNEL_VERSION or CONFIG_ externs from the
// running kernel do not load here.
func kernelRelease() (string, error) {
	return "", fmt.Errorf("running kernel's release on windows: %w", abi.ErrNotSupported)
}
