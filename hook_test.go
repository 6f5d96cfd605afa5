package gbpf_test

import (
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/progtype"
)

// tcpPacket is an Ethernet/IPv4/TCP header with no payload.
func tcpPacket() []byte {
	b := make([]byte, 14+20+20)
	b[12], b[13] = 0x08, 0x00
	b[14] = 0x45
	b[14+9] = 6
	return b
}

func TestHookReplaceLosesNoEvent(t *testing.T) {
	for _, checked := range []bool{true, false} {
		name := "verified"
		if checked {
			name = "checked"
		}
		t.Run(name, func(t *testing.T) {
			rt, err := gbpf.NewRuntime(nil)
			if err != nil {
				t.Fatal(err)
			}
			coll, err := gbpf.LoadCollection("examples/bpf/tail_call.o", &gbpf.Options{Runtime: rt, Checked: checked})
			if err != nil {
				t.Fatal(err)
			}
			defer coll.Close()
			hook, err := rt.NewHook("xdp/eth0", progtype.XDP)
			if err != nil {
				t.Fatal(err)
			}
			// handle_tcp counts into calls[0] and returns XDP_PASS,
			// handle_udp into calls[1] and returns XDP_DROP.
			progs := []*gbpf.Program{coll.Programs["handle_tcp"], coll.Programs["handle_udp"]}
			if err := hook.Attach(progs[0]); err != nil {
				t.Fatal(err)
			}
			const firers, events = 8, 2000
			var returned [2]atomic.Uint64
			var wg sync.WaitGroup
			stop := make(chan struct{})
			replaced := make(chan int)
			go func() {
				n := 0
				for i := 1; ; i++ {
					select {
					case <-stop:
						replaced <- n
						return
					default:
					}
					if _, err := hook.Replace(progs[i%2]); err != nil {
						t.Error(err)
					}
					n++
				}
			}()
			pkt := tcpPacket()
			for range firers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range events {
						ret, err := hook.Fire(pkt)
						if err != nil {
							t.Error(err)
							return
						}
						switch ret {
						case 2:
							returned[0].Add(1)
						case 1:
							returned[1].Add(1)
						default:
							t.Errorf("return %d", ret)
						}
					}
				}()
			}
			wg.Wait()
			close(stop)
			if n := <-replaced; n < 10 {
				t.Logf("only %d replacements happened during the run", n)
			}
			var calls [2]uint64
			for i := range calls {
				if err := coll.Maps["calls"].Lookup(uint32(i), &calls[i]); err != nil {
					t.Fatal(err)
				}
			}
			if calls[0]+calls[1] != firers*events {
				t.Fatalf("counted %d + %d events, fired %d", calls[0], calls[1], firers*events)
			}
			for i := range calls {
				if calls[i] != returned[i].Load() {
					t.Errorf("program %d counted %d events and returned for %d", i, calls[i], returned[i].Load())
				}
			}
		})
	}
}

