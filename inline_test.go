package gbpf

import (
	"encoding/binary"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// inlineSpec is two Raw programs over an array of four 12-byte values
// (a stride of 16) and a hash: "array" looks up the index its input
// holds, adds one to the value's first word and returns the value's
// address minus element 0's (0xdead if there is none); "either" looks up
// in the array or the hash, as the input's second word says, through one
// call that must stay a call.
func inlineSpec(t *testing.T) *CollectionSpec {
	t.Helper()
	prog := func(name, src string) *loader.ProgramSpec {
		insns, err := asm.Assemble(src)
		if err != nil {
			t.Fatal(err)
		}
		return &loader.ProgramSpec{Name: name, Type: progtype.Raw, Instructions: insns, CtxSize: 8, Maps: []string{"arr", "hash"}}
	}
	return &CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{
			"array": prog("array", `
				ldxw %r2, [%r1+0]
				stxw [%r10-4], %r2
				mov %r2, %r10
				add %r2, -4
				lddw %r1, map_idx 0
				call 1
				jeq %r0, 0, none
				mov %r1, 1
				lock add32 [%r0+0], %r1
				mov %r6, %r0
				mov %r2, %r10
				add %r2, -4
				stw [%r10-4], 0
				lddw %r1, map_idx 0
				call 1
				jeq %r0, 0, none
				sub %r6, %r0
				mov %r0, %r6
				exit
			none:
				mov %r0, 0xdead
				exit`),
			"either": prog("either", `
				ldxw %r3, [%r1+4]
				stw [%r10-4], 0
				mov %r2, %r10
				add %r2, -4
				lddw %r1, map_idx 0
				jeq %r3, 0, lookup
				lddw %r1, map_idx 1
			lookup:
				call 1
				jeq %r0, 0, none
				mov %r0, 1
				exit
			none:
				mov %r0, 2
				exit`),
		},
		Maps: map[string]*maps.Spec{
			"arr":  {Name: "arr", Type: maps.Array, KeySize: 4, ValueSize: 12, MaxEntries: 4, SpinLockOffset: -1},
			"hash": {Name: "hash", Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 4, SpinLockOffset: -1},
		},
	}
}

// callsLookup reports whether p calls bpf_map_lookup_elem.
func callsLookup(p *Program) bool {
	for _, in := range p.Instructions().Insns {
		if in.IsHelperCall() && in.Imm == int32(helpers.MapLookupElem) {
			return true
		}
	}
	return false
}

// TestInlineArrayLookups checks that array lookups whose map is certain
// are replaced (and only those), and that every engine, the checked
// interpreter (which keeps the calls) included, gives the same results
// and counts.
func TestInlineArrayLookups(t *testing.T) {
	var want []uint64
	for _, opts := range []Options{{Checked: true}, {Engine: EngineInterpreter, Privileged: true}, {Engine: EngineJIT, Privileged: true}} {
		coll, err := NewCollection(inlineSpec(t), &opts)
		if err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
		array, either := coll.Programs["array"], coll.Programs["either"]
		if got := callsLookup(array); got != opts.Checked {
			t.Errorf("%+v: array program calls lookup: %v", opts, got)
		}
		if !callsLookup(either) {
			t.Errorf("%+v: a lookup whose map depends on the path was replaced", opts)
		}
		if opts.Engine == EngineJIT && array.leaf == nil {
			t.Errorf("JIT: a program whose only calls were array lookups is not a leaf")
		}
		var got []uint64
		in := make([]byte, 8)
		for _, idx := range []uint32{0, 1, 3, 3, 4, 0xffffffff} {
			binary.LittleEndian.PutUint32(in, idx)
			r, err := array.Run(&RunOptions{Data: in})
			if err != nil {
				t.Fatalf("%+v: %v", opts, err)
			}
			got = append(got, r)
		}
		for _, which := range []uint32{0, 1} {
			binary.LittleEndian.PutUint32(in[4:], which)
			r, err := either.Run(&RunOptions{Data: in})
			if err != nil {
				t.Fatalf("%+v: %v", opts, err)
			}
			got = append(got, r)
		}
		for i := range uint32(4) {
			var v [12]byte
			if err := coll.Maps["arr"].Lookup(i, &v); err != nil {
				t.Fatal(err)
			}
			got = append(got, uint64(binary.LittleEndian.Uint32(v[:])))
		}
		if want == nil {
			want = got
			if want[0] != 0 || want[1] != 16 || want[2] != 48 || want[4] != 0xdead || want[5] != 0xdead || want[6] != 1 || want[7] != 2 || want[8] != 1 || want[11] != 2 {
				t.Errorf("checked interpreter: %v", want)
			}
		} else if !equalU64(got, want) {
			t.Errorf("%+v: %v, want %v (checked interpreter)", opts, got, want)
		}
		coll.Close()
	}
}

