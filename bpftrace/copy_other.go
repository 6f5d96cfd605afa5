//go:build !linux

package bpftrace

import (
	"fmt"

	"github.com/gbpf/gbpf"
)

type copier struct{}

func startCopier(*inprocBackend, []int) (*copier, error) {
	return nil, fmt.Errorf("tracepoint records need Linux: %w", gbpf.ErrNotSupported)
}

func (*copier) stop() error { return nil }
