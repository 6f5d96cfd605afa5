package kernel

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gbpf/gbpf/abi"
)

var support struct {
	once sync.Once
	err  error
}

// Supported reports whether this process can use the bpf() syscall: it
// creates and frees a one-element array map. The answer is computed once.
func Supported() error {
	support.once.Do(func() {
		if err := notLinux(); err != nil {
			support.err = err
			return
		}
		m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
		if err != nil {
			support.err = unsupported(fmt.Errorf("bpf() syscall unavailable: %w", err))
			return
		}
		support.err = m.Close()
	})
	return support.err
}

// notLinux returns nil on Linux, and elsewhere the error of every entry
// point that needs the Linux kernel: it wraps abi.ErrNotSupported
// (gbpf.ErrNotSupported).
func notLinux() error {
	if runtime.GOOS == "linux" {
		return nil
	}
	return fmt.Errorf("kernel: needs Linux, this is %s: %w", runtime.GOOS, abi.ErrNotSupported)
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
	if err := notLinux(); err != nil {
		return nil, err
	}
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
