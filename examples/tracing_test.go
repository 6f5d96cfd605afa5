//go:build linux

package examples_test

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"os"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/helpers"
)

// exitReadRecord is a syscalls:sys_exit_read record.
func exitReadRecord(pid int32, ret int64) []byte {
	b := make([]byte, 24)
	binary.NativeEndian.PutUint16(b, 700) // common_type
	binary.NativeEndian.PutUint32(b[4:], uint32(pid))
	binary.NativeEndian.PutUint32(b[8:], 0) // __syscall_nr: read
	binary.NativeEndian.PutUint64(b[16:], uint64(ret))
	return b
}

func TestTracepointHistogram(t *testing.T) {
	rets := []int64{-11, 0, 1, 1, 2, 3, 7, 8, 100, 4096, 4097, 65535, 1 << 20, -4, 1 << 40}
	want := make([]uint64, 32)
	var errs uint64
	for _, r := range rets {
		switch {
		case r < 0:
			errs++
		case r == 0:
			want[0]++
		default:
			want[min(bits.Len64(uint64(r)), 31)]++
		}
	}
	each(t, "tp_hist", func(t *testing.T, coll *gbpf.Collection) {
		for _, r := range rets {
			if ret := run(t, coll, "read_sizes", &gbpf.RunOptions{Context: exitReadRecord(42, r)}); ret != 0 {
				t.Fatalf("return %d", ret)
			}
		}
		for slot, w := range want {
			if got := u64(t, coll, "hist", uint32(slot)); got != w {
				t.Errorf("slot %d = %d, want %d", slot, got, w)
			}
		}
		if got := u64(t, coll, "errors", uint32(0)); got != errs {
			t.Errorf("errors = %d, want %d", got, errs)
		}
		// A record shorter than the declared struct is padded with zeros.
		run(t, coll, "read_sizes", &gbpf.RunOptions{Context: make([]byte, 8)})
		if got := u64(t, coll, "hist", uint32(0)); got != want[0]+1 {
			t.Errorf("slot 0 after a short record = %d, want %d", got, want[0]+1)
		}
	})
}

