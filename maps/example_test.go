package maps_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/maps"
)

func Example() {
	m, err := maps.New(&maps.Spec{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 16, SpinLockOffset: -1})
	if err != nil {
		panic(err)
	}
	defer m.Close()

	key := binary.NativeEndian.AppendUint32(nil, 42)
	if err := m.Update(key, binary.NativeEndian.AppendUint64(nil, 1), maps.UpdateNoExist); err != nil {
		panic(err)
	}
	err = m.Update(key, make([]byte, 8), maps.UpdateNoExist)
	fmt.Println(errors.Is(err, maps.ErrKeyExist), maps.Errno(err))

	// What a program does through bpf_map_lookup_elem and an atomic add.
	g := maps.EnterProgram()
	addr := m.LookupElem(key, 0)
	atomic.AddUint64(engine.Atomic64(addr), 10)
	maps.LeaveProgram(g)

	out := make([]byte, 8)
	if err := m.Lookup(key, out); err != nil {
		panic(err)
	}
	fmt.Println(binary.NativeEndian.Uint64(out))
	// Output:
	// true -17
	// 11
}

func ExampleRingBufReader() {
	m, err := maps.New(&maps.Spec{Type: maps.RingBuf, MaxEntries: 4096, SpinLockOffset: -1})
	if err != nil {
		panic(err)
	}
	defer m.Close()
	rb := m.(*maps.RingBufMap)
	rd, err := maps.NewRingBufReader(m)
	if err != nil {
		panic(err)
	}
	defer rd.Close()

	// A program reserves a record, fills it and submits it.
	addr := rb.Reserve(5)
	copy(engine.Bytes(addr, 5), "hello")
	rb.Submit(addr, 0)

	rec, err := rd.Read()
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", rec.RawSample)
	// Output: hello
}

func ExamplePerfReader() {
	defer maps.SetNumCPU(maps.NumCPU())
	maps.SetNumCPU(2) // per-CPU maps created from now on have 2 CPUs
	m, err := maps.New(&maps.Spec{Type: maps.PerfEventArray, KeySize: 4, ValueSize: 4, SpinLockOffset: -1})
	if err != nil {
		panic(err)
	}
	defer m.Close()
	rd, err := maps.NewPerfReader(m, 4096)
	if err != nil {
		panic(err)
	}
	defer rd.Close()

	// What bpf_perf_event_output does on CPU 1.
	m.(*maps.PerfEventMap).Output(1, []byte("sample"))

	rec, err := rd.Read()
	if err != nil {
		panic(err)
	}
	fmt.Printf("cpu %d: %s, lost %d\n", rec.CPU, rec.RawSample, rec.LostSamples)
	// Output: cpu 1: sample, lost 0
}
