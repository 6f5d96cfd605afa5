package tools

import (
	"testing"

	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/kernel"
)

// requireKernel skips t (fails it under GBPF_REQUIRE_KERNEL) unless the
// bpf() syscall and tracefs work, and serialises tracing tests.
func requireKernel(t *testing.T) {
	t.Helper()
	if err := kernel.Supported(); err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	if _, err := kernel.TracefsDir(); err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	testutil.LockTracing(t)
}
