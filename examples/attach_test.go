//go:build linux

package examples_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// syscountData is a value of syscount's data map.
type syscountData struct{ Count, Arg0Sum uint64 }

// TestAttachTracepoint attaches syscount's raw_syscalls:sys_enter program
// through the Link API on both backends: to the kernel's tracepoint, and
// to a hook of gbpf's runtime that the test fires with the same records.
// Each backend counts the getpid calls while the link is open (the
// kernel's, of every process: at least this test's) and none after
// Close. The records carry this thread's id, which the kernel's do only
// outside a pid name space, so the program does not filter by it.
func TestAttachTracepoint(t *testing.T) {
	const calls = 5
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := int32(unix.Gettid())
	count := func(t *testing.T, coll *gbpf.Collection) uint64 {
		var v syscountData
		err := coll.Maps["data"].Lookup(uint32(unix.SYS_GETPID), &v)
		if errors.Is(err, gbpf.ErrKeyNotExist) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return v.Count
	}
	load := func(t *testing.T, backend gbpf.Backend) *gbpf.Collection {
		s := spec(t, "syscount")
		if backend == gbpf.Kernel {
			return kernelCollection(t, s, nil)
		}
		return collection(t, s, config{"interpreter", gbpf.Options{Privileged: true}})
	}
	t.Run("kernel", func(t *testing.T) {
		coll := load(t, gbpf.Kernel)
		l, err := coll.Programs["sys_enter"].AttachTracepoint("raw_syscalls", "sys_enter")
		if err != nil {
			t.Fatal(err)
		}
		for range calls {
			unix.Getpid()
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		got := count(t, coll)
		for range calls {
			unix.Getpid()
		}
		if got < calls || count(t, coll) != got {
			t.Errorf("getpid counted %d times while attached (want at least %d), %d after Close", got, calls, count(t, coll))
		}
	})
	t.Run("gbpf", func(t *testing.T) {
		coll := load(t, gbpf.InProcess)
		rt, err := gbpf.DefaultRuntime()
		if err != nil {
			t.Fatal(err)
		}
		h, err := rt.NewHook(fmt.Sprintf("sys_enter-%p", t), progtype.Tracepoint)
		if err != nil {
			t.Fatal(err)
		}
		l, err := coll.Programs["sys_enter"].AttachHook(h)
		if err != nil {
			t.Fatal(err)
		}
		rec := sysEnterRecord(false, tid, unix.SYS_GETPID, 0)
		for range calls {
			if _, err := h.Fire(rec); err != nil {
				t.Fatal(err)
			}
		}
		// Update swaps in another collection's program, as the kernel's
		// links do.
		other := load(t, gbpf.InProcess)
		if err := l.Update(other.Programs["sys_enter"]); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Fire(rec); err != nil {
			t.Fatal(err)
		}
		if got := count(t, other); got != 1 {
			t.Errorf("after Update the new program counted %d calls, want 1", got)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Fire(rec); !errors.Is(err, gbpf.ErrNoProgram) {
			t.Errorf("fire after Close: %v, want ErrNoProgram", err)
		}
		if got := count(t, coll); got != calls {
			t.Errorf("getpid counted %d times, want %d", got, calls)
		}
	})
}

// libcPaths are where the C library is on the systems the tests run on.
var libcPaths = []string{
	"/lib/x86_64-linux-gnu/libc.so.6",
	"/lib/aarch64-linux-gnu/libc.so.6",
	"/usr/lib64/libc.so.6",
	"/lib64/libc.so.6",
	"/usr/lib/libc.so.6",
}

// TestAttachUprobe attaches kprobe_args's program as a uprobe on the C
// library's write and runs echo, which writes through it: the program
// counts echo's calls under its process id while the link is open, and
// nothing after Close.
func TestAttachUprobe(t *testing.T) {
	libc := ""
	for _, p := range libcPaths {
		if _, err := os.Stat(p); err == nil {
			libc = p
			break
		}
	}
	if libc == "" {
		t.Skip("no C library found")
	}
	echo, err := exec.LookPath("echo")
	if err != nil {
		t.Skip("no echo command")
	}
	coll := kernelCollection(t, spec(t, "kprobe_args"), nil)
	l, err := coll.Programs["record_args"].AttachUprobe(libc, "write")
	if err != nil {
		t.Fatal(err)
	}
	calls := func(pid int) uint64 {
		var v struct{ Calls, FlagsOr, SizeSum uint64 }
		err := coll.Maps["per_pid"].Lookup(uint32(pid), &v)
		if errors.Is(err, gbpf.ErrKeyNotExist) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return v.Calls
	}
	runEcho := func() int {
		cmd := exec.Command(echo, "gbpf")
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		return cmd.Process.Pid
	}
	attached := runEcho()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	detached := runEcho()
	if calls(attached) == 0 || calls(detached) != 0 {
		t.Errorf("write calls counted for echo: %d while attached (want some), %d after Close (want 0)", calls(attached), calls(detached))
	}
}

// counterAsm counts its runs in element 0 of its one map, an array of one
// u64, and returns RET: a program from gbpf's assembler, not from an ELF
// object.
const counterAsm = `
    stw [%%r10-4], 0
    lddw %%r1, map_idx 0
    mov %%r2, %%r10
    add %%r2, -4
    call 1
    jeq %%r0, 0, out
    mov %%r1, 1
    lock add [%%r0+0], %%r1
out:
    mov %%r0, %d
    exit
`

// counterSpec is a collection of counterAsm as a program of type typ.
func counterSpec(t *testing.T, typ progtype.Type, attach uint32, ret int) *gbpf.CollectionSpec {
	t.Helper()
	prog, err := asm.Assemble(fmt.Sprintf(counterAsm, ret))
	if err != nil {
		t.Fatal(err)
	}
	return &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{"count": {
			Name: "count", Type: typ, AttachType: attach, License: "GPL",
			Instructions: prog, Maps: []string{"counter"},
		}},
		Maps: map[string]*maps.Spec{"counter": {
			Name: "counter", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1, SpinLockOffset: -1,
		}},
	}
}

// counted reads counterSpec's counter.
func counted(t *testing.T, coll *gbpf.Collection) uint64 {
	t.Helper()
	var n uint64
	if err := coll.Maps["counter"].Lookup(uint32(0), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAssembledBothBackends runs a program written in gbpf's assembler on
// both backends and compares return values and the counter.
func TestAssembledBothBackends(t *testing.T) {
	s := counterSpec(t, progtype.XDP, 0, 2)
	kcoll := kernelCollection(t, s, nil)
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			gcoll := collection(t, s, cfg)
			for i, p := range captured(t) {
				kr, gr := run(t, kcoll, "count", &gbpf.RunOptions{Data: p}), run(t, gcoll, "count", &gbpf.RunOptions{Data: p})
				comparisons.returns.Add(1)
				if kr != gr {
					t.Errorf("packet %d: kernel returned %d, gbpf %d", i, kr, gr)
				}
			}
			if err := kcoll.Maps["counter"].Update(uint32(0), uint64(0), gbpf.UpdateAny); err != nil {
				t.Fatal(err)
			}
			run(t, kcoll, "count", &gbpf.RunOptions{Data: make([]byte, 14), Repeat: 3})
			comparisons.elements.Add(1)
			if k, g := counted(t, kcoll), counted(t, gcoll); k != 3 || g != uint64(len(captured(t))) {
				t.Errorf("counters: kernel %d (want 3), gbpf %d (want %d)", k, g, len(captured(t)))
			}
		})
	}
}

