package bpftrace

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"github.com/gbpf/gbpf"
)

// TestHooks runs a script on hooks that the test fires from Go, on both
// engines, and checks the aggregations.
func TestHooks(t *testing.T) {
	src := `hook:request { @lat = hist(arg0); @by[arg1] = count(); @total = sum(arg0); @max = max(arg0); }
hook:request /arg0 > 1000/ { printf("slow %d on %d\n", arg0, arg1); }
hook:done { @done = count(); }`
	want := "Attaching 3 probes...\nslow 4096 on 2\n\n\n@by[1]: 3\n@by[2]: 3\n@done: 1\n" +
		"@lat: \n[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[2, 4)                 0 |                                                    |\n" +
		"[4, 8)                 0 |                                                    |\n[8, 16)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
		"[16, 32)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[32, 64)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n" +
		"[64, 128)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[128, 256)             0 |                                                    |\n" +
		"[256, 512)             0 |                                                    |\n[512, 1K)              0 |                                                    |\n" +
		"[1K, 2K)               0 |                                                    |\n[2K, 4K)               0 |                                                    |\n" +
		"[4K, 8K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@max: 4096\n@total: 4247\n"
	for _, eng := range []gbpf.Engine{gbpf.EngineInterpreter, gbpf.EngineJIT} {
		t.Run(eng.String(), func(t *testing.T) {
			s, err := Compile(src, nil)
			if err != nil {
				t.Fatal(err)
			}
			rt, err := gbpf.NewRuntime(nil)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			ss, err := s.Start(&RunOptions{Mode: ModeInProcess, Output: &out, Runtime: rt, Engine: eng})
			if err != nil {
				t.Fatal(err)
			}
			req := ss.Hook("request")
			if req == nil || rt.Hook("done") == nil {
				t.Fatal("hooks not created")
			}
			rec := make([]byte, 8*hookArgs)
			for i, v := range []uint64{1, 10, 20, 40, 80, 4096} {
				binary.LittleEndian.PutUint64(rec, v)
				binary.LittleEndian.PutUint64(rec[8:], uint64(1+i%2))
				if _, err := req.Fire(rec); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := rt.Hook("done").Fire(rec); err != nil {
				t.Fatal(err)
			}
			if err := ss.Stop(); err != nil {
				t.Fatal(err)
			}
			if out.String() != want {
				t.Errorf("got\n%s\nwant\n%s", out.String(), want)
			}
		})
	}
}

// TestCompileTracepoints compiles tracepoint scripts against saved
// formats and checks that gbpf's verifier accepts every program.
func TestCompileTracepoints(t *testing.T) {
	for _, src := range []string{
		`tracepoint:syscalls:sys_enter_openat /comm == "cat"/ { @[str(args->filename)] = count(); }`,
		`tracepoint:syscalls:sys_enter_openat { @filename[tid] = args->filename; }
tracepoint:syscalls:sys_exit_openat /@filename[tid]/ { $ret = args->ret; $fd = $ret >= 0 ? $ret : -1;
  printf("%-6d %-16s %4d %s\n", pid, comm, $fd, str(@filename[tid])); delete(@filename[tid]); }`,
		`tracepoint:sched:sched_process_fork { @[args->parent_comm] = count(); printf("%s %d\n", args->child_comm, args->child_pid); }`,
		`tracepoint:sched:sched_process_exec { printf("%s\n", args->filename); }`,
		`tracepoint:raw_syscalls:sys_enter { @syscall[args->id] = count(); @process[comm] = count(); }`,
		`tracepoint:syscalls:sys_enter_* { @[probe] = count(); }`,
		`tracepoint:syscalls:sys_enter_getppid, tracepoint:syscalls:sys_enter_openat { @[probe, pid] = count(); }`,
		`tracepoint:syscalls:sys_enter_openat { join(args->filename); join(args->filename, ","); }`,
	} {
		s, err := Compile(src, &Options{Tracepoints: testFormats})
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if err := s.Verify(nil); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
}

// TestShippedTools compiles bpftrace's tools as Debian ships them, against
// this machine's tracefs.
func TestShippedTools(t *testing.T) {
	for _, tool := range []string{"opensnoop", "syscount", "pidpersec", "setuids", "killsnoop", "execsnoop", "statsnoop", "syncsnoop", "naptime", "threadsnoop", "gethostlatency", "bitesize", "writeback"} {
		t.Run(tool, func(t *testing.T) {
			b, err := os.ReadFile("/usr/sbin/" + tool + ".bt")
			if err != nil {
				t.Skipf("bpftrace's tools are not installed: %v", err)
			}
			if _, err := (Tracefs{}).List(); err != nil {
				t.Skipf("no tracefs: %v", err)
			}
			s, err := Compile(string(b), &Options{File: tool + ".bt"})
			if err != nil {
				t.Skipf("not supported yet: %v", err)
			}
			if err := s.Verify(nil); err != nil {
				t.Error(err)
			}
		})
	}
}
