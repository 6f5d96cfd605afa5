package gbpf_test

import (
	"bytes"
	_ "embed"
	"io"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf"
)

// What bpf2go generates for examples/bpf/hash_counter.c (go run
// github.com/cilium/ebpf/cmd/bpf2go counter hash_counter.c), with the
// import of cilium/ebpf's Map and Program replaced by gbpf's, and
// loadCounterObjects taking the spec through FromCiliumSpec.

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

// counterObjects contains all objects after they have been loaded into the kernel.
//
// It can be passed to loadCounterObjects or ebpf.CollectionSpec.LoadAndAssign.
type counterObjects struct {
	counterPrograms
	counterMaps
	counterVariables
}

func (o *counterObjects) Close() error {
	return _CounterClose(
		&o.counterPrograms,
		&o.counterMaps,
	)
}

// counterMaps contains all maps after they have been loaded into the kernel.
//
// It can be passed to loadCounterObjects or ebpf.CollectionSpec.LoadAndAssign.
type counterMaps struct {
	Sources *gbpf.Map `ebpf:"sources"`
}

func (m *counterMaps) Close() error {
	return _CounterClose(
		m.Sources,
	)
}

// counterVariables contains all global variables after they have been loaded into the kernel.
//
// It can be passed to loadCounterObjects or ebpf.CollectionSpec.LoadAndAssign.
type counterVariables struct {
}

// counterPrograms contains all programs after they have been loaded into the kernel.
//
// It can be passed to loadCounterObjects or ebpf.CollectionSpec.LoadAndAssign.
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
//go:embed examples/bpf/hash_counter.o
var _CounterBytes []byte

func TestLoadAndAssignBpf2go(t *testing.T) {
	var objs counterObjects
	if err := loadCounterObjects(&objs, nil); err != nil {
		t.Fatal(err)
	}
	defer objs.Close()
	_ = objs.counterVariables // gbpf has no Variable type: bpf2go's struct is empty here
	if objs.CountSources == nil || objs.Sources == nil {
		t.Fatalf("not assigned: %+v", objs)
	}
	if objs.CountSources.Name() != "count_sources" || objs.Sources.Name() != "sources" {
		t.Errorf("assigned %s and %s", objs.CountSources.Name(), objs.Sources.Name())
	}
	for range 2 {
		if _, err := objs.CountSources.Run(&gbpf.RunOptions{Data: udpPacket()}); err != nil {
			t.Fatal(err)
		}
	}
	var stats struct{ Packets, Bytes uint64 }
	if err := objs.Sources.Lookup([4]byte{10, 0, 0, 1}, &stats); err != nil || stats.Packets != 2 {
		t.Errorf("sources[10.0.0.1] = %+v, %v", stats, err)
	}
	if err := objs.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := objs.CountSources.Run(&gbpf.RunOptions{Data: udpPacket()}); err == nil {
		t.Error("the program runs after objs.Close")
	}
}

