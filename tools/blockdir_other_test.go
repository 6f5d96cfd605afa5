//go:build !linux

package tools

import (
	"testing"

	"github.com/gbpf/gbpf/internal/testutil"
)

// blockBackedDir skips: block devices are found through Linux's sysfs.
func blockBackedDir(t *testing.T) string {
	t.Helper()
	testutil.SkipWithoutKernel(t, "no block-device-backed file system for direct I/O: not Linux")
	return ""
}