// sysEnterBTF describes a kernel whose trace_entry has grown by 8 bytes,
// so that every field of trace_event_raw_sys_enter moves.
func sysEnterBTF(t testing.TB) *btf.Spec {
	t.Helper()
	u8 := &btf.Int{Name: "unsigned char", Size: 1}
	u16 := &btf.Int{Name: "unsigned short", Size: 2}
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	i64 := &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	u64 := &btf.Int{Name: "unsigned long", Size: 8}
	entry := &btf.Struct{Name: "trace_entry", Size: 16, Members: []btf.Member{
		{Name: "type", Type: u16, Offset: 0},
		{Name: "flags", Type: u8, Offset: 16},
		{Name: "preempt_count", Type: u8, Offset: 24},
		{Name: "padding", Type: i64, Offset: 32},
		{Name: "pid", Type: i32, Offset: 96},
	}}
	sysEnter := &btf.Struct{Name: "trace_event_raw_sys_enter", Size: 16 + 8 + 48, Members: []btf.Member{
		{Name: "ent", Type: entry, Offset: 0},
		{Name: "id", Type: i64, Offset: 16 * 8},
		{Name: "args", Type: &btf.Array{Type: u64, Nelems: 6, Index: u64}, Offset: 24 * 8},
	}}
	b, err := btf.NewBuilder([]btf.Type{sysEnter}, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// sysEnterRecord builds a record in the moved layout of sysEnterBTF (moved)
// or in the kernel's (pid at 4, id at 8, args at 16).
func sysEnterRecord(moved bool, pid int32, id int64, arg0 uint64) []byte {
	b := make([]byte, 72)
	pidOff, idOff, argOff := 4, 8, 16
	if moved {
		pidOff, idOff, argOff = 12, 16, 24
	}
	binary.NativeEndian.PutUint32(b[pidOff:], uint32(pid))
	binary.NativeEndian.PutUint64(b[idOff:], uint64(id))
	binary.NativeEndian.PutUint64(b[argOff:], arg0)
	return b
}

func TestSyscountCORE(t *testing.T) {
	type data struct{ Count, Arg0Sum uint64 }
	type event struct {
		pid  int32
		id   int64
		arg0 uint64
	}
	events := []event{{100, 0, 3}, {100, 1, 4}, {200, 0, 5}, {100, 0, 6}, {300, 600, 1}}
	targets := []struct {
		name  string
		types func(t testing.TB) *btf.Spec
		moved bool
	}{
		{"provided", sysEnterBTF, true},
		{"vmlinux", nil, false},
	}
	for _, target := range targets {
		for _, cfg := range configs {
			t.Run(target.name+"/"+cfg.name, func(t *testing.T) {
				if target.types == nil {
					if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
						t.Skip("no kernel BTF")
					}
				}
				s := spec(t, "syscount")
				if !s.NeedsCORE() {
					t.Fatal("syscount has no CO-RE relocations")
				}
				if err := s.Variables["filter_pid"].Set(int32(100)); err != nil {
					t.Fatal(err)
				}
				opts := cfg.opts
				opts.Privileged = needsRoot["syscount"]
				if target.types != nil {
					opts.KernelTypes = target.types(t)
				}
				coll, err := gbpf.NewCollection(s, &opts)
				if err != nil {
					t.Fatal(err)
				}
				defer coll.Close()
				for _, e := range events {
					run(t, coll, "sys_enter", &gbpf.RunOptions{Context: sysEnterRecord(target.moved, e.pid, e.id, e.arg0)})
				}
				want := map[uint32]data{0: {2, 9}, 1: {1, 4}}
				got := map[uint32]data{}
				var k uint32
				var v data
				it := coll.Maps["data"].Iterate()
				for it.Next(&k, &v) {
					got[k] = v
				}
				if err := it.Err(); err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
					t.Errorf("data = %v, want %v", got, want)
				}
			})
		}
	}
	t.Run("count_by_process", func(t *testing.T) {
		s := spec(t, "syscount")
		if err := s.Variables["count_by_process"].Set(true); err != nil {
			t.Fatal(err)
		}
		coll, err := gbpf.NewCollection(s, &gbpf.Options{Checked: configs[0].opts.Checked, KernelTypes: sysEnterBTF(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer coll.Close()
		for _, e := range events {
			run(t, coll, "sys_enter", &gbpf.RunOptions{Context: sysEnterRecord(true, e.pid, e.id, e.arg0)})
		}
		var d data
		lookup(t, coll, "data", uint32(100), &d)
		if d != (data{3, 13}) {
			t.Errorf("pid 100: %+v, want {3 13}", d)
		}
	})
}

func TestPrintk(t *testing.T) {
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			var trace bytes.Buffer
			rt, err := gbpf.NewRuntime(&gbpf.RuntimeOptions{Trace: &trace})
			if err != nil {
				t.Fatal(err)
			}
			opts := cfg.opts
			opts.Runtime = rt
			opts.Privileged = needsRoot["printk"]
			coll, err := gbpf.NewCollection(spec(t, "printk"), &opts)
			if err != nil {
				t.Fatal(err)
			}
			defer coll.Close()
			in := make([]byte, 32)
			binary.NativeEndian.PutUint32(in, uint32(0xfffffff9)) // -7
			binary.NativeEndian.PutUint32(in[4:], 3000000000)
			binary.NativeEndian.PutUint64(in[8:], 0xdeadbeefcafe)
			copy(in[16:], "gopher")
			const want = "a=-7 b=3000000000 c=deadbeefcafe name=gopher ch=Z pct=% neg=-5"
			if cfg.opts.Sanitize {
				// The data of bpf_snprintf holds the address of name for
				// %s: a leak under the unprivileged rules (Linux offers
				// bpf_snprintf to privileged loaders only).
				_, err := coll.Programs["format"].Run(&gbpf.RunOptions{Data: in})
				if err == nil || !strings.Contains(err.Error(), "address leak") || !strings.Contains(err.Error(), "snprintf") {
					t.Errorf("sanitized run of format: %v, want a leak at bpf_snprintf", err)
				}
				return
			}
			ret := run(t, coll, "format", &gbpf.RunOptions{Data: in})
			if ret != uint64(len(want)+1) {
				t.Errorf("snprintf returned %d, want %d", ret, len(want)+1)
			}
			out := make([]byte, 128)
			lookup(t, coll, "formatted", uint32(0), out)
			if cstr(out) != want {
				t.Errorf("snprintf wrote %q, want %q", cstr(out), want)
			}
			lines := strings.Split(strings.TrimSuffix(trace.String(), "\n"), "\n")
			wantLines := []string{"a=-7 b=3000000000 c=deadbeefcafe", "hex=b2d05e00 lx=deadbeefcafe", "name=gopher"}
			if strings.Join(lines, "|") != strings.Join(wantLines, "|") {
				t.Errorf("trace = %q, want %q", lines, wantLines)
			}
		})
	}
}

