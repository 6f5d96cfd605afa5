package gbpf

import (
	"slices"
	"testing"
)

// TestNeeded checks what LoadAndAssign loads for a subset of tail_call.o.
func TestNeeded(t *testing.T) {
	spec, err := LoadCollectionSpec("examples/bpf/tail_call.o")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		fields      []assignField
		progs, maps []string
	}{
		{[]assignField{{name: "dispatch", prog: true}},
			[]string{"dispatch", "handle_tcp", "handle_udp"}, []string{"calls", "dispatch_table"}},
		{[]assignField{{name: "calls"}}, nil, []string{"calls"}},
		{[]assignField{{name: "jump_table"}},
			[]string{"chain"}, []string{"calls", "jump_table"}},
	} {
		got := needed(spec, tc.fields)
		if progs := got.ProgramNames(); !slices.Equal(progs, tc.progs) && len(progs)+len(tc.progs) > 0 {
			t.Errorf("%v: programs %v, want %v", tc.fields[0].name, progs, tc.progs)
		}
		if m := got.MapNames(); !slices.Equal(m, tc.maps) {
			t.Errorf("%v: maps %v, want %v", tc.fields[0].name, m, tc.maps)
		}
	}
}
