package gbpf_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gbpf/gbpf"
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

// BenchmarkHookFire: events fired at a hook from parallel goroutines, the
// program counting them in a hash map.
func BenchmarkHookFire(b *testing.B) {
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		b.Fatal(err)
	}
	coll := loadBench(b, "hash_counter", gbpf.Options{Runtime: rt})
	hook, err := rt.NewHook("bench", progtype.XDP)
	if err != nil {
		b.Fatal(err)
	}
	if err := hook.Attach(coll.Programs["count_sources"]); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		pkt := udpPacket()
		for pb.Next() {
			if _, err := hook.Fire(pkt); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
