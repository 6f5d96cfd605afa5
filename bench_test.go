package gbpf_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// engines are the ways benchmarks and allocation tests run programs.
var engines = []struct {
	name string
	opts gbpf.Options
}{
	{"jit", gbpf.Options{Engine: gbpf.EngineJIT}},
	{"interpreter", gbpf.Options{Engine: gbpf.EngineInterpreter}},
	{"checked", gbpf.Options{Checked: true}},
}

func loadBench(tb testing.TB, obj string, opts gbpf.Options) *gbpf.Collection {
	tb.Helper()
	coll, err := gbpf.LoadCollection("examples/bpf/"+obj+".o", &opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(coll.Close)
	return coll
}

// TestRunAllocatesNothing checks that running a program, with its map
// helpers, allocates nothing once warm.
func TestRunAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	for _, e := range engines {
		for _, c := range []struct{ obj, prog string }{
			{"hash_counter", "count_sources"},
			{"array_stats", "socket_stats"},
			{"xdp_proto_count", "count_protocols"},
			{"tail_call", "dispatch"},
			{"spin_lock", "add_locked"},
		} {
			coll := loadBench(t, c.obj, e.opts)
			opts := &gbpf.RunOptions{Data: udpPacket()}
			p := coll.Programs[c.prog]
			if _, err := p.Run(opts); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(200, func() { p.Run(opts) }); n != 0 {
				t.Errorf("%s: %s allocates %v times per run", e.name, c.prog, n)
			}
			// A context that can be canceled costs no allocation either.
			ctx, cancel := context.WithCancel(context.Background())
			if n := testing.AllocsPerRun(200, func() { p.RunContext(ctx, opts) }); n != 0 {
				t.Errorf("%s: %s allocates %v times per run with a context", e.name, c.prog, n)
			}
			cancel()
		}
	}
}

// TestFireAllocatesNothing checks the same of firing a hook.
func TestFireAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := gbpf.LoadCollection("examples/bpf/hash_counter.o", &gbpf.Options{Runtime: rt})
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	hook, err := rt.NewHook("eth0", progtype.XDP)
	if err != nil {
		t.Fatal(err)
	}
	if err := hook.Attach(coll.Programs["count_sources"]); err != nil {
		t.Fatal(err)
	}
	pkt := udpPacket()
	hook.Fire(pkt)
	if n := testing.AllocsPerRun(500, func() { hook.Fire(pkt) }); n != 0 {
		t.Errorf("Fire allocates %v times", n)
	}
	// Every engine, a JIT leaf and a program calling a helper, packets
	// of changing lengths (which prepare the hook's input again).
	data := make([]byte, 16)
	for _, e := range engines {
		for _, src := range []string{emptyProgram, arrayIncProgram} {
			hook, _ := rawHook(t, src, e.opts)
			hook.Fire(data)
			if n := testing.AllocsPerRun(500, func() { hook.Fire(data) }); n != 0 {
				t.Errorf("%s: Fire allocates %v times", e.name, n)
			}
			i := 0
			if n := testing.AllocsPerRun(500, func() { i++; hook.Fire(data[:8+i%8]) }); n != 0 {
				t.Errorf("%s: Fire of changing lengths allocates %v times", e.name, n)
			}
		}
	}
}

