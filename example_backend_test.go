package gbpf_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gbpf/gbpf"
)

// The same spec runs in gbpf's runtime and in the kernel; where the
// kernel backend is unavailable (not Linux, no bpf()), NewCollection says
// so with ErrNotSupported.
func ExampleBackend() {
	spec, err := gbpf.LoadCollectionSpec("examples/bpf/hash_counter.o")
	if err != nil {
		log.Fatal(err)
	}
	for _, backend := range []gbpf.Backend{gbpf.InProcess, gbpf.Kernel} {
		coll, err := gbpf.NewCollection(spec, &gbpf.Options{Backend: backend})
		if errors.Is(err, gbpf.ErrNotSupported) {
			fmt.Println(backend, "unavailable")
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		verdict, err := coll.Programs["count_sources"].Run(&gbpf.RunOptions{Data: udpPacket()})
		if err != nil {
			log.Fatal(err)
		}
		var stats struct{ Packets, Bytes uint64 }
		if err := coll.Maps["sources"].Lookup([4]byte{10, 0, 0, 1}, &stats); err != nil {
			log.Fatal(err)
		}
		fmt.Println(backend, verdict, stats.Packets)
		coll.Close()
	}
}

// A hook of gbpf's runtime and an attach point of the kernel both return
// a Link; Close detaches the program.
func ExampleProgram_AttachHook() {
	coll, err := gbpf.LoadCollection("examples/bpf/hash_counter.o", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer coll.Close()
	rt, err := gbpf.DefaultRuntime()
	if err != nil {
		log.Fatal(err)
	}
	hook, err := rt.NewHook("example-eth0", coll.Programs["count_sources"].Type())
	if err != nil {
		log.Fatal(err)
	}
	link, err := coll.Programs["count_sources"].AttachHook(hook)
	if err != nil {
		log.Fatal(err)
	}
	verdict, err := hook.Fire(udpPacket())
	fmt.Println(verdict, err)
	link.Close()
	_, err = hook.Fire(udpPacket())
	fmt.Println(errors.Is(err, gbpf.ErrNoProgram))
	// Output:
	// 2 <nil>
	// true
}
