package gbpf

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
)

// CollectionSpec describes the maps, programs and global variables of an
// object as plain data; see package loader.
type CollectionSpec = loader.CollectionSpec

// LoadCollectionSpec parses the ELF object at path. It needs no
// privileges.
func LoadCollectionSpec(path string) (*CollectionSpec, error) {
	return loader.LoadCollectionSpec(path)
}

// FromCiliumSpec converts a cilium/ebpf collection spec into gbpf's, so
// that an object embedded by bpf2go (whose generated loadXxx function
// returns a *ebpf.CollectionSpec) loads into gbpf:
//
//	cs, err := loadXxx()
//	...
//	spec, err := gbpf.FromCiliumSpec(cs)
//	...
//	var objs xxxObjects
//	err = gbpf.LoadAndAssign(spec, &objs, nil)
//
// It goes through the converter LoadCollectionSpec uses; cs is not
// modified.
func FromCiliumSpec(cs *ebpf.CollectionSpec) (*CollectionSpec, error) {
	return loader.FromCilium(cs)
}

// Collection is the live maps and programs of an object.
type Collection struct {
	Programs map[string]*Program
	Maps     map[string]*Map
}

// LoadCollection parses the object at path and creates its collection.
func LoadCollection(path string, opts *Options) (*Collection, error) {
	spec, err := LoadCollectionSpec(path)
	if err != nil {
		return nil, err
	}
	return NewCollection(spec, opts)
}

// NewCollection creates the maps of spec (with their initial contents),
// resolves CO-RE relocations, verifies and compiles the programs, and fills
// program arrays and map-in-map maps. spec itself is not modified.
func NewCollection(spec *CollectionSpec, opts *Options) (_ *Collection, err error) {
	if opts == nil {
		opts = &Options{}
	}
	switch opts.Backend {
	case InProcess:
	case Kernel:
		return newKernelCollection(spec, opts)
	default:
		return nil, fmt.Errorf("options: backend %v: %w", opts.Backend, ErrNotSupported)
	}
	rt := opts.Runtime
	switch {
	case rt != nil:
		if opts.Trace != nil || opts.CPUs != 0 {
			return nil, errors.New("options: Trace and CPUs configure a new runtime; they cannot be combined with Runtime")
		}
	case opts.Trace != nil || opts.CPUs != 0:
		if rt, err = NewRuntime(&RuntimeOptions{Trace: opts.Trace, CPUs: opts.CPUs}); err != nil {
			return nil, err
		}
	default:
		if rt, err = DefaultRuntime(); err != nil {
			return nil, err
		}
	}
	spec = spec.Copy()
	if err := spec.RelocateCORE(opts.KernelTypes); err != nil {
		return nil, err
	}
	coll := &Collection{Programs: make(map[string]*Program), Maps: make(map[string]*Map)}
	defer func() {
		if err != nil {
			coll.Close()
		}
	}()
	// Plain maps first, so that map-in-map maps can refer to them.
	names := spec.MapNames()
	slices.SortStableFunc(names, func(a, b string) int {
		return boolInt(spec.Maps[a].InnerMap != nil) - boolInt(spec.Maps[b].InnerMap != nil)
	})
	for _, name := range names {
		m, err := rt.pinnedMap(name, spec.Maps[name], opts.PinPath)
		if err != nil {
			return nil, fmt.Errorf("map %s: %w", name, err)
		}
		coll.Maps[name] = m
	}
	for _, name := range spec.ProgramNames() {
		p, err := newProgram(rt, spec, spec.Programs[name], coll.Maps, opts)
		if err != nil {
			return nil, fmt.Errorf("program %s: %w", name, err)
		}
		coll.Programs[name] = p
	}
	if err := coll.freeze(); err != nil {
		return nil, err
	}
	for _, name := range names {
		for _, ref := range spec.References[name] {
			if err := coll.fill(name, ref); err != nil {
				return nil, fmt.Errorf("map %s: element %d: %w", name, ref.Key, err)
			}
		}
	}
	return coll, nil
}

// fill puts a program or an inner map into element ref.Key of map name.
func (c *Collection) fill(name string, ref loader.Reference) error {
	m := c.Maps[name]
	switch {
	case ref.Program != "":
		p := c.Programs[ref.Program]
		if p == nil {
			return fmt.Errorf("no program %q", ref.Program)
		}
		return m.SetProgram(ref.Key, p)
	case ref.Map != "":
		inner := c.Maps[ref.Map]
		if inner == nil {
			return fmt.Errorf("no map %q", ref.Map)
		}
		return m.Update(ref.Key, inner, UpdateAny)
	}
	return errors.New("empty reference")
}

// freeze makes read-only for Go the maps whose contents must stay as the
// programs were loaded with, as libbpf and cilium/ebpf freeze .rodata:
// the read-only data sections (.rodata, .rodata.*, .kconfig: the maps the
// loader makes for ELF sections, whose names start with a dot, and that
// programs cannot write), and every map whose contents a program's
// verification read. The verifier accepts a constant string (the format
// of bpf_snprintf, bpf_strncmp's second argument) after checking at load
// time that it ends in NUL; Go must not be able to take the NUL away.
func (c *Collection) freeze() error {
	frozen := make(map[*Map]bool)
	for name, m := range c.Maps {
		if strings.HasPrefix(name, ".") && m.m.Spec().Flags&maps.ReadOnlyProg != 0 {
			frozen[m] = true
		}
	}
	for _, p := range c.Programs {
		for _, m := range p.constMaps {
			frozen[m] = true
		}
	}
	for m := range frozen {
		if err := m.Freeze(); err != nil {
			if m.pin != nil && errors.Is(err, maps.ErrPermission) {
				continue // a pinned map that the collection which created it froze
			}
			return err
		}
	}
	return nil
}

// Close releases the collection's maps. Its programs must not run any
// more.
func (c *Collection) Close() {
	for _, p := range c.Programs {
		p.Close()
	}
	for _, m := range c.Maps {
		m.Close()
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// newMap creates the live map of spec.
func newMap(name string, spec *maps.Spec) (*Map, error) {
	m, err := maps.New(spec)
	if err != nil {
		return nil, err
	}
	return &Map{name: name, m: m}, nil
}
