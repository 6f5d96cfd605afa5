//go:build !amd64

package gbpf

import (
	"fmt"
	"runtime"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// compileJIT reports that this architecture has no JIT.
func compileJIT(isa.Program) (engine.Program, error) {
	return nil, fmt.Errorf("JIT on %s: %w", runtime.GOARCH, ErrNotSupported)
}

// jitCallbacks: there is no JIT.
func jitCallbacks() bool { return false }
