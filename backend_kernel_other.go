//go:build !linux

package gbpf

import (
	"context"
	"fmt"
	"runtime"

	"github.com/gbpf/gbpf/maps"
)

// Off Linux there is no kernel backend: loading a collection into it, and
// attaching to the kernel's attach points, fail with errors that match
// ErrNotSupported. No program or map of the Kernel backend exists here,
// so the methods of kernelProgram and kernelMap are never reached.

func errNoKernel() error {
	return fmt.Errorf("kernel backend: needs Linux, this is %s: %w", runtime.GOOS, ErrNotSupported)
}

func newKernelCollection(_ *CollectionSpec, opts *Options) (*Collection, error) {
	if err := checkKernelOptions(opts); err != nil {
		return nil, err
	}
	return nil, errNoKernel()
}

type kernelProgram struct{}

func (*kernelProgram) close() error { return nil }

func (*kernelProgram) test(context.Context, *Program, *RunOptions, bool) (RunResult, error) {
	return RunResult{}, errNoKernel()
}

type kernelMap struct{ ncpu int }

func (*kernelMap) isPinned() bool { return false }

func (*kernelMap) updateObject(any, any, MapUpdateFlags) (bool, error) { return false, errNoKernel() }
func (*kernelMap) unpin() error                                        { return errNoKernel() }

func asKernelMap(maps.Map) (*kernelMap, bool) { return nil, false }

type kernelBatchCursor struct{}

func (m *Map) batchLookupRaw(cursor *MapBatchCursor, kb, vb []byte, del bool) (int, error) {
	_ = cursor.k // the kernel's cursor: no kernel maps here
	if del {
		return m.m.BatchLookupAndDelete(&cursor.c, kb, vb)
	}
	return m.m.BatchLookup(&cursor.c, kb, vb)
}

func newKernelRingBuf(*kernelMap) (ringSource, error)   { return nil, errNoKernel() }
func newKernelPerf(*kernelMap, int) (perfSource, error) { return nil, errNoKernel() }

// AttachTracepoint reports that there are no kernel tracepoints here.
func (p *Program) AttachTracepoint(group, name string) (Link, error) { return nil, errNoKernel() }

// AttachUprobe reports that there are no uprobes here.
func (p *Program) AttachUprobe(path, symbol string) (Link, error) { return nil, errNoKernel() }

// AttachUretprobe reports that there are no uretprobes here.
func (p *Program) AttachUretprobe(path, symbol string) (Link, error) { return nil, errNoKernel() }

// AttachXDP reports that there is no kernel XDP here.
func (p *Program) AttachXDP(ifindex int) (Link, error) { return nil, errNoKernel() }

// AttachTC reports that there is no kernel tc here.
func (p *Program) AttachTC(ifindex int, ingress bool) (Link, error) { return nil, errNoKernel() }

// AttachCgroup reports that there are no kernel cgroup hooks here.
func (p *Program) AttachCgroup(path string) (Link, error) { return nil, errNoKernel() }
