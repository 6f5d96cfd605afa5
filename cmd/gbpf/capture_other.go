//go:build !linux

package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/gbpf/gbpf"
)

// runCapture reports that live capture (AF_PACKET sockets) needs Linux.
func runCapture(ctx context.Context, in io.Reader, out, errOut io.Writer, expr string, f captureFlags) error {
	return fmt.Errorf("capture on %s: AF_PACKET sockets are Linux's: %w", runtime.GOOS, gbpf.ErrNotSupported)
}