func equalU64(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestInlineKeepsJumps checks that jumps across a replaced call, forward
// and backward, still land on their instructions.
func TestInlineKeepsJumps(t *testing.T) {
	insns, err := asm.Assemble(`
		mov %r6, 0
	again:
		jgt %r6, 10, done
		stxw [%r10-4], %r6
		mov %r2, %r10
		add %r2, -4
		lddw %r1, map_idx 0
		call 1
		jeq %r0, 0, done
		ldxw %r1, [%r0+0]
		add %r1, %r6
		stxw [%r0+0], %r1
		add %r6, 1
		ja again
	done:
		mov %r0, %r6
		exit`)
	if err != nil {
		t.Fatal(err)
	}
	spec := &CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{"p": {Name: "p", Type: progtype.Raw, Instructions: insns, CtxSize: 0, Maps: []string{"arr"}}},
		Maps:     map[string]*maps.Spec{"arr": {Name: "arr", Type: maps.Array, KeySize: 4, ValueSize: 4, MaxEntries: 5, SpinLockOffset: -1}},
	}
	for _, opts := range []Options{{Engine: EngineInterpreter}, {Engine: EngineJIT}} {
		coll, err := NewCollection(spec, &opts)
		if err != nil {
			t.Fatal(err)
		}
		p := coll.Programs["p"]
		if callsLookup(p) {
			t.Errorf("%+v: lookup not replaced", opts)
		}
		if r, err := p.Run(&RunOptions{Data: make([]byte, 8)}); r != 5 || err != nil {
			t.Errorf("%+v: %d, %v; want 5", opts, r, err)
		}
		var v uint32
		if err := coll.Maps["arr"].Lookup(uint32(4), &v); err != nil || v != 4 {
			t.Errorf("%+v: element 4 = %d, %v; want 4", opts, v, err)
		}
		coll.Close()
	}
}

// TestStackClearedBetweenRuns checks that what a program writes on the
// stack through a copy of r10 is gone when the next program of the CPU
// reads the same bytes uninitialized (privileged), on every engine.
func TestStackClearedBetweenRuns(t *testing.T) {
	writer, err := asm.Assemble("mov %r6, %r10\nadd %r6, -16\nstdw [%r6+0], 7\nstdw [%r6+8], 9\ncall 7\nmov %r0, 0\nexit")
	if err != nil {
		t.Fatal(err)
	}
	reader, err := asm.Assemble("call 7\nldxdw %r0, [%r10-16]\nldxdw %r1, [%r10-8]\nadd %r0, %r1\nexit")
	if err != nil {
		t.Fatal(err)
	}
	spec := &CollectionSpec{Programs: map[string]*loader.ProgramSpec{
		"w": {Name: "w", Type: progtype.Raw, Instructions: writer},
		"r": {Name: "r", Type: progtype.Raw, Instructions: reader},
	}}
	for _, e := range []Engine{EngineInterpreter, EngineJIT} {
		rt, err := NewRuntime(&RuntimeOptions{CPUs: 1})
		if err != nil {
			t.Fatal(err)
		}
		coll, err := NewCollection(spec, &Options{Engine: e, Privileged: true, Runtime: rt})
		if err != nil {
			t.Fatal(err)
		}
		in := &RunOptions{Data: make([]byte, 8)}
		for range 3 {
			if _, err := coll.Programs["w"].Run(in); err != nil {
				t.Fatal(err)
			}
			if r, err := coll.Programs["r"].Run(in); r != 0 || err != nil {
				t.Errorf("%v: reader sees %d, %v; want 0", e, r, err)
			}
		}
		coll.Close()
	}
}