func TestHookErrors(t *testing.T) {
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := gbpf.LoadCollection("examples/bpf/tail_call.o", &gbpf.Options{Runtime: rt})
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	other, err := gbpf.LoadCollection("examples/bpf/array_stats.o", &gbpf.Options{Runtime: rt})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	hook, err := rt.NewHook("h", progtype.XDP)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.NewHook("h", progtype.XDP); err == nil {
		t.Error("a second hook with the same name was created")
	}
	if rt.Hook("h") != hook {
		t.Error("Hook(name) does not find the hook")
	}
	if _, err := hook.Fire(tcpPacket()); !errors.Is(err, gbpf.ErrNoProgram) {
		t.Errorf("Fire without a program: %v, want ErrNoProgram", err)
	}
	if err := hook.Attach(other.Programs["socket_stats"]); err == nil {
		t.Error("attached a socket filter to an XDP hook")
	}
	if err := hook.Attach(coll.Programs["handle_tcp"]); err != nil {
		t.Fatal(err)
	}
	if err := hook.Attach(coll.Programs["handle_udp"]); err == nil {
		t.Error("Attach replaced an attached program")
	}
	old, err := hook.Replace(coll.Programs["handle_udp"])
	if err != nil || old != coll.Programs["handle_tcp"] {
		t.Errorf("Replace = %v, %v", old, err)
	}
	if ret, err := hook.Fire(tcpPacket()); err != nil || ret != 1 {
		t.Errorf("Fire = %d, %v; want XDP_DROP", ret, err)
	}
	if _, err := hook.Fire(make([]byte, 4)); err == nil {
		t.Error("Fire with a 4-byte packet succeeded")
	}
	if p := hook.Detach(); p != coll.Programs["handle_udp"] || hook.Program() != nil {
		t.Error("Detach did not remove the program")
	}
	foreign, err := gbpf.LoadCollection("examples/bpf/tail_call.o", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer foreign.Close()
	if err := hook.Attach(foreign.Programs["handle_tcp"]); err == nil {
		t.Error("attached a program of another runtime")
	}
}

func TestKprobeHookConcurrent(t *testing.T) {
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := gbpf.LoadCollection("examples/bpf/current_task.o", &gbpf.Options{Runtime: rt})
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	hook, err := rt.NewHook("kprobe/do_sys_openat2", progtype.Kprobe)
	if err != nil {
		t.Fatal(err)
	}
	if err := hook.Attach(coll.Programs["who"]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			task := &helpers.Task{PID: uint32(100 + g), TGID: 100}
			for range 50 {
				if _, err := hook.FireTask(make([]byte, progtype.PtRegsSize), task); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for g := range 4 {
		var info struct {
			PID, TGID, UID, GID uint32
			Comm                [16]byte
			Events              uint64
		}
		if err := coll.Maps["tasks"].Lookup(uint32(100+g), &info); err != nil {
			t.Fatal(err)
		}
		if info.Events != 50 || info.TGID != 100 {
			t.Errorf("thread %d: %+v", 100+g, info)
		}
	}
}

// TestCloseReplacedProgram closes each program a hook no longer runs while
// events keep firing: runs in flight finish first, an event that picked a
// program closed before it started runs the new one, nothing crashes and
// no event is lost.
func TestCloseReplacedProgram(t *testing.T) {
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		t.Fatal(err)
	}
	hook, err := rt.NewHook("close", progtype.XDP)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := gbpf.LoadCollectionSpec("examples/bpf/tail_call.o")
	if err != nil {
		t.Fatal(err)
	}
	var colls []*gbpf.Collection
	defer func() {
		for _, c := range colls {
			c.Close()
		}
	}()
	load := func() *gbpf.Program {
		c, err := gbpf.NewCollection(spec, &gbpf.Options{Runtime: rt})
		if err != nil {
			t.Fatal(err)
		}
		colls = append(colls, c)
		return c.Programs["handle_tcp"] // counts in the array calls[0]
	}
	if err := hook.Attach(load()); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var fired atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := hook.Fire(udpPacket()); err != nil {
					t.Error(err)
					return
				}
				fired.Add(1)
			}
		}()
	}
	for range 50 {
		old, err := hook.Replace(load())
		if err != nil {
			t.Fatal(err)
		}
		if err := old.Close(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	// Every event ran on exactly one program: the sum of the counters.
	var total uint64
	for _, c := range colls {
		var n uint64
		if err := c.Maps["calls"].Lookup(uint32(0), &n); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total != uint64(fired.Load()) {
		t.Errorf("%d events fired, %d counted", fired.Load(), total)
	}
}

// TestCloseReplacedLeaf is TestCloseReplacedProgram for programs that the
// JIT runs as leaves, which the runtime calls directly: Close must wait
// for the events running them before it frees their code.
func TestCloseReplacedLeaf(t *testing.T) {
	rt, err := gbpf.NewRuntime(nil)
	if err != nil {
		t.Fatal(err)
	}
	hook, err := rt.NewHook("leaf", progtype.Raw)
	if err != nil {
		t.Fatal(err)
	}
	insns, err := asm.Assemble("ldxdw %r0, [%r1+0]\nadd %r0, 1\nexit")
	if err != nil {
		t.Fatal(err)
	}
	spec := &gbpf.CollectionSpec{Programs: map[string]*loader.ProgramSpec{
		"inc": {Name: "inc", Type: progtype.Raw, Instructions: insns, CtxSize: 8},
	}}
	load := func() *gbpf.Program {
		c, err := gbpf.NewCollection(spec, &gbpf.Options{Runtime: rt})
		if err != nil {
			t.Fatal(err)
		}
		return c.Programs["inc"]
	}
	first := load()
	if err := hook.Attach(first); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := make([]byte, 8)
			for i := uint64(0); ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				binary.LittleEndian.PutUint64(data, i+uint64(g))
				ret, err := hook.Fire(data)
				if err != nil || ret != i+uint64(g)+1 {
					t.Errorf("Fire: %d, %v; want %d", ret, err, i+uint64(g)+1)
					return
				}
			}
		}()
	}
	for range 50 {
		old, err := hook.Replace(load())
		if err != nil {
			t.Fatal(err)
		}
		if err := old.Close(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	hook.Detach().Close()
}
