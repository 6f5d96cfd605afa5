//go:build linux

package examples_test

import (
	"encoding/binary"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/maps"
)

func TestQueueStack(t *testing.T) {
	each(t, "queue_stack", func(t *testing.T, coll *gbpf.Collection) {
		if got := run(t, coll, "peek_both", &gbpf.RunOptions{Data: make([]byte, 14)}); got != 0 {
			t.Fatalf("peek on empty queue: %d, want 0", got)
		}
		for _, n := range []int{60, 70, 80} {
			run(t, coll, "push", &gbpf.RunOptions{Data: make([]byte, n)})
		}
		// The queue's head is 60, the stack's 80.
		if got := run(t, coll, "peek_both", &gbpf.RunOptions{Data: make([]byte, 14)}); got != 140 {
			t.Fatalf("peek_both = %d, want 140", got)
		}
		if got := run(t, coll, "drain", &gbpf.RunOptions{Data: make([]byte, 14)}); got != 2000+80-60 {
			t.Fatalf("drain = %d, want %d", got, 2000+80-60)
		}
		// Fill both: the queue refuses the ninth value, the stack
		// overwrites its oldest.
		for n := range 8 {
			run(t, coll, "push", &gbpf.RunOptions{Data: make([]byte, 100+n)})
		}
		if got := u64(t, coll, "full_errors", uint32(0)); got != 2 {
			t.Errorf("full_errors = %d, want 2", got)
		}
		var v uint32
		if err := coll.Maps["fifo"].LookupAndDelete(nil, &v); err != nil || v != 70 {
			t.Errorf("queue pop = %d, %v; want 70", v, err)
		}
		if err := coll.Maps["lifo"].LookupAndDelete(nil, &v); err != nil || v != 107 {
			t.Errorf("stack pop = %d, %v; want 107", v, err)
		}
		for range 7 {
			if err := coll.Maps["fifo"].LookupAndDelete(nil, &v); err != nil {
				t.Fatal(err)
			}
		}
		if got := run(t, coll, "drain", &gbpf.RunOptions{Data: make([]byte, 14)}); got != 1000 {
			t.Errorf("drain of an empty queue = %d, want 1000", got)
		}
	})
}

func TestRingBuf(t *testing.T) {
	type event struct {
		Len       uint32
		Ethertype uint16
		Protocol  uint8
		Kind      uint8
	}
	each(t, "ringbuf", func(t *testing.T, coll *gbpf.Collection) {
		rd, err := gbpf.NewRingBufReader(coll.Maps["events"])
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		var want []event
		for _, p := range capture {
			data := p.build(t)
			et := binary.BigEndian.Uint16(data[12:14])
			ret := run(t, coll, "packet_events", &gbpf.RunOptions{Data: data})
			if et == 0x0806 {
				// ARP is reserved and discarded: the reader never sees it.
				if ret != xdpDrop {
					t.Fatalf("ARP: return %d, want XDP_DROP", ret)
				}
				continue
			}
			if ret != xdpPass {
				t.Fatalf("return %d", ret)
			}
			if et == 0x0800 {
				want = append(want, event{uint32(len(data)), et, data[23], 1})
			} else {
				want = append(want, event{uint32(len(data)), et, 0, 2})
			}
		}
		// 8 bytes of header and 8 of event per record, and the ARP
		// packet's discarded record before the last one.
		if got := u64(t, coll, "ring_state", uint32(0)); got != uint64(16*(len(want)+1)) {
			t.Errorf("avail data = %d, want %d", got, 16*(len(want)+1))
		}
		if got := u64(t, coll, "ring_state", uint32(1)); got != 4096 {
			t.Errorf("ring size = %d, want 4096", got)
		}
		rd.SetDeadline(time.Now().Add(5 * time.Second))
		for i, w := range want {
			rec, err := rd.Read()
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			var e event
			if len(rec.RawSample) != 8 {
				t.Fatalf("record %d: %d bytes, want 8", i, len(rec.RawSample))
			}
			e.Len = binary.NativeEndian.Uint32(rec.RawSample)
			e.Ethertype = binary.NativeEndian.Uint16(rec.RawSample[4:])
			e.Protocol, e.Kind = rec.RawSample[6], rec.RawSample[7]
			if e != w {
				t.Errorf("record %d = %+v, want %+v", i, e, w)
			}
		}
		rd.SetDeadline(time.Now().Add(10 * time.Millisecond))
		if rec, err := rd.Read(); err == nil {
			t.Errorf("unexpected record %x (the discarded one?)", rec.RawSample)
		}
	})
}