// benchRun runs prog on a packet, serially and in parallel.
func benchRun(b *testing.B, obj, prog string) {
	for _, e := range engines {
		coll := loadBench(b, obj, e.opts)
		p := coll.Programs[prog]
		b.Run(e.name, func(b *testing.B) {
			opts := &gbpf.RunOptions{Data: udpPacket()}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Run(opts); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(e.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				opts := &gbpf.RunOptions{Data: udpPacket()}
				for pb.Next() {
					if _, err := p.Run(opts); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkHashLookupUpdate: one hash lookup and two atomic adds per run
// (hash_counter), the element existing after the first run.
func BenchmarkHashLookupUpdate(b *testing.B) { benchRun(b, "hash_counter", "count_sources") }

// BenchmarkHashInsertDelete: a hash update and delete per run pair, on
// the program side (a TOS 0xff packet deletes, a plain one inserts).
func BenchmarkHashInsertDelete(b *testing.B) {
	for _, e := range engines {
		coll := loadBench(b, "hash_counter", e.opts)
		p := coll.Programs["count_sources"]
		b.Run(e.name, func(b *testing.B) {
			insert := &gbpf.RunOptions{Data: udpPacket()}
			del := udpPacket()
			del[15] = 0xff
			deleteOpts := &gbpf.RunOptions{Data: del}
			b.ReportAllocs()
			for b.Loop() {
				p.Run(insert)
				p.Run(deleteOpts)
			}
		})
	}
}

// BenchmarkArrayLookup: three array lookups with atomic adds per run
// (array_stats).
func BenchmarkArrayLookup(b *testing.B) { benchRun(b, "array_stats", "socket_stats") }

// BenchmarkRingBuf: records per second from a program to a Go reader.
func BenchmarkRingBuf(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			coll := loadBench(b, "ringbuf", e.opts)
			rd, err := gbpf.NewRingBufReader(coll.Maps["events"])
			if err != nil {
				b.Fatal(err)
			}
			defer rd.Close()
			p := coll.Programs["packet_events"]
			opts := &gbpf.RunOptions{Data: udpPacket()}
			var wg sync.WaitGroup
			var read atomic.Int64
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if _, err := rd.Read(); err != nil {
						return
					}
					read.Add(1)
				}
			}()
			b.ReportAllocs()
			start := time.Now()
			var sent int64
			for b.Loop() {
				ret, err := p.Run(opts)
				if err != nil {
					b.Fatal(err)
				}
				if ret == 2 {
					sent++
				} else {
					// The ring is full: let the reader catch up.
					time.Sleep(time.Microsecond)
				}
			}
			rd.SetDeadline(time.Now().Add(time.Second))
			for read.Load() < sent && time.Since(start) < time.Minute {
				time.Sleep(time.Millisecond)
			}
			elapsed := time.Since(start)
			rd.Close()
			wg.Wait()
			b.ReportMetric(float64(read.Load())/elapsed.Seconds(), "records/s")
		})
	}
}

// firePackets returns the packets goroutine g of a benchmark fires: UDP
// packets from 16 source addresses of its own (10.g.0.0 to 10.g.0.15), as
// traffic from many hosts spreads over the counters.
func firePackets(g int) [][]byte {
	pkts := make([][]byte, 16)
	for i := range pkts {
		p := udpPacket()
		p[14+13], p[14+15] = byte(g), byte(i)
		pkts[i] = p
	}
	return pkts
}

// fireLoop runs fire on b.N events spread over the given number of
// goroutines, each locked to a thread and firing the packets of
// firePackets; ns/op is the time of one event at the throughput of all
// goroutines together, cpu-ns/op the threads' CPU time per event (which
// a loaded machine inflates far less; when it does not grow with the
// goroutines, they do not slow each other down).
func fireLoop(b *testing.B, goroutines int, fire func(pkt []byte) error) {
	b.ReportAllocs()
	var wg sync.WaitGroup
	var next, cpu atomic.Int64
	const batch = 256
	b.ResetTimer()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			start := threadCPU()
			defer func() { cpu.Add(int64(threadCPU() - start)) }()
			pkts := firePackets(g)
			for next.Add(batch) <= int64(b.N)+batch-1 {
				for i := range batch {
					if err := fire(pkts[i%len(pkts)]); err != nil {
						b.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(cpu.Load())/float64(b.N), "cpu-ns/op")
}

// goStats is the hand-written Go counterpart of hash_counter: packets and
// bytes per source address, in a sync.Map of *[2]atomic.Uint64.
type goStats struct{ m sync.Map }

// count is count_sources in Go: parse the Ethernet and IPv4 headers and
// count the packet under its source address.
func (s *goStats) count(pkt []byte) uint64 {
	if len(pkt) < 34 || binary.BigEndian.Uint16(pkt[12:]) != 0x0800 {
		return 2 // XDP_PASS
	}
	key := binary.NativeEndian.Uint32(pkt[26:])
	if pkt[15] == 0xff {
		s.m.Delete(key)
		return 1 // XDP_DROP
	}
	if v, ok := s.m.Load(key); ok {
		c := v.(*[2]atomic.Uint64)
		c[0].Add(1)
		c[1].Add(uint64(len(pkt)))
		return 2
	}
	c := new([2]atomic.Uint64)
	c[0].Store(1)
	c[1].Store(uint64(len(pkt)))
	if _, loaded := s.m.LoadOrStore(key, c); loaded {
		return 0 // XDP_ABORTED, as bpf_map_update_elem(BPF_NOEXIST) fails
	}
	return 2
}

// BenchmarkHookFire: events fired at a hook whose program counts packets
// and bytes per source address in a hash map (hash_counter), against the
// same work written in Go ("go"), on one goroutine and on two; each
// goroutine fires packets from its own sources.
func BenchmarkHookFire(b *testing.B) {
	for _, e := range engines {
		rt, err := gbpf.NewRuntime(nil)
		if err != nil {
			b.Fatal(err)
		}
		opts := e.opts
		opts.Runtime = rt
		coll := loadBench(b, "hash_counter", opts)
		hook, err := rt.NewHook("bench", progtype.XDP)
		if err != nil {
			b.Fatal(err)
		}
		if err := hook.Attach(coll.Programs["count_sources"]); err != nil {
			b.Fatal(err)
		}
		for _, g := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/g%d", e.name, g), func(b *testing.B) {
				fireLoop(b, g, func(pkt []byte) error {
					_, err := hook.Fire(pkt)
					return err
				})
			})
		}
	}
	for _, g := range []int{1, 2} {
		b.Run(fmt.Sprintf("go/g%d", g), func(b *testing.B) {
			var s goStats
			fireLoop(b, g, func(pkt []byte) error {
				s.count(pkt)
				return nil
			})
		})
	}
}