func TestCurrentTask(t *testing.T) {
	type info struct {
		PID, TGID, UID, GID uint32
		Comm                [16]byte
		Events              uint64
	}
	each(t, "current_task", func(t *testing.T, coll *gbpf.Collection) {
		task := &helpers.Task{PID: 4243, TGID: 4242, UID: 1000, GID: 100}
		copy(task.Comm[:], "nginx-worker")
		regs := make([]byte, 168)
		for range 3 {
			if ret := run(t, coll, "who", &gbpf.RunOptions{Context: regs, Task: task}); ret != 0 {
				t.Fatalf("return %d", ret)
			}
		}
		var got info
		lookup(t, coll, "tasks", uint32(4243), &got)
		want := info{PID: 4243, TGID: 4242, UID: 1000, GID: 100, Comm: task.Comm, Events: 3}
		if got != want {
			t.Errorf("task = %+v, want %+v", got, want)
		}
		// Without a task, the runtime reports this process.
		run(t, coll, "who", &gbpf.RunOptions{Context: regs})
		lookup(t, coll, "tasks", uint32(os.Getpid()), &got)
		if got.TGID != uint32(os.Getpid()) || got.UID != uint32(os.Getuid()) || cstr(got.Comm[:]) == "" {
			t.Errorf("default task = %+v", got)
		}
	})
}

func TestClock(t *testing.T) {
	each(t, "clock", func(t *testing.T, coll *gbpf.Collection) {
		var before, after unix.Timespec
		_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &before)
		run(t, coll, "sample", &gbpf.RunOptions{Data: []byte{}})
		_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &after)
		mono := u64(t, coll, "samples", uint32(0))
		if mono < uint64(before.Nano())-uint64(1e6) || mono > uint64(after.Nano())+uint64(1e6) {
			t.Errorf("ktime_get_ns = %d, outside [%d, %d]", mono, before.Nano(), after.Nano())
		}
		if boot := u64(t, coll, "samples", uint32(1)); boot < mono-uint64(1e6) {
			t.Errorf("ktime_get_boot_ns = %d < ktime_get_ns %d", boot, mono)
		}
		if j := u64(t, coll, "samples", uint32(2)); j == 0 || j > mono/(1e9/helpers.HZ)*2+1000 {
			t.Errorf("jiffies64 = %d", j)
		}
		r1, r2 := u64(t, coll, "samples", uint32(3)), u64(t, coll, "samples", uint32(4))
		if r1 > 0xffffffff || r2 > 0xffffffff || r1 == r2 {
			t.Errorf("get_prandom_u32 gave %#x then %#x", r1, r2)
		}
		if cpu := u64(t, coll, "samples", uint32(5)); cpu >= 4096 {
			t.Errorf("get_smp_processor_id = %d", cpu)
		}
		if node := u64(t, coll, "samples", uint32(6)); node != 0 {
			t.Errorf("get_numa_node_id = %d", node)
		}
	})
}