func TestPerfOutput(t *testing.T) {
	each(t, "perf_output", func(t *testing.T, coll *gbpf.Collection) {
		data := pkt{src: "10.0.0.1", dst: "10.0.0.2", proto: layers.IPProtocolUDP, payload: "perf"}.build(t)
		// No reader: the output fails with -ENOENT and the program aborts.
		if ret := run(t, coll, "sample_packets", &gbpf.RunOptions{Data: data}); ret != xdpAborted {
			t.Fatalf("without a reader: return %d, want XDP_ABORTED", ret)
		}
		rd, err := gbpf.NewPerfReader(coll.Maps["samples"], 4096)
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		for range 3 {
			if ret := run(t, coll, "sample_packets", &gbpf.RunOptions{Data: data}); ret != xdpPass {
				t.Fatalf("return %d, want XDP_PASS", ret)
			}
		}
		rd.SetDeadline(time.Now().Add(5 * time.Second))
		for i := range 3 {
			rec, err := rd.Read()
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.RawSample) != 24 {
				t.Fatalf("sample %d: %d bytes, want 24", i, len(rec.RawSample))
			}
			n := binary.NativeEndian.Uint32(rec.RawSample)
			cpu := binary.NativeEndian.Uint32(rec.RawSample[4:])
			if n != uint32(len(data)) || int(cpu) != rec.CPU || string(rec.RawSample[8:]) != string(data[:16]) {
				t.Errorf("sample %d: len %d cpu %d (record's %d) head %x", i, n, cpu, rec.CPU, rec.RawSample[8:])
			}
		}
	})
}

func TestLoop(t *testing.T) {
	each(t, "loop", func(t *testing.T, coll *gbpf.Collection) {
		for _, n := range []uint64{14, 20, 67, 68, 100, 1500} {
			var sum, iters uint64
			done := uint64(0)
			for i := range n {
				sum += i * i
				iters++
				if sum > 100000 {
					done = i + 1
					break
				}
			}
			if done == 0 {
				done = n
			}
			want := uint64(uint32(sum*1000+iters) ^ uint32(done<<24))
			if got := run(t, coll, "sum_squares", &gbpf.RunOptions{Data: make([]byte, n)}); got != want {
				t.Errorf("n=%d: %#x, want %#x", n, got, want)
			}
		}
	})
}

func TestForEachMapElem(t *testing.T) {
	each(t, "for_each", func(t *testing.T, coll *gbpf.Collection) {
		values := coll.Maps["values"]
		var odd uint64
		for k := uint32(1); k <= 10; k++ {
			if err := values.Update(k, uint64(k*10), gbpf.UpdateAny); err != nil {
				t.Fatal(err)
			}
			if k%2 == 1 {
				odd += uint64(k * 10)
			}
		}
		if got := run(t, coll, "walk_values", &gbpf.RunOptions{Data: make([]byte, 14)}); got != 10 {
			t.Errorf("visited %d elements, want 10", got)
		}
		if got := u64(t, coll, "result", uint32(0)); got != odd {
			t.Errorf("odd sum = %d, want %d", got, odd)
		}
		for k := uint32(1); k <= 10; k++ {
			if got := u64(t, coll, "values", k); got != uint64(k*10+1) {
				t.Errorf("values[%d] = %d, want %d (the callback adds 1)", k, got, k*10+1)
			}
		}
		// Key 99 stops the walk where it is met.
		if err := values.Update(uint32(99), uint64(0), gbpf.UpdateAny); err != nil {
			t.Fatal(err)
		}
		got := run(t, coll, "walk_values", &gbpf.RunOptions{Data: make([]byte, 14)})
		if got < 1 || got > 11 || u64(t, coll, "result", uint32(1)) != got {
			t.Errorf("walk with stop key: %d visited, result says %d", got, u64(t, coll, "result", uint32(1)))
		}
		if u64(t, coll, "values", uint32(99)) != 0 {
			t.Error("the stop key's value was changed")
		}
	})
}

