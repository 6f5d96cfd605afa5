//go:build !(linux && amd64)

package gbpf

import (
	"fmt"
	"runtime"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// compileJIT reports that the JIT runs only on linux/amd64, where its
// fault handler contains faults in machine code (see RATIONALE.md).
func compileJIT(isa.Program) (engine.Program, error) {
	return nil, fmt.Errorf("JIT on %s/%s: %w", runtime.GOOS, runtime.GOARCH, ErrNotSupported)
}

// jitCallbacks: there is no JIT.
func jitCallbacks() bool { return false }

// haveJIT: there is no JIT.
func haveJIT() bool { return false }
