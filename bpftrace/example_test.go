package bpftrace_test

import (
	"encoding/binary"
	"fmt"
	"os"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/bpftrace"
)

// A Go program traces its own requests with a bpftrace script: the script
// runs in gbpf's runtime on a hook the program fires.
func Example() {
	s, err := bpftrace.Compile(`hook:request /arg1 == 200/ { @bytes = sum(arg0); @n = count(); } END { printf("served") }`, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ss, err := s.Start(&bpftrace.RunOptions{Mode: bpftrace.ModeInProcess, Runtime: rt, Output: os.Stdout})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := make([]byte, 48) // arg0 to arg5
	for _, r := range []struct{ size, status uint64 }{{100, 200}, {50, 404}, {20, 200}} {
		binary.LittleEndian.PutUint64(rec[0:], r.size)
		binary.LittleEndian.PutUint64(rec[8:], r.status)
		if _, err := ss.Hook("request").Fire(rec); err != nil {
			fmt.Println(err)
		}
	}
	if err := ss.Stop(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Attaching 2 probes...
	// served
	//
	// @bytes: 120
	// @n: 2
}
