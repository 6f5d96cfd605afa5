package tools

import (
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/gbpf/gbpf/internal/testutil"
)

// blockBackedDir returns a directory whose file system sits on a block
// device, for direct I/O that reaches block:block_rq_issue.
func blockBackedDir(t *testing.T) string {
	t.Helper()
	cands := []string{t.TempDir()}
	if wd, err := os.Getwd(); err == nil {
		cands = append(cands, wd)
	}
	for _, dir := range cands {
		var st syscall.Stat_t
		if err := syscall.Stat(dir, &st); err != nil {
			continue
		}
		dev := uint64(st.Dev)
		major, minor := (dev>>8)&0xfff|(dev>>32)&^0xfff, dev&0xff|(dev>>12)&^0xff
		if _, err := os.Stat(fmt.Sprintf("/sys/dev/block/%d:%d", major, minor)); err == nil {
			if dir == cands[0] {
				return dir
			}
			d, err := os.MkdirTemp(dir, ".gbpf-test-")
			if err != nil {
				continue
			}
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	testutil.SkipWithoutKernel(t, "no block-device-backed file system for direct I/O")
	return ""
}
