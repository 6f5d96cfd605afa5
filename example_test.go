package gbpf_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/loader"
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

// Stop a program that would run for hours: bpf_loop(2^23) inside a
// bpf_loop(2^23) callback, which the verifier accepts. The run ends
// within a millisecond of the deadline, on every engine.
func ExampleProgram_RunContext() {
	insns, err := asm.Assemble(`
		mov %r1, 0x800000
		lddw %r2, func outer
		mov %r3, 0
		mov %r4, 0
		call 181 # bpf_loop
		mov %r0, 0
		exit
	outer:
		mov %r1, 0x800000
		lddw %r2, func inner
		mov %r3, 0
		mov %r4, 0
		call 181
		mov %r0, 0
		exit
	inner:
		mov %r0, 0
		exit
	`)
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