// TestLoadAndAssignSubset assigns one program of tail_call.o: the program
// arrays it calls through come with the programs they hold, and the other
// programs are not loaded.
func TestLoadAndAssignSubset(t *testing.T) {
	spec, err := gbpf.LoadCollectionSpec("examples/bpf/tail_call.o")
	if err != nil {
		t.Fatal(err)
	}
	var objs struct {
		Dispatch *gbpf.Program `ebpf:"dispatch"`
		Nested   *struct {
			Calls *gbpf.Map `ebpf:"calls"`
		}
		Untagged *gbpf.Map
		Other    int
	}
	objs.Nested = &struct {
		Calls *gbpf.Map `ebpf:"calls"`
	}{}
	if err := gbpf.LoadAndAssign(spec, &objs, nil); err != nil {
		t.Fatal(err)
	}
	defer objs.Dispatch.Close()
	defer objs.Nested.Calls.Close()
	if objs.Untagged != nil {
		t.Error("an untagged field was assigned")
	}
	ret, err := objs.Dispatch.Run(&gbpf.RunOptions{Data: udpPacket()})
	if err != nil || ret != 1 {
		t.Fatalf("dispatch(udp) = %d, %v; want 1 from handle_udp", ret, err)
	}
	var n uint64
	if err := objs.Nested.Calls.Lookup(uint32(1), &n); err != nil || n != 1 {
		t.Errorf("calls[1] = %d, %v", n, err)
	}

	// Collection.Assign takes what it assigns out of the collection.
	coll, err := gbpf.NewCollection(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	var progs struct {
		Chain *gbpf.Program `ebpf:"chain"`
	}
	if err := coll.Assign(&progs); err != nil {
		t.Fatal(err)
	}
	defer progs.Chain.Close()
	if progs.Chain != nil && coll.Programs["chain"] != nil {
		t.Error("an assigned program is still in the collection")
	}
	if len(coll.Programs) != 3 || coll.Maps["jump_table"] == nil {
		t.Errorf("collection left with %d programs", len(coll.Programs))
	}
	if err := coll.Assign(&progs); err == nil || !strings.Contains(err.Error(), `no program "chain"`) {
		t.Errorf("assigning chain twice: %v", err)
	}
}

func TestLoadAndAssignErrors(t *testing.T) {
	spec, err := gbpf.LoadCollectionSpec("examples/bpf/hash_counter.o")
	if err != nil {
		t.Fatal(err)
	}
	type inner struct {
		M *gbpf.Map `ebpf:"sources"`
	}
	type selfRef struct {
		Next *selfRef
	}
	for _, tc := range []struct {
		name string
		to   any
		want string
	}{
		{"nil", nil, "not a non-nil pointer to a struct"},
		{"not a pointer", struct{}{}, "not a non-nil pointer to a struct"},
		{"nil pointer", (*counterObjects)(nil), "not a non-nil pointer to a struct"},
		{"pointer to int", new(int), "not a non-nil pointer to a struct"},
		{"missing program", &struct {
			P *gbpf.Program `ebpf:"nope"`
		}{}, `field P: no program "nope"`},
		{"missing map", &struct {
			M *gbpf.Map `ebpf:"count_sources"`
		}{}, `field M: no map "count_sources"`},
		{"wrong type", &struct {
			M *ebpf.Map `ebpf:"sources"`
		}{}, "field M: type *ebpf.Map, want *gbpf.Program or *gbpf.Map"},
		{"not a pointer field", &struct {
			P gbpf.Program `ebpf:"count_sources"`
		}{}, "field P: type gbpf.Program"},
		{"comma", &struct {
			M *gbpf.Map `ebpf:"sources,pin"`
		}{}, "contains a comma"},
		{"twice", &struct {
			A *gbpf.Map `ebpf:"sources"`
			B inner
		}{}, `field B.M: map "sources" is already assigned to A`},
		{"unexported", &struct {
			m *gbpf.Map `ebpf:"sources"`
		}{}, "field m: unexported"},
		{"nil nested pointer", &struct{ In *inner }{}, "field In: nil pointer"},
		{"recursive", &selfRef{Next: &selfRef{}}, "contains itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := gbpf.LoadAndAssign(spec, tc.to, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadAndAssign: %v, want %q", err, tc.want)
			}
		})
	}
	if err := gbpf.LoadAndAssign(nil, &counterObjects{}, nil); err == nil {
		t.Error("nil spec accepted")
	}
	// A failure leaves the struct as it was.
	var objs struct {
		M *gbpf.Map     `ebpf:"sources"`
		P *gbpf.Program `ebpf:"missing"`
	}
	if err := gbpf.LoadAndAssign(spec, &objs, nil); err == nil || objs.M != nil {
		t.Errorf("partial assignment: %+v, %v", objs, err)
	}
	if _, err := gbpf.FromCiliumSpec(nil); err == nil {
		t.Error("FromCiliumSpec(nil) succeeded")
	}
}
