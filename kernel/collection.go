package kernel

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

var support struct {
	once sync.Once
	err  error
}

// Supported reports whether this process can use the bpf() syscall: it
// creates and frees a one-element array map. The answer is computed once.
func Supported() error {
	support.once.Do(func() {
		m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
		if err != nil {
			support.err = unsupported(fmt.Errorf("bpf() syscall unavailable: %w", err))
			return
		}
		support.err = m.Close()
	})
	return support.err
}

// Collection is a collection of programs and maps loaded into the kernel,
// with the links that attach its programs.
type Collection struct {
	*ebpf.Collection
	links []link.Link
}

// LoadCollection loads spec's maps and programs into the kernel. A verifier
// rejection comes back as an error carrying the kernel's verifier log.
func LoadCollection(spec *ebpf.CollectionSpec) (*Collection, error) {
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		var verr *ebpf.VerifierError
		if errors.As(err, &verr) {
			return nil, fmt.Errorf("kernel: load collection: %+v", verr)
		}
		return nil, unsupported(fmt.Errorf("kernel: load collection: %w", err))
	}
	return &Collection{Collection: coll}, nil
}

// LoadCollectionFile parses the ELF object at path (as clang -target bpf
// writes it) and loads it into the kernel.
func LoadCollectionFile(path string) (*Collection, error) {
	spec, err := ebpf.LoadCollectionSpec(path)
	if err != nil {
		return nil, fmt.Errorf("kernel: %w", err)
	}
	return LoadCollection(spec)
}

// Program returns the program called name.
func (c *Collection) Program(name string) (*ebpf.Program, error) {
	p := c.Programs[name]
	if p == nil {
		return nil, fmt.Errorf("kernel: collection has no program %q", name)
	}
	return p, nil
}

// Map returns the map called name.
func (c *Collection) Map(name string) (*ebpf.Map, error) {
	m := c.Maps[name]
	if m == nil {
		return nil, fmt.Errorf("kernel: collection has no map %q", name)
	}
	return m, nil
}

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

// Detach removes every attachment, leaving programs and maps loaded.
func (c *Collection) Detach() error {
	var errs []error
	for _, l := range c.links {
		errs = append(errs, l.Close())
	}
	c.links = nil
	return errors.Join(errs...)
}

// Close detaches the programs and frees the collection.
func (c *Collection) Close() error {
	err := c.Detach()
	c.Collection.Close()
	return err
}

// IterateMap calls fn with every key and value of m, as raw bytes in the
// kernel's layout (for per-CPU maps, the values of all possible CPUs one
// after another). The slices are reused between calls.
func IterateMap(m *ebpf.Map, fn func(key, value []byte) error) error {
	key := make([]byte, m.KeySize())
	valueSize := int(m.ValueSize())
	if isPerCPU(m.Type()) {
		n, err := ebpf.PossibleCPU()
		if err != nil {
			return err
		}
		valueSize = (valueSize + 7) / 8 * 8 * n
	}
	value := make([]byte, valueSize)
	var prev []byte
	for {
		var err error
		if prev == nil {
			err = m.NextKey(nil, key)
		} else {
			err = m.NextKey(prev, key)
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("kernel: map %s: next key: %w", m, err)
		}
		if err := m.Lookup(key, value); err != nil {
			if errors.Is(err, ebpf.ErrKeyNotExist) {
				// Deleted since NextKey; go on from it.
				prev = append(prev[:0], key...)
				continue
			}
			return fmt.Errorf("kernel: map %s: lookup: %w", m, err)
		}
		if err := fn(key, value); err != nil {
			return err
		}
		prev = append(prev[:0], key...)
	}
}

// ClearMap deletes every key of a hash-like map.
func ClearMap(m *ebpf.Map) error {
	var keys [][]byte
	err := IterateMap(m, func(key, _ []byte) error {
		keys = append(keys, append([]byte(nil), key...))
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := m.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("kernel: map %s: delete: %w", m, err)
		}
	}
	return nil
}

func isPerCPU(t ebpf.MapType) bool {
	switch t {
	case ebpf.PerCPUHash, ebpf.PerCPUArray, ebpf.LRUCPUHash, ebpf.PerCPUCGroupStorage:
		return true
	}
	return false
}
