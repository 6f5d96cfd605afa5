package kernel

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

func (c *Collection) attach(prog string, how string, f func(*ebpf.Program) (link.Link, error)) error {
	p, err := c.Program(prog)
	if err != nil {
		return err
	}
	l, err := f(p)
	if err != nil {
		return unsupported(fmt.Errorf("kernel: attach %s to %s: %w", prog, how, err))
	}
	c.links = append(c.links, l)
	return nil
}

// AttachTracepoint attaches program prog to tracepoint group:name.
func (c *Collection) AttachTracepoint(prog, group, name string) error {
	if err := checkEventName(group, name); err != nil {
		return err
	}
	// cilium/ebpf finds tracefs itself, but only where it is mounted.
	if _, err := TracefsDir(); err != nil {
		return err
	}
	return c.attach(prog, "tracepoint "+group+":"+name, func(p *ebpf.Program) (link.Link, error) {
		return link.Tracepoint(group, name, p, nil)
	})
}

// KprobesSupported reports whether the kernel can attach kprobes: through
// the kprobe PMU or tracefs kprobe_events. Kernels built without
// CONFIG_KPROBES cannot.
func KprobesSupported() error {
	if _, err := os.Stat("/sys/bus/event_source/devices/kprobe"); err == nil {
		return nil
	}
	if dir, err := TracefsDir(); err == nil {
		if _, err := os.Stat(filepath.Join(dir, "kprobe_events")); err == nil {
			return nil
		}
	}
	return unsupported(fmt.Errorf("kprobes: %w (no kprobe PMU and no kprobe_events: kernel built without CONFIG_KPROBES?)", ebpf.ErrNotSupported))
}

// AttachKprobe attaches program prog to the entry of kernel function symbol.
func (c *Collection) AttachKprobe(prog, symbol string) error {
	return c.attach(prog, "kprobe "+symbol, func(p *ebpf.Program) (link.Link, error) {
		return link.Kprobe(symbol, p, nil)
	})
}

// AttachKretprobe attaches program prog to the return of kernel function
// symbol.
func (c *Collection) AttachKretprobe(prog, symbol string) error {
	return c.attach(prog, "kretprobe "+symbol, func(p *ebpf.Program) (link.Link, error) {
		return link.Kretprobe(symbol, p, nil)
	})
}

// AttachUprobe attaches program prog to the entry of symbol in the
// executable or library at path, in every process that maps it.
func (c *Collection) AttachUprobe(prog, path, symbol string) error {
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return fmt.Errorf("kernel: uprobe %s:%s: %w", path, symbol, err)
	}
	return c.attach(prog, "uprobe "+path+":"+symbol, func(p *ebpf.Program) (link.Link, error) {
		return ex.Uprobe(symbol, p, nil)
	})
}

// AttachUprobeOffset attaches program prog at byte offset off of the
// executable or library file at path: for binaries whose symbol table is
// stripped, or code that is not at a symbol's start.
func (c *Collection) AttachUprobeOffset(prog, path string, off uint64) error {
	if off == 0 {
		return fmt.Errorf("kernel: uprobe %s: file offset 0", path)
	}
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return fmt.Errorf("kernel: uprobe %s+%#x: %w", path, off, err)
	}
	return c.attach(prog, fmt.Sprintf("uprobe %s+%#x", path, off), func(p *ebpf.Program) (link.Link, error) {
		return ex.Uprobe("", p, &link.UprobeOptions{Address: off})
	})
}

// AttachUretprobe attaches program prog to the return of symbol in the
// executable or library at path.
func (c *Collection) AttachUretprobe(prog, path, symbol string) error {
	ex, err := link.OpenExecutable(path)
	if err != nil {
		return fmt.Errorf("kernel: uretprobe %s:%s: %w", path, symbol, err)
	}
	return c.attach(prog, "uretprobe "+path+":"+symbol, func(p *ebpf.Program) (link.Link, error) {
		return ex.Uretprobe(symbol, p, nil)
	})
}