func TestStrncmp(t *testing.T) {
	each(t, "strncmp", func(t *testing.T, coll *gbpf.Collection) {
		for _, c := range []struct {
			payload string
			want    uint64
		}{
			{"GET /index.html", xdpPass},
			{"POST /form", 20}, // "POST" > "GET "
			{"PUT x", 20},
			{"ABCD", 10},
			{"GET ", xdpPass},
		} {
			data := pkt{src: "10.0.0.1", dst: "10.0.0.2", proto: layers.IPProtocolUDP, payload: c.payload}.build(t)
			if got := run(t, coll, "match_method", &gbpf.RunOptions{Data: data}); got != c.want {
				t.Errorf("%q: %d, want %d", c.payload, got, c.want)
			}
		}
		for i, want := range []uint64{2, 1, 2} {
			if got := u64(t, coll, "methods", uint32(i)); got != want {
				t.Errorf("methods[%d] = %d, want %d", i, got, want)
			}
		}
	})
}

func TestSpinLock(t *testing.T) {
	type totals struct {
		Lock, Pad      uint32
		Packets, Bytes uint64
	}
	each(t, "spin_lock", func(t *testing.T, coll *gbpf.Collection) {
		const workers, runs = 4, 500
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				data := make([]byte, 20+w)
				for range runs {
					if _, err := coll.Programs["add_locked"].Run(&gbpf.RunOptions{Data: data}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		var got totals
		lookup(t, coll, "totals", uint32(0), &got)
		want := totals{Packets: workers * runs, Bytes: runs * (20 + 21 + 22 + 23)}
		if got != want {
			t.Errorf("totals = %+v, want %+v", got, want)
		}
	})
}

func TestKconfig(t *testing.T) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var a, b, c uint32
	release := unix.ByteSliceToString(u.Release[:])
	for i, p := range []*uint32{&a, &b, &c} {
		for len(release) > 0 && release[0] >= '0' && release[0] <= '9' {
			*p = *p*10 + uint32(release[0]-'0')
			release = release[1:]
		}
		if i < 2 && len(release) > 0 && release[0] == '.' {
			release = release[1:]
		}
	}
	want := a<<16 | b<<8 | min(c, 255)
	each(t, "kconfig", func(t *testing.T, coll *gbpf.Collection) {
		if ret := run(t, coll, "kernel_version", &gbpf.RunOptions{Data: make([]byte, 14)}); ret != xdpPass {
			t.Errorf("return %d", ret)
		}
		var got uint32
		lookup(t, coll, "version", uint32(0), &got)
		if got != want {
			t.Errorf("LINUX_KERNEL_VERSION = %#x, want %#x", got, want)
		}
		var hz, bpf uint32
		lookup(t, coll, "config", uint32(0), &hz)
		lookup(t, coll, "config", uint32(1), &bpf)
		if _, err := os.Stat("/proc/config.gz"); err == nil {
			if hz < 100 || hz > 1000 {
				t.Errorf("CONFIG_HZ = %d", hz)
			}
			if bpf != 1 {
				t.Errorf("CONFIG_BPF_SYSCALL = %d, want 1 (y)", bpf)
			}
		}
		// .kconfig is read-only for programs.
		if coll.Maps[".kconfig"].Spec().Flags&maps.ReadOnlyProg == 0 {
			t.Error(".kconfig is writable by programs")
		}
	})
}

func TestSubprograms(t *testing.T) {
	fold := func(x uint64) uint64 { return (x * 31) ^ (x >> 3) }
	each(t, "subprog", func(t *testing.T, coll *gbpf.Collection) {
		var want0, want1 uint64
		for _, p := range capture {
			data := p.build(t)
			var buf [32]byte
			if len(data) >= 32 {
				copy(buf[:], data)
			}
			h := uint64(7)
			for i := 0; i < 32 && i < len(data); i++ {
				h = fold(h + uint64(buf[i]))
			}
			if got := run(t, coll, "first", &gbpf.RunOptions{Data: data}); got != h&0x7fffffff {
				t.Errorf("first: %#x, want %#x", got, h&0x7fffffff)
			}
			want0 += h & 0xffff
			run(t, coll, "second", &gbpf.RunOptions{Data: data})
			want1 += fold(uint64(len(data)))
		}
		if got := u64(t, coll, "shared", uint32(0)); got != want0 {
			t.Errorf("shared[0] = %d, want %d", got, want0)
		}
		if got := u64(t, coll, "shared", uint32(1)); got != want1 {
			t.Errorf("shared[1] = %d, want %d", got, want1)
		}
	})
}

var _ = errors.Is
