package loader

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
)

// TestFromCilium converts the specs cilium/ebpf parses (what bpf2go's
// loadXxx functions return) and gets what LoadCollectionSpec gets.
func TestFromCilium(t *testing.T) {
	for _, name := range []string{"hash_counter", "tail_call", "globals", "map_in_map"} {
		t.Run(name, func(t *testing.T) {
			cs, err := ebpf.LoadCollectionSpec(example(name))
			if err != nil {
				t.Fatal(err)
			}
			before := cs.Copy()
			got, err := FromCilium(cs)
			if err != nil {
				t.Fatal(err)
			}
			want := load(t, name)
			if !reflect.DeepEqual(got.ProgramNames(), want.ProgramNames()) || !reflect.DeepEqual(got.MapNames(), want.MapNames()) {
				t.Fatalf("programs %v maps %v, want %v %v", got.ProgramNames(), got.MapNames(), want.ProgramNames(), want.MapNames())
			}
			for n, p := range want.Programs {
				q := got.Programs[n]
				if !reflect.DeepEqual(q.Instructions, p.Instructions) || !reflect.DeepEqual(q.Maps, p.Maps) || q.Type != p.Type {
					t.Errorf("program %s differs", n)
				}
			}
			for n, m := range want.Maps {
				if !reflect.DeepEqual(got.Maps[n], m) {
					t.Errorf("map %s: %+v, want %+v", n, got.Maps[n], m)
				}
			}
			if !reflect.DeepEqual(got.References, want.References) {
				t.Errorf("references %v, want %v", got.References, want.References)
			}
			if len(got.Variables) != len(want.Variables) {
				t.Errorf("%d variables, want %d", len(got.Variables), len(want.Variables))
			}
			for n, p := range cs.Programs {
				if !reflect.DeepEqual(p.Instructions, before.Programs[n].Instructions) {
					t.Errorf("program %s: FromCilium modified its argument", n)
				}
			}
		})
	}
}

func TestFromCiliumErrors(t *testing.T) {
	if _, err := FromCilium(nil); err == nil {
		t.Error("nil spec accepted")
	}
	cs, err := ebpf.LoadCollectionSpec(example("hash_counter"))
	if err != nil {
		t.Fatal(err)
	}
	cs.ByteOrder = binary.BigEndian
	if _, err := FromCilium(cs); err == nil || !strings.Contains(err.Error(), "little-endian") {
		t.Errorf("big-endian spec: %v", err)
	}
	cs.ByteOrder = nil
	for _, p := range cs.Programs {
		p.Instructions = p.Instructions[:1] // cut in the middle: no exit
	}
	if _, err := FromCilium(cs); err == nil {
		t.Error("truncated program accepted")
	}
}
