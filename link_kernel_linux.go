//go:build linux

package gbpf

import (
	"fmt"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/perf"
	"github.com/cilium/ebpf/ringbuf"

	"github.com/gbpf/gbpf/maps"
)

// errNeedsKernel is the error of attaching a runtime program to an attach
// point of the kernel.
func errNeedsKernel(p *Program, what string) error {
	return fmt.Errorf("program %s: %s is an attach point of the kernel; load the collection with the Kernel backend (a runtime program attaches to a Hook): %w", p.name, what, ErrNotSupported)
}

// kernelLink is a cilium/ebpf link.
type kernelLink struct{ l link.Link }

func (l kernelLink) Update(p *Program) error {
	if p == nil || p.kern == nil {
		return fmt.Errorf("link: the new program is not in the kernel: %w", ErrNotSupported)
	}
	return kernelErr(l.l.Update(p.kern.prog))
}

func (l kernelLink) Close() error { return kernelErr(l.l.Close()) }

// attachKernel attaches p with attach, for a program of the Kernel
// backend.
func (p *Program) attachKernel(what string, attach func(*ebpf.Program) (link.Link, error)) (Link, error) {
	if p.kern == nil {
		return nil, errNeedsKernel(p, what)
	}
	l, err := attach(p.kern.prog)
	if err != nil {
		return nil, fmt.Errorf("program %s: attach to %s: %w", p.name, what, kernelErr(err))
	}
	return kernelLink{l}, nil
}

// AttachTracepoint attaches a tracepoint program to the kernel's
// tracepoint group:name (as "syscalls", "sys_enter_getpid").
func (p *Program) AttachTracepoint(group, name string) (Link, error) {
	return p.attachKernel("tracepoint "+group+":"+name, func(prog *ebpf.Program) (link.Link, error) {
		return link.Tracepoint(group, name, prog, nil)
	})
}

// AttachUprobe attaches a kprobe-type program to the entry of symbol in
// the executable or library at path; AttachUretprobe to its return.
func (p *Program) AttachUprobe(path, symbol string) (Link, error) {
	return p.attachUprobe(path, symbol, false)
}

// AttachUretprobe attaches a kprobe-type program to the return of symbol
// in the executable or library at path.
func (p *Program) AttachUretprobe(path, symbol string) (Link, error) {
	return p.attachUprobe(path, symbol, true)
}

func (p *Program) attachUprobe(path, symbol string, ret bool) (Link, error) {
	return p.attachKernel("uprobe "+path+":"+symbol, func(prog *ebpf.Program) (link.Link, error) {
		ex, err := link.OpenExecutable(path)
		if err != nil {
			return nil, err
		}
		if ret {
			return ex.Uretprobe(symbol, prog, nil)
		}
		return ex.Uprobe(symbol, prog, nil)
	})
}

// AttachXDP attaches an XDP program to the network interface of index
// ifindex.
func (p *Program) AttachXDP(ifindex int) (Link, error) {
	return p.attachKernel(fmt.Sprintf("XDP of interface %d", ifindex), func(prog *ebpf.Program) (link.Link, error) {
		return link.AttachXDP(link.XDPOptions{Program: prog, Interface: ifindex})
	})
}

// AttachTC attaches a tc (sched_cls) program to the ingress or egress of
// the network interface of index ifindex, through tcx.
func (p *Program) AttachTC(ifindex int, ingress bool) (Link, error) {
	at := ebpf.AttachTCXEgress
	if ingress {
		at = ebpf.AttachTCXIngress
	}
	return p.attachKernel(fmt.Sprintf("tc %v of interface %d", at, ifindex), func(prog *ebpf.Program) (link.Link, error) {
		return link.AttachTCX(link.TCXOptions{Program: prog, Interface: ifindex, Attach: at})
	})
}

// AttachCgroup attaches a cgroup program (cgroup_skb, cgroup/sock, ...) to
// the cgroup (v2) directory at path, at the attach point its section name
// gave it ("cgroup_skb/egress": egress).
func (p *Program) AttachCgroup(path string) (Link, error) {
	if p.kern == nil {
		return nil, errNeedsKernel(p, "cgroup "+path)
	}
	at := p.kern.attachType
	return p.attachKernel(fmt.Sprintf("cgroup %s (%v)", path, at), func(prog *ebpf.Program) (link.Link, error) {
		return link.AttachCgroup(link.CgroupOptions{Path: path, Attach: at, Program: prog})
	})
}

// kernelRingBuf reads a kernel ring buffer through cilium/ebpf.
type kernelRingBuf struct {
	r   *ringbuf.Reader
	rec ringbuf.Record
}

func newKernelRingBuf(k *kernelMap) (ringSource, error) {
	r, err := ringbuf.NewReader(k.m)
	if err != nil {
		return nil, kernelErr(err)
	}
	return &kernelRingBuf{r: r}, nil
}

func (k *kernelRingBuf) ReadInto(rec *maps.RingBufRecord) error {
	k.rec.RawSample = rec.RawSample
	if err := k.r.ReadInto(&k.rec); err != nil {
		return err
	}
	rec.RawSample, rec.Remaining = k.rec.RawSample, k.rec.Remaining
	return nil
}

func (k *kernelRingBuf) SetDeadline(t time.Time) { k.r.SetDeadline(t) }
func (k *kernelRingBuf) BufferSize() int         { return k.r.BufferSize() }
func (k *kernelRingBuf) AvailableBytes() int     { return k.r.AvailableBytes() }
func (k *kernelRingBuf) Close() error            { return k.r.Close() }

// kernelPerf reads a kernel perf event array through cilium/ebpf.
type kernelPerf struct {
	r   *perf.Reader
	rec perf.Record
}

func newKernelPerf(k *kernelMap, perCPUBuffer int) (perfSource, error) {
	r, err := perf.NewReader(k.m, perCPUBuffer)
	if err != nil {
		return nil, kernelErr(err)
	}
	return &kernelPerf{r: r}, nil
}

func (k *kernelPerf) ReadInto(rec *maps.PerfRecord) error {
	k.rec.RawSample = rec.RawSample
	if err := k.r.ReadInto(&k.rec); err != nil {
		return err
	}
	rec.CPU, rec.RawSample, rec.LostSamples = k.rec.CPU, k.rec.RawSample, k.rec.LostSamples
	return nil
}

func (k *kernelPerf) SetDeadline(t time.Time) { k.r.SetDeadline(t) }
func (k *kernelPerf) Close() error            { return k.r.Close() }