func TestProbeRead(t *testing.T) {
	type result struct {
		Copied, Str           [16]byte
		Bad                   [2]uint64
		RetOK, RetBad, RetStr int64
	}
	each(t, "probe_read", func(t *testing.T, coll *gbpf.Collection) {
		regs := make([]byte, 168)
		copy(regs[8:], "hello, world!!!!")
		binary.NativeEndian.PutUint64(regs[14*8:], 8)      // di: an offset into the context
		binary.NativeEndian.PutUint64(regs[13*8:], 0x1000) // si: nothing there
		if ret := run(t, coll, "read_args", &gbpf.RunOptions{Context: regs}); ret != 0 {
			t.Fatalf("return %d", ret)
		}
		var r result
		lookup(t, coll, "results", uint32(0), &r)
		if r.RetOK != 0 || string(r.Copied[:]) != "hello, world!!!!" {
			t.Errorf("probe_read_kernel = %d, %q", r.RetOK, r.Copied)
		}
		if r.RetStr != 16 || cstr(r.Str[:]) != "hello, world!!!" {
			t.Errorf("probe_read_kernel_str = %d, %q; want 16, the first 15 bytes", r.RetStr, r.Str)
		}
		if r.RetBad != -int64(unix.EFAULT) || r.Bad != [2]uint64{} {
			t.Errorf("probe_read_user of a wild pointer = %d, %x; want -EFAULT and zeros", r.RetBad, r.Bad)
		}
		// Reading past the end of the context faults too.
		binary.NativeEndian.PutUint64(regs[14*8:], 160)
		run(t, coll, "read_args", &gbpf.RunOptions{Context: regs})
		lookup(t, coll, "results", uint32(0), &r)
		if r.RetOK != -14 || r.Copied != [16]byte{} {
			t.Errorf("probe_read_kernel across the end = %d, %q; want -EFAULT and zeros", r.RetOK, r.Copied)
		}
	})
}

func TestKprobeArgs(t *testing.T) {
	type args struct{ Calls, FlagsOr, SizeSum uint64 }
	each(t, "kprobe_args", func(t *testing.T, coll *gbpf.Collection) {
		regs := make([]byte, 168)
		task := &helpers.Task{PID: 7, TGID: 5}
		for i, c := range []struct{ flags, size uint64 }{{1, 100}, {4, 200}, {1, 300}} {
			binary.NativeEndian.PutUint64(regs[13*8:], c.flags) // si
			binary.NativeEndian.PutUint64(regs[12*8:], c.size)  // dx
			if ret := run(t, coll, "record_args", &gbpf.RunOptions{Context: regs, Task: task}); ret != 0 {
				t.Fatalf("call %d: return %d", i, ret)
			}
		}
		var got args
		lookup(t, coll, "per_pid", uint32(5), &got)
		if got != (args{3, 5, 600}) {
			t.Errorf("per_pid[5] = %+v, want {3 5 600}", got)
		}
	})
}

// TestSyscountCOREMissingType resolves syscount against a kernel that has
// no trace_event_raw_sys_enter: the relocations poison their
// instructions, so the verifier rejects the program and the checked
// interpreter stops at the first poisoned instruction it reaches.
func TestSyscountCOREMissingType(t *testing.T) {
	b, err := btf.NewBuilder([]btf.Type{&btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	target, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gbpf.NewCollection(spec(t, "syscount"), &gbpf.Options{KernelTypes: target}); err == nil {
		t.Error("the verifier accepted a program with poisoned CO-RE relocations")
	}
	coll, err := gbpf.NewCollection(spec(t, "syscount"), &gbpf.Options{Checked: true, KernelTypes: target})
	if err != nil {
		t.Fatal(err)
	}
	defer coll.Close()
	if _, err := coll.Programs["sys_enter"].Run(&gbpf.RunOptions{Context: make([]byte, 72)}); err == nil {
		t.Error("a poisoned instruction ran")
	}
}
