package gbpf_test

import (
	"errors"
	"os"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/maps"
)

// pinnedSpec is examples/bpf/pinned.o: shared_packets is pinned by name,
// own_packets is not.
func pinnedSpec(t *testing.T) *gbpf.CollectionSpec {
	t.Helper()
	spec, err := gbpf.LoadCollectionSpec("examples/bpf/pinned.o")
	if err != nil {
		t.Fatal(err)
	}
	if spec.Maps["shared_packets"].Pinning != maps.PinByName || spec.Maps["own_packets"].Pinning != maps.PinNone {
		t.Fatalf("pinning: shared %d, own %d", spec.Maps["shared_packets"].Pinning, spec.Maps["own_packets"].Pinning)
	}
	return spec
}

// pinnedRuns runs count_pinned n times in coll.
func pinnedRuns(t *testing.T, coll *gbpf.Collection, n int) {
	t.Helper()
	for range n {
		if ret, err := coll.Programs["count_pinned"].Run(&gbpf.RunOptions{Data: make([]byte, 14)}); err != nil || ret != 2 {
			t.Fatalf("run: %d, %v", ret, err)
		}
	}
}

// counts returns the shared and the own counter of coll.
func counts(t *testing.T, coll *gbpf.Collection) (shared, own uint64) {
	t.Helper()
	if err := coll.Maps["shared_packets"].Lookup(uint32(0), &shared); err != nil {
		t.Fatal(err)
	}
	if err := coll.Maps["own_packets"].Lookup(uint32(0), &own); err != nil {
		t.Fatal(err)
	}
	return shared, own
}

// pinScenario loads pinned.o three times with opts: two collections share
// the pinned map and keep their own unpinned one; after Unpin, a third
// collection gets a fresh map. Both backends must give the same counts.
func pinScenario(t *testing.T, load func() *gbpf.Collection) {
	a := load()
	pinnedRuns(t, a, 2)
	b := load()
	if !b.Maps["shared_packets"].IsPinned() || b.Maps["own_packets"].IsPinned() {
		t.Fatalf("IsPinned: shared %v, own %v", b.Maps["shared_packets"].IsPinned(), b.Maps["own_packets"].IsPinned())
	}
	pinnedRuns(t, b, 3)
	if s, o := counts(t, a); s != 5 || o != 2 {
		t.Errorf("first collection: shared %d, own %d; want 5, 2", s, o)
	}
	if s, o := counts(t, b); s != 5 || o != 3 {
		t.Errorf("second collection: shared %d, own %d; want 5, 3", s, o)
	}
	// The map outlives the collection that created it.
	a.Close()
	pinnedRuns(t, b, 1)
	if s, _ := counts(t, b); s != 6 {
		t.Errorf("after the first collection closed: shared %d, want 6", s)
	}
	if err := b.Maps["shared_packets"].Unpin(); err != nil {
		t.Fatal(err)
	}
	if b.Maps["shared_packets"].IsPinned() {
		t.Error("IsPinned after Unpin")
	}
	c := load()
	pinnedRuns(t, c, 1)
	if s, _ := counts(t, c); s != 1 {
		t.Errorf("after Unpin, a new collection's map counted %d, want 1", s)
	}
	if s, _ := counts(t, b); s != 6 {
		t.Errorf("after Unpin, the old map counted %d, want 6", s)
	}
	if err := c.Maps["shared_packets"].Unpin(); err != nil {
		t.Fatal(err)
	}
}

// TestPinRuntime pins by name in a runtime's pin registry.
func TestPinRuntime(t *testing.T) {
	spec := pinnedSpec(t)
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		t.Fatal(err)
	}
	var colls []*gbpf.Collection
	defer func() {
		for _, c := range colls {
			c.Close()
		}
	}()
	pinScenario(t, func() *gbpf.Collection {
		coll, err := gbpf.NewCollection(spec, &gbpf.Options{Runtime: rt, PinPath: "test"})
		if err != nil {
			t.Fatal(err)
		}
		colls = append(colls, coll)
		return coll
	})
	if got := rt.PinnedMaps(); len(got) != 0 {
		t.Errorf("pinned after the scenario: %v", got)
	}

	// Another pin path, another runtime: other maps.
	a, err := gbpf.NewCollection(spec, &gbpf.Options{Runtime: rt, PinPath: "one"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := gbpf.NewCollection(spec, &gbpf.Options{Runtime: rt, PinPath: "two"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.Maps["shared_packets"] == b.Maps["shared_packets"] {
		t.Error("two pin paths share a map")
	}
	if got := rt.PinnedMaps(); len(got) != 2 || got[0] != "one/shared_packets" || got[1] != "two/shared_packets" {
		t.Errorf("PinnedMaps = %v", got)
	}
	other, err := gbpf.NewCollection(spec, &gbpf.Options{Trace: os.Stderr, PinPath: "one"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if other.Maps["shared_packets"] == a.Maps["shared_packets"] {
		t.Error("two runtimes share a map")
	}

	// A map of another shape cannot take the pinned one's place.
	bad := spec.Copy()
	bad.Maps["shared_packets"].MaxEntries = 2
	if _, err := gbpf.NewCollection(bad, &gbpf.Options{Runtime: rt, PinPath: "one"}); !errors.Is(err, gbpf.ErrMapIncompatible) {
		t.Errorf("incompatible pinned map: %v, want ErrMapIncompatible", err)
	}
	for _, c := range []*gbpf.Collection{a, b} {
		if err := c.Maps["shared_packets"].Unpin(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPinRuntimeFrozen shares a pinned read-only data map, which the first
// collection froze, with a second collection.
func TestPinRuntimeFrozen(t *testing.T) {
	spec := &gbpf.CollectionSpec{Maps: map[string]*maps.Spec{
		".rodata": {Name: ".rodata", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1,
			Flags: maps.ReadOnlyProg, SpinLockOffset: -1, Pinning: maps.PinByName},
	}}
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		coll, err := gbpf.NewCollection(spec, &gbpf.Options{Runtime: rt})
		if err != nil {
			t.Fatal(err)
		}
		defer coll.Close()
		if err := coll.Maps[".rodata"].Update(uint32(0), uint64(1), gbpf.UpdateAny); !errors.Is(err, maps.ErrPermission) {
			t.Errorf("update of the frozen map: %v", err)
		}
	}
	if got := rt.PinnedMaps(); len(got) != 1 || got[0] != ".rodata" {
		t.Errorf("PinnedMaps = %v", got)
	}
}
