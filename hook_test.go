package gbpf_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gbpf/gbpf"
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