// sendLoopback sends a few UDP datagrams to this host through lo.
func sendLoopback(t *testing.T, n int) {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	c, err := net.Dial("udp4", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range n {
		if _, err := c.Write([]byte("gbpf")); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAttachNetwork attaches assembled counting programs to the loopback
// interface (XDP, tc ingress through tcx) and to the root cgroup
// (cgroup_skb egress), sends datagrams through lo, and checks that each
// counted them while attached and stopped at Close.
func TestAttachNetwork(t *testing.T) {
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Skipf("no loopback interface: %v", err)
	}
	const bpfCgroupInetEgress = 1
	cgroup := ""
	for _, dir := range []string{"/sys/fs/cgroup", "/sys/fs/cgroup/unified"} {
		var fs unix.Statfs_t
		if err := unix.Statfs(dir, &fs); err == nil && fs.Type == unix.CGROUP2_SUPER_MAGIC {
			cgroup = dir
			break
		}
	}
	cases := []struct {
		name   string
		typ    progtype.Type
		attach uint32
		ret    int
		link   func(p *gbpf.Program) (gbpf.Link, error)
	}{
		{"xdp", progtype.XDP, 0, 2, func(p *gbpf.Program) (gbpf.Link, error) { return p.AttachXDP(lo.Index) }},
		{"tc", progtype.SchedCLS, 0, 0, func(p *gbpf.Program) (gbpf.Link, error) { return p.AttachTC(lo.Index, true) }},
		{"cgroup_skb", progtype.CGroupSKB, bpfCgroupInetEgress, 1, func(p *gbpf.Program) (gbpf.Link, error) { return p.AttachCgroup(cgroup) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.typ == progtype.CGroupSKB && cgroup == "" {
				t.Skip("no cgroup v2 hierarchy mounted")
			}
			coll := kernelCollection(t, counterSpec(t, c.typ, c.attach, c.ret), nil)
			l, err := c.link(coll.Programs["count"])
			if errors.Is(err, gbpf.ErrNotSupported) {
				testutil.SkipWithoutKernel(t, err.Error())
			}
			if errors.Is(err, unix.EBUSY) || errors.Is(err, unix.EEXIST) {
				// Another process holds lo's XDP attachment.
				t.Skipf("attach point in use: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			sendLoopback(t, 3)
			// Update swaps in the program of a second collection,
			// which counts in its own map from then on.
			other := kernelCollection(t, counterSpec(t, c.typ, c.attach, c.ret), nil)
			if err := l.Update(other.Programs["count"]); err != nil {
				t.Fatal(err)
			}
			n := counted(t, coll)
			sendLoopback(t, 3)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			m := counted(t, other)
			sendLoopback(t, 3)
			if n < 3 || counted(t, coll) != n {
				t.Errorf("first program: counted %d packets while attached (want at least 3), %d after Update", n, counted(t, coll))
			}
			if m < 3 || counted(t, other) != m {
				t.Errorf("second program: counted %d packets while attached (want at least 3), %d after Close", m, counted(t, other))
			}
		})
	}
	t.Run("runtime", func(t *testing.T) {
		coll := collection(t, counterSpec(t, progtype.XDP, 0, 2), configs[2])
		if _, err := coll.Programs["count"].AttachXDP(lo.Index); !errors.Is(err, gbpf.ErrNotSupported) {
			t.Errorf("attaching a runtime program to the kernel's XDP: %v, want ErrNotSupported", err)
		}
	})
}
