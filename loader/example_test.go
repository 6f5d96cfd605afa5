package loader_test

import (
	"fmt"
	"log"

	"github.com/gbpf/gbpf/loader"
)

// Load an object, set a .rodata constant before the collection is created,
// and look at a program's map references.
func ExampleLoadCollectionSpec() {
	spec, err := loader.LoadCollectionSpec("../examples/bpf/globals.o")
	if err != nil {
		log.Fatal(err)
	}
	if err := spec.Variables["min_len"].Set(uint32(128)); err != nil {
		log.Fatal(err)
	}
	p := spec.Programs["classify"]
	fmt.Println(p.Type, p.SectionName, p.Maps)
	var min uint32
	_ = spec.Variables["min_len"].Get(&min)
	fmt.Println("min_len:", min)
	// Output:
	// XDP xdp [.data .bss .rodata]
	// min_len: 128
}