// rawHook attaches the Raw program src, which may use an array "counts"
// of one 8-byte value as map 0, to a new hook; it returns the hook and
// the array.
func rawHook(b testing.TB, src string, opts gbpf.Options) (*gbpf.Hook, *gbpf.Map) {
	b.Helper()
	insns, err := asm.Assemble(src)
	if err != nil {
		b.Fatal(err)
	}
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		b.Fatal(err)
	}
	opts.Runtime = rt
	spec := &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{
			"prog": {Name: "prog", Type: progtype.Raw, Instructions: insns, Maps: []string{"counts"}},
		},
		Maps: map[string]*maps.Spec{
			"counts": {Name: "counts", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1, SpinLockOffset: -1},
		},
	}
	coll, err := gbpf.NewCollection(spec, &opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(coll.Close)
	hook, err := rt.NewHook("bench", progtype.Raw)
	if err != nil {
		b.Fatal(err)
	}
	if err := hook.Attach(coll.Programs["prog"]); err != nil {
		b.Fatal(err)
	}
	return hook, coll.Maps["counts"]
}

// Programs of BenchmarkFireSmall: one that returns at once, and one that
// adds one to an array's element 0.
const (
	emptyProgram = `
		mov %r0, 0
		exit`
	arrayIncProgram = `
		stw [%r10-4], 0
		mov %r2, %r10
		add %r2, -4
		lddw %r1, map_idx 0
		call 1
		jeq %r0, 0, out
		mov %r1, 1
		lock add [%r0+0], %r1
	out:
		mov %r0, 0
		exit`
)

var goCounter atomic.Uint64

// goAtomicAdd is the Go baseline of BenchmarkFireSmall: a function call
// that adds one atomically.
//
//go:noinline
func goAtomicAdd(data []byte) { goCounter.Add(uint64(len(data))) }

// BenchmarkFireSmall: firing a Raw hook (8 bytes of input) whose program
// does nothing, or increments an array element, against a Go function
// call doing an atomic add.
func BenchmarkFireSmall(b *testing.B) {
	data := make([]byte, 8)
	for _, e := range engines {
		for _, c := range []struct{ name, src string }{{"empty", emptyProgram}, {"arrayinc", arrayIncProgram}} {
			hook, counts := rawHook(b, c.src, e.opts)
			b.Run(c.name+"/"+e.name, func(b *testing.B) {
				onThread(b, func() {
					for b.Loop() {
						if _, err := hook.Fire(data); err != nil {
							b.Fatal(err)
						}
					}
				})
				if c.name == "arrayinc" {
					var v uint64
					if err := counts.Lookup(uint32(0), &v); err != nil || v == 0 {
						b.Fatalf("%s: counter %d, %v", e.name, v, err)
					}
				}
			})
		}
	}
	b.Run("go-atomic-add", func(b *testing.B) {
		onThread(b, func() {
			for b.Loop() {
				goAtomicAdd(data)
			}
		})
	})
}

// onThread runs a benchmark's loop locked to a thread and reports the
// thread's CPU time per op as cpu-ns/op.
func onThread(b *testing.B, loop func()) {
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := threadCPU()
	loop()
	b.ReportMetric(float64(threadCPU()-start)/float64(b.N), "cpu-ns/op")
}
