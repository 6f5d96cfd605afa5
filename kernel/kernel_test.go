//go:build linux

package kernel

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/internal/testutil"
)

func requireKernel(t *testing.T) {
	t.Helper()
	if err := Supported(); err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	if _, err := TracefsDir(); err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	testutil.LockTracing(t)
}

// getppidLoop calls getppid n times from a locked OS thread and returns
// the thread's id.
func getppidLoop(n int) int {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for range n {
		unix.Getppid()
	}
	return unix.Gettid()
}

func TestTracepointReader(t *testing.T) {
	requireKernel(t)
	// 1000 records of about 40 bytes, all on one CPU, need more than 8
	// pages: the reader drains only after the loop.
	r, err := OpenTracepoint("syscalls", "sys_enter_getppid", ReaderOptions{RingPages: 64})
	if err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	defer r.Close()
	pidField := r.Format().Field("common_pid")
	nrField := r.Format().Field("__syscall_nr")
	if pidField == nil || nrField == nil {
		t.Fatalf("format lacks common_pid or __syscall_nr: %+v", r.Format().Fields)
	}
	const calls = 1000
	start := uint64(time.Now().UnixNano())
	_ = start
	var before unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &before)
	tid := getppidLoop(calls)
	var after unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &after)

	mine := 0
	deadline := time.Now().Add(5 * time.Second)
	for mine+int(r.Lost()) < calls && time.Now().Before(deadline) {
		_, err := r.Read(100*time.Millisecond, func(s *Sample) error {
			pid, err := pidField.Int(s.Raw)
			if err != nil {
				return err
			}
			if int(pid) != tid {
				return nil
			}
			nr, err := nrField.Int(s.Raw)
			if err != nil {
				return err
			}
			if nr != unix.SYS_GETPPID {
				t.Errorf("__syscall_nr = %d, want %d", nr, unix.SYS_GETPPID)
			}
			if s.Time < uint64(before.Nano()) || s.Time > uint64(after.Nano()) {
				t.Errorf("sample time %d outside [%d, %d]", s.Time, before.Nano(), after.Nano())
			}
			mine++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if mine+int(r.Lost()) < calls || mine == 0 {
		t.Errorf("saw %d of %d records (+%d lost)", mine, calls, r.Lost())
	}
	t.Logf("%d records of ours, %d lost, %d in all", mine, r.Lost(), r.Samples())
}

func TestTracepointReaderLost(t *testing.T) {
	requireKernel(t)
	// One page of ring cannot hold 20000 records: the kernel must report
	// the ones it dropped.
	r, err := OpenTracepoint("syscalls", "sys_enter_getppid", ReaderOptions{RingPages: 1, CPUs: []int{0}})
	if err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	defer r.Close()
	// onCPU0 calls getppid n times from a thread pinned to CPU 0.
	onCPU0 := func(n int) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var set unix.CPUSet
			set.Set(0)
			if err := unix.SchedSetaffinity(0, &set); err != nil {
				t.Errorf("pin to cpu 0: %v", err)
			}
			for range n {
				unix.Getppid()
			}
		}()
		<-done
	}
	drain := func() {
		for {
			n, err := r.Read(50*time.Millisecond, func(*Sample) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
		}
	}
	onCPU0(20000)
	drain()
	// The kernel reports the loss with the next record that fits.
	onCPU0(10)
	drain()
	if r.Lost() == 0 {
		t.Errorf("no lost records reported (%d read)", r.Samples())
	}
	if r.Samples()+r.Lost() < 20010 {
		t.Errorf("read %d + lost %d < 20010", r.Samples(), r.Lost())
	}
}

func TestTracepointReaderClose(t *testing.T) {
	requireKernel(t)
	r, err := OpenTracepoint("syscalls", "sys_enter_getppid", ReaderOptions{})
	if err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	errc := make(chan error)
	go func() {
		for {
			if _, err := r.Read(-1, func(*Sample) error { return nil }); err != nil {
				errc <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Read after Close = %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake Read")
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOpenTracepointErrors(t *testing.T) {
	requireKernel(t)
	for _, tc := range [][2]string{{"no_such_group", "x"}, {"..", "x"}, {"syscalls", "a/b"}} {
		if _, err := OpenTracepoint(tc[0], tc[1], ReaderOptions{}); err == nil {
			t.Errorf("OpenTracepoint(%q, %q): no error", tc[0], tc[1])
		}
	}
	if _, err := OpenTracepoint("syscalls", "sys_enter_getppid", ReaderOptions{RingPages: 3}); err == nil {
		t.Error("ring of 3 pages: no error")
	}
}

// counterSpec is a tracepoint or kprobe program that counts its runs in
// slot 0 of an array map.
func counterSpec(progType ebpf.ProgramType) *ebpf.CollectionSpec {
	return &ebpf.CollectionSpec{
		Maps: map[string]*ebpf.MapSpec{
			"counter": {Name: "counter", Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1},
		},
		Programs: map[string]*ebpf.ProgramSpec{
			"count": {
				Name:    "count",
				Type:    progType,
				License: "GPL",
				Instructions: asm.Instructions{
					asm.StoreImm(asm.R10, -4, 0, asm.Word),
					asm.LoadMapPtr(asm.R1, 0).WithReference("counter"),
					asm.Mov.Reg(asm.R2, asm.R10),
					asm.Add.Imm(asm.R2, -4),
					asm.FnMapLookupElem.Call(),
					asm.JEq.Imm(asm.R0, 0, "out"),
					asm.Mov.Imm(asm.R1, 1),
					asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
					asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
					asm.Return(),
				},
			},
		},
	}
}

func readCounter(t *testing.T, c *Collection) uint64 {
	t.Helper()
	m, err := c.Map("counter")
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	err = IterateMap(m, func(k, v []byte) error {
		n += binary.LittleEndian.Uint64(v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAttach(t *testing.T) {
	requireKernel(t)
	tests := []struct {
		name     string
		progType ebpf.ProgramType
		attach   func(*Collection) error
	}{
		{"tracepoint", ebpf.TracePoint, func(c *Collection) error {
			return c.AttachTracepoint("count", "syscalls", "sys_enter_getppid")
		}},
		{"kprobe", ebpf.Kprobe, func(c *Collection) error { return c.AttachKprobe("count", "__x64_sys_getppid") }},
		{"kretprobe", ebpf.Kprobe, func(c *Collection) error { return c.AttachKretprobe("count", "__x64_sys_getppid") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name != "tracepoint" {
				if runtime.GOARCH != "amd64" {
					t.Skip("symbol name is amd64's")
				}
				if err := KprobesSupported(); err != nil {
					t.Skip(err)
				}
			}
			c, err := LoadCollection(counterSpec(tt.progType))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := tt.attach(c); err != nil {
				t.Fatal(err)
			}
			getppidLoop(500)
			if n := readCounter(t, c); n < 500 {
				t.Errorf("counter = %d after 500 getppid calls", n)
			}
			if err := c.Detach(); err != nil {
				t.Fatal(err)
			}
			n := readCounter(t, c)
			getppidLoop(100)
			if m := readCounter(t, c); m != n {
				t.Errorf("counter moved from %d to %d after Detach", n, m)
			}
		})
	}
}

// TestLoadCollectionFile loads a clang-built object, the way gbpf's
// runtime loads the same file.
func TestLoadCollectionFile(t *testing.T) {
	requireKernel(t)
	c, err := LoadCollectionFile("testdata/counter.bpf.o")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.AttachTracepoint("count", "syscalls", "sys_enter_getppid"); err != nil {
		t.Fatal(err)
	}
	getppidLoop(300)
	if n := readCounter(t, c); n < 300 {
		t.Errorf("counter = %d after 300 getppid calls", n)
	}
	if _, err := LoadCollectionFile("testdata/block_rq_issue.format"); err == nil {
		t.Error("loading a text file as an object: no error")
	}
}

func TestAttachUprobe(t *testing.T) {
	requireKernel(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadCollection(counterSpec(ebpf.Kprobe))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// go test strips the symbol table of the binaries it runs, so attach
	// by file offset, found from the function's address.
	off, err := fileOffset(exe, uint64(reflect.ValueOf(uprobeTarget).Pointer()))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AttachUprobeOffset("count", exe, off); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		uprobeSink += uprobeTarget(i)
	}
	if n := readCounter(t, c); n != 10 {
		t.Errorf("uprobe counter = %d, want 10", n)
	}
	if err := c.AttachUprobe("count", exe, "no.such.symbol"); err == nil {
		t.Error("uprobe on a missing symbol: no error")
	}
}

// TestAttachUprobeSymbol attaches by name to libc's getppid, which bash
// calls at startup to set $PPID.
func TestAttachUprobeSymbol(t *testing.T) {
	requireKernel(t)
	libc := "/lib/x86_64-linux-gnu/libc.so.6"
	bash, err := exec.LookPath("bash")
	if _, serr := os.Stat(libc); serr != nil || err != nil {
		t.Skip("needs bash and " + libc)
	}
	c, err := LoadCollection(counterSpec(ebpf.Kprobe))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.AttachUprobe("count", libc, "getppid"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if out, err := exec.Command(bash, "-c", "true").CombinedOutput(); err != nil {
			t.Fatalf("bash: %v: %s", err, out)
		}
	}
	if n := readCounter(t, c); n < 3 {
		t.Errorf("uprobe on libc getppid counted %d calls from 3 bash runs", n)
	}
	if err := c.AttachUretprobe("count", libc, "getppid"); err != nil {
		t.Fatal(err)
	}
}

// fileOffset converts a virtual address of the executable at path into
// its offset in the file.
func fileOffset(path string, addr uint64) (uint64, error) {
	f, err := elf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && addr >= p.Vaddr && addr < p.Vaddr+p.Filesz {
			return addr - p.Vaddr + p.Off, nil
		}
	}
	return 0, fmt.Errorf("address %#x is in no executable segment of %s", addr, path)
}

//go:noinline
func uprobeTarget(i int) int { return i * 3 }

// uprobeSink keeps the calls of uprobeTarget.
var uprobeSink int

func TestCollectionErrors(t *testing.T) {
	requireKernel(t)
	c, err := LoadCollection(counterSpec(ebpf.TracePoint))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Program("nope"); err == nil {
		t.Error("Program(nope): no error")
	}
	if _, err := c.Map("nope"); err == nil {
		t.Error("Map(nope): no error")
	}
	if err := c.AttachTracepoint("count", "no_such_group", "x"); err == nil {
		t.Error("attach to a missing tracepoint: no error")
	}
	bad := counterSpec(ebpf.TracePoint)
	bad.Programs["count"].Instructions = asm.Instructions{asm.Return()} // r0 never set
	if _, err := LoadCollection(bad); err == nil {
		t.Error("loading a program the verifier rejects: no error")
	}
}

func TestClearMap(t *testing.T) {
	requireKernel(t)
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for i := uint32(0); i < 20; i++ {
		if err := m.Put(i, uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	if err := IterateMap(m, func(k, v []byte) error { n++; return nil }); err != nil || n != 20 {
		t.Fatalf("IterateMap: %d keys, %v", n, err)
	}
	if err := ClearMap(m); err != nil {
		t.Fatal(err)
	}
	n = 0
	if err := IterateMap(m, func(k, v []byte) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("after ClearMap: %d keys, %v", n, err)
	}
}

// TestReadAllocatesNothing checks that draining records allocates nothing
// once the reader is warm.
func TestReadAllocatesNothing(t *testing.T) {
	requireKernel(t)
	r, err := OpenTracepoint("syscalls", "sys_enter_getppid", ReaderOptions{RingPages: 16})
	if err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	defer r.Close()
	var n int
	count := func(*Sample) error { n++; return nil }
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	allocs := testing.AllocsPerRun(50, func() {
		for range 100 {
			unix.Getppid()
		}
		if _, err := r.Read(0, count); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Read allocates %v times per 100 records", allocs)
	}
	if n < 100*50 {
		t.Errorf("read %d records, want >= %d", n, 100*50)
	}
}

// BenchmarkTracepointRead measures copying records through the perf rings:
// each iteration fires the tracepoint 64 times and drains the records.
func BenchmarkTracepointRead(b *testing.B) {
	if err := Supported(); err != nil {
		b.Skip(err)
	}
	testutil.LockTracing(b)
	r, err := OpenTracepoint("syscalls", "sys_enter_getppid", ReaderOptions{RingPages: 256})
	if err != nil {
		b.Skip(err)
	}
	defer r.Close()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var n int
	count := func(*Sample) error { n++; return nil }
	b.ReportAllocs()
	for b.Loop() {
		for range 64 {
			unix.Getppid()
		}
		if _, err := r.Read(0, count); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(max(n, 1)), "ns/record")
	b.ReportMetric(float64(r.Lost()), "lost")
}
