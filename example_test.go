package gbpf_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// udpPacket is an Ethernet/IPv4/UDP frame from 10.0.0.1.
func udpPacket() []byte {
	b := make([]byte, 14+20+8)
	b[12], b[13] = 0x08, 0x00
	b[14] = 0x45
	b[14+9] = 17
	copy(b[14+12:], []byte{10, 0, 0, 1})
	return b
}

// Load an object, run its XDP program on a packet, and read the map it
// counts in.
func ExampleLoadCollection() {
	coll, err := gbpf.LoadCollection("examples/bpf/hash_counter.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer coll.Close()

	prog := coll.Programs["count_sources"]
	for range 3 {
		if _, err := prog.Run(&gbpf.RunOptions{Data: udpPacket()}); err != nil {
			log.Fatal(err)
		}
	}
	var stats struct{ Packets, Bytes uint64 }
	src := [4]byte{10, 0, 0, 1} // the key: the source address as stored
	if err := coll.Maps["sources"].Lookup(src, &stats); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d packets, %d bytes\n", stats.Packets, stats.Bytes)
	// Output: 3 packets, 126 bytes
}

// Attach a program to a hook that the host fires for every packet.
func ExampleRuntime_NewHook() {
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		log.Fatal(err)
	}
	coll, err := gbpf.LoadCollection("examples/bpf/tail_call.o", &gbpf.Options{Runtime: rt})
	if err != nil {
		log.Fatal(err)
	}
	defer coll.Close()

	hook, err := rt.NewHook("eth0", progtype.XDP)
	if err != nil {
		log.Fatal(err)
	}
	if err := hook.Attach(coll.Programs["dispatch"]); err != nil {
		log.Fatal(err)
	}
	verdict, err := hook.Fire(udpPacket())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verdict:", verdict) // handle_udp drops
	// Output: verdict: 1
}

// Stop a program that would run for hours: nested_loop.asm calls
// bpf_loop(2^23) inside a bpf_loop(2^23) callback, which the verifier
// accepts. The run ends within a millisecond of the deadline, on every
// engine.
func ExampleProgram_RunContext() {
	src, err := os.ReadFile("examples/asm/nested_loop.asm")
	if err != nil {
		log.Fatal(err)
	}
	insns, err := asm.Assemble(string(src))
	if err != nil {
		log.Fatal(err)
	}
	spec := &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{
			"spin": {Name: "spin", Type: progtype.Raw, Instructions: insns},
		},
	}
	coll, err := gbpf.NewCollection(spec, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer coll.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err = coll.Programs["spin"].RunContext(ctx, nil)
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output: true
}

// Load the parts of an object that a struct names, as cilium/ebpf's
// LoadAndAssign does: the structs bpf2go generates work, with gbpf's
// Program and Map in place of cilium/ebpf's.
func ExampleLoadAndAssign() {
	spec, err := gbpf.LoadCollectionSpec("examples/bpf/hash_counter.o")
	if err != nil {
		log.Fatal(err)
	}
	var objs struct {
		CountSources *gbpf.Program `ebpf:"count_sources"`
		Sources      *gbpf.Map     `ebpf:"sources"`
	}
	if err := gbpf.LoadAndAssign(spec, &objs, nil); err != nil {
		log.Fatal(err)
	}
	defer objs.CountSources.Close()
	defer objs.Sources.Close()

	verdict, err := objs.CountSources.Run(&gbpf.RunOptions{Data: udpPacket()})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verdict:", verdict, "map:", objs.Sources)
	// Output: verdict: 2 map: Hash(sources)
}

// Walk a map's elements, as with cilium/ebpf's MapIterator.
func ExampleMap_Iterate() {
	coll, err := gbpf.LoadCollection("examples/bpf/hash_counter.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer coll.Close()

	for _, last := range []byte{3, 1, 2, 1} {
		pkt := udpPacket()
		pkt[14+15] = last // the source address: 10.0.0.last
		if _, err := coll.Programs["count_sources"].Run(&gbpf.RunOptions{Data: pkt}); err != nil {
			log.Fatal(err)
		}
	}
	var (
		src   [4]byte
		stats struct{ Packets, Bytes uint64 }
		lines []string
	)
	it := coll.Maps["sources"].Iterate()
	for it.Next(&src, &stats) {
		lines = append(lines, fmt.Sprintf("%d.%d.%d.%d: %d packets", src[0], src[1], src[2], src[3], stats.Packets))
	}
	if err := it.Err(); err != nil {
		log.Fatal(err)
	}
	slices.Sort(lines) // a hash map's order is its own
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// 10.0.0.1: 2 packets
	// 10.0.0.2: 1 packets
	// 10.0.0.3: 1 packets
}

// Take the spec that cilium/ebpf parsed (what a bpf2go-generated loadXxx
// function returns) into gbpf.
func ExampleFromCiliumSpec() {
	cs, err := ebpf.LoadCollectionSpec("examples/bpf/tail_call.o")
	if err != nil {
		log.Fatal(err)
	}
	spec, err := gbpf.FromCiliumSpec(cs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(spec.ProgramNames())
	// Output: [chain dispatch handle_tcp handle_udp]
}

// Read and write many elements in one call.
func ExampleMap_BatchLookup() {
	m, err := gbpf.NewMap(&maps.Spec{Name: "squares", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4, SpinLockOffset: -1})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	if _, err := m.BatchUpdate([]uint32{1, 2, 3}, []uint64{1, 4, 9}, nil); err != nil {
		log.Fatal(err)
	}
	var cursor gbpf.MapBatchCursor
	keys, values := make([]uint32, 3), make([]uint64, 3)
	for {
		n, err := m.BatchLookup(&cursor, keys, values, nil)
		for i := range n {
			fmt.Printf("%d:%d ", keys[i], values[i])
		}
		if errors.Is(err, gbpf.ErrKeyNotExist) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println()
	// Output: 0:0 1:1 2:4 3:9
}
