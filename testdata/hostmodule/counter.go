package main

// What bpf2go generates for hash_counter.c (go run
// github.com/cilium/ebpf/cmd/bpf2go counter hash_counter.c), with the
// import of cilium/ebpf's Map and Program replaced by gbpf's, and
// loadCounterObjects taking the spec through gbpf.FromCiliumSpec.

import (
	"bytes"
	_ "embed"
	"io"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf"
)

// loadCounter returns the embedded CollectionSpec for counter.
func loadCounter() (*ebpf.CollectionSpec, error) {
	reader := bytes.NewReader(_CounterBytes)
	spec, err := ebpf.LoadCollectionSpecFromReader(reader)
	if err != nil {
		return nil, err
	}
	return spec, err
}

// loadCounterObjects loads counter and converts it into a struct.
func loadCounterObjects(obj interface{}, opts *gbpf.Options) error {
	cs, err := loadCounter()
	if err != nil {
		return err
	}
	spec, err := gbpf.FromCiliumSpec(cs)
	if err != nil {
		return err
	}
	return gbpf.LoadAndAssign(spec, obj, opts)
}

// counterObjects contains all objects after they have been loaded.
type counterObjects struct {
	counterPrograms
	counterMaps
}

func (o *counterObjects) Close() error {
	return _CounterClose(
		&o.counterPrograms,
		&o.counterMaps,
	)
}

// counterMaps contains all maps after they have been loaded.
type counterMaps struct {
	Sources *gbpf.Map `ebpf:"sources"`
}

func (m *counterMaps) Close() error {
	return _CounterClose(
		m.Sources,
	)
}

// counterPrograms contains all programs after they have been loaded.
type counterPrograms struct {
	CountSources *gbpf.Program `ebpf:"count_sources"`
}

func (p *counterPrograms) Close() error {
	return _CounterClose(
		p.CountSources,
	)
}

func _CounterClose(closers ...io.Closer) error {
	for _, closer := range closers {
		if err := closer.Close(); err != nil {
			return err
		}
	}
	return nil
}

// Do not access this directly.
//
//go:embed hash_counter.o
var _CounterBytes []byte
