package loader

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	gmaps "github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

func tolerant(t *testing.T, name string) *CollectionSpec {
	t.Helper()
	cs, err := LoadCollectionSpec("testdata/tolerant/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestLegacyMaps loads struct bpf_map_def maps and programs in sections
// named the way libbpf once matched by prefix.
func TestLegacyMaps(t *testing.T) {
	cs := tolerant(t, "legacy.o")
	want := map[string]gmaps.Spec{
		"counts": {Type: gmaps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4},
		"totals": {Type: gmaps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 16},
	}
	for name, w := range want {
		m := cs.Maps[name]
		if m == nil || m.Type != w.Type || m.KeySize != w.KeySize || m.ValueSize != w.ValueSize || m.MaxEntries != w.MaxEntries {
			t.Errorf("%s = %v, want %v", name, m, &w)
		}
	}
	for name, typ := range map[string]progtype.Type{"count_socket": progtype.SocketFilter, "count_xdp": progtype.XDP} {
		if p := cs.Programs[name]; p == nil || p.Type != typ {
			t.Errorf("%s: %v, want a %v program", name, p, typ)
		}
	}
}

// TestZeroSizedSymbols loads the object of TestLegacyMaps with every
// symbol of size 0, as clang before 8 wrote it: each program and map takes
// its size up to the next symbol, and the result is the same.
func TestZeroSizedSymbols(t *testing.T) {
	sized, zero := tolerant(t, "legacy.o"), tolerant(t, "legacy_nosize.o")
	for name, p := range sized.Programs {
		q := zero.Programs[name]
		if q == nil || !slices.Equal(p.Instructions.Insns, q.Instructions.Insns) || !slices.Equal(p.Maps, q.Maps) {
			t.Errorf("%s: differs when its symbol has size 0", name)
		}
	}
	for name, m := range sized.Maps {
		if z := zero.Maps[name]; z == nil || z.String() != m.String() {
			t.Errorf("map %s: %v, want %v", name, z, m)
		}
	}
	for _, sym := range []string{"count_socket", "count_xdp", "counts", "totals"} {
		if !hasNote(zero, "symbol "+sym+" ", "size 0") {
			t.Errorf("no note for %s in %q", sym, zero.Notes)
		}
	}
	if len(sized.Notes) != 0 {
		t.Errorf("notes for an object with sized symbols: %q", sized.Notes)
	}
}

// TestIproute2Maps loads struct bpf_elf_map maps: pinning, and a
// map-in-map whose inner map is named by inner_id and placed at inner_idx.
func TestIproute2Maps(t *testing.T) {
	cs := tolerant(t, "iproute2.o")
	outer := cs.Maps["map_outer"]
	if outer == nil || outer.Type != gmaps.ArrayOfMaps || outer.InnerMap == nil ||
		outer.InnerMap.Type != gmaps.Array || outer.InnerMap.ValueSize != 4 {
		t.Fatalf("map_outer = %v, inner %v: want an array of arrays", outer, outer.InnerMap)
	}
	refs := cs.References["map_outer"]
	if len(refs) != 1 || refs[0].Key != 1 || refs[0].Map != "map_inner" {
		t.Errorf("map_outer elements %v, want map_inner at 1", refs)
	}
	if !slices.Equal(cs.Pinned(), []string{"map_inner", "map_outer"}) {
		t.Errorf("pinned %v", cs.Pinned())
	}
	if !hasNote(cs, "map_outer", "inner map map_inner (id 42) at index 1") {
		t.Errorf("notes %q", cs.Notes)
	}
	// tc names the type on its command line: the section does not.
	if p := cs.Programs["emain"]; p == nil || p.Type != progtype.Unspec || p.SectionName != "egress" {
		t.Errorf("emain: %v", p)
	}
}

func TestLegacyTails(t *testing.T) {
	mk := func(tail []byte, extra ...func(*ebpf.CollectionSpec)) *ebpf.CollectionSpec {
		cs := &ebpf.CollectionSpec{Maps: map[string]*ebpf.MapSpec{
			"m": {Name: "m", Type: ebpf.Hash, KeySize: 4, ValueSize: 4, MaxEntries: 2, Extra: bytes.NewReader(tail)},
		}, Programs: map[string]*ebpf.ProgramSpec{}}
		for _, f := range extra {
			f(cs)
		}
		return cs
	}
	le := func(v ...uint32) []byte {
		var b []byte
		for _, x := range v {
			b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
		}
		return b
	}
	for _, c := range []struct {
		name string
		cs   *ebpf.CollectionSpec
		err  string
		note string
	}{
		{"zero tail", mk(make([]byte, 12)), "", "zero bytes after struct bpf_map_def are ignored"},
		{"unknown tail", mk([]byte{1, 0, 0}), "3 unknown bytes", ""},
		{"numa node", mk(le(0, 1)), "", "numa_node 1 ignored"},
		{"inner_map_idx", mk(le(1, 0)), "inner_map_idx 1 is not supported", ""},
		{"custom pinning", mk(le(0, 7, 0, 0)), "", "custom path"},
		{"inner id on a hash", mk(le(0, 0, 5, 0)), "inner_id 5 on a Hash map", ""},
		{"missing inner", mk(le(0, 0, 5, 0), func(cs *ebpf.CollectionSpec) { cs.Maps["m"].Type = ebpf.ArrayOfMaps }), "no map has that id", ""},
		{"duplicate id", mk(le(3, 0, 0, 0), func(cs *ebpf.CollectionSpec) {
			cs.Maps["n"] = &ebpf.MapSpec{Name: "n", Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, Extra: bytes.NewReader(le(3, 0, 0, 0))}
		}), "both have id 3", ""},
		{"inner index past the end", mk(le(0, 0, 9, 0), func(cs *ebpf.CollectionSpec) {
			cs.Maps["m"].Type = ebpf.ArrayOfMaps
			cs.Maps["n"] = &ebpf.MapSpec{Name: "n", Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, Extra: bytes.NewReader(le(9, 0, 0, 5))}
		}), "past its 2 entries", ""},
	} {
		out, err := FromCilium(c.cs)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: %v, want an error saying %q", c.name, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case !hasNote(out, c.note):
			t.Errorf("%s: notes %q, want %q", c.name, out.Notes, c.note)
		}
	}
}
