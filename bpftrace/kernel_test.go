//go:build linux

package bpftrace

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/kernel"
)

// requireKernel skips a test that needs the bpf() syscall where it is
// missing, unless GBPF_REQUIRE_KERNEL=1 makes that a failure.
func requireKernel(t *testing.T) {
	t.Helper()
	if err := kernel.Supported(); err != nil {
		if os.Getenv("GBPF_REQUIRE_KERNEL") == "1" {
			t.Fatalf("GBPF_REQUIRE_KERNEL=1 but: %v", err)
		}
		t.Skipf("kernel BPF unavailable: %v", err)
	}
	if _, err := kernel.TracefsDir(); err != nil {
		t.Skipf("no tracefs: %v", err)
	}
}

// runKernel runs src in the kernel around one run of workload.
func runKernel(t *testing.T, src, file string, workload []string) string {
	t.Helper()
	return runMode(t, ModeKernel, src, file, workload)
}

// runMode runs src in mode around one run of workload.
func runMode(t *testing.T, mode Mode, src, file string, workload []string) string {
	t.Helper()
	s, err := Compile(src, &Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ss, err := s.Start(&RunOptions{Mode: mode, Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(workload[0], workload[1:]...)
	// The workload writes nothing the comparisons look at.
	runErr := cmd.Run()
	if err := ss.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, ok := runErr.(*exec.ExitError); runErr != nil && !ok {
		t.Fatal(runErr)
	}
	return out.String()
}

// runBpftrace runs the same script under bpftrace 0.17 with -c.
func runBpftrace(t *testing.T, args []string, workload []string) string {
	t.Helper()
	bin, err := exec.LookPath("bpftrace")
	if err != nil {
		t.Skip("bpftrace is not installed")
	}
	cmd := exec.Command(bin, append(args, "-c", strings.Join(workload, " "))...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		t.Skipf("bpftrace cannot run here: %v", err)
	}
	return out.String()
}

// TestKernelOneLiners compares one-liners with bpftrace over a workload
// that fixes the counts.
func TestKernelOneLiners(t *testing.T) {
	requireKernel(t)
	perl, err := exec.LookPath("perl")
	if err != nil {
		t.Skip("perl drives the workload; not installed")
	}
	// bpftrace -c splits its command at spaces: the workload is a file.
	script := t.TempDir() + "/work.pl"
	if err := os.WriteFile(script, []byte(`getppid() for 1..500; open(F, "/etc/hostname"); open(F, "/nonexistent-gbpf-trace");`), 0o644); err != nil {
		t.Fatal(err)
	}
	work := []string{perl, script}
	for _, src := range []string{
		`tracepoint:syscalls:sys_enter_getppid /comm == "perl"/ { @ = count(); }`,
		`tracepoint:syscalls:sys_enter_getppid /comm == "perl"/ { @[comm] = count(); @s = sum(2); @h = hist(1000); @l = lhist(7, 0, 10, 5); }`,
		`tracepoint:syscalls:sys_enter_getppid /comm == "perl"/ { @[probe] = count(); } END { printf("done\n"); }`,
		`tracepoint:syscalls:sys_exit_openat /comm == "perl"/ { @ret[args->ret < 0 ? -1 : 3] = count(); }`,
	} {
		t.Run(src, func(t *testing.T) {
			want := runBpftrace(t, []string{"-e", src}, work)
			got := runKernel(t, src, "stdin", work)
			if got != want {
				t.Errorf("gbpf:\n%s\nbpftrace:\n%s", got, want)
			}
		})
	}
}

// TestKernelTools runs bpftrace's tools as Debian ships them, unchanged,
// over a workload, and compares the lines of the workload's process with
// bpftrace's over the same workload, times and process ids masked.
func TestKernelTools(t *testing.T) {
	requireKernel(t)
	clock := regexp.MustCompile(`^\d\d:\d\d:\d\d +`)
	pidCol := regexp.MustCompile(`^(TIME )?\d+ +`)
	for _, tc := range []struct {
		tool  string
		work  []string
		match string // the lines compared contain this
		lines int
		mask  *regexp.Regexp // replaced by "X ", besides times and pids
	}{
		{"opensnoop", []string{"/bin/cat", "/etc/hostname", "/nonexistent-gbpf-trace"}, " cat ", 0, nil},
		{"killsnoop", []string{"/bin/kill", "-0", "1"}, " kill ", 1, nil},
		{"statsnoop", []string{"/usr/bin/stat", "/etc/hostname"}, " stat ", 0, nil},
		{"syncsnoop", []string{"/bin/sync"}, "sys_enter_sync", 1, nil},
		{"bashreadline", []string{"/bin/sh", "-c", `printf 'echo gbpf-readline\nexit\n' | script -q -c '/bin/bash --norc --noprofile -i' /dev/null >/dev/null`}, "gbpf-readline", 1, nil},
		{"gethostlatency", []string{"/usr/bin/getent", "ahosts", "localhost"}, "getent", 1, regexp.MustCompile(`\d+ localhost`)},
		{"execsnoop", []string{"/bin/echo", "gbpf-a", "bb", "ccc"}, "/bin/echo gbpf-a", 1, regexp.MustCompile(`^\d+ +\d+ +`)},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			path := "/usr/sbin/" + tc.tool + ".bt"
			b, err := os.ReadFile(path)
			if err != nil {
				t.Skip("bpftrace's tools are not installed")
			}
			if _, err := os.Stat(tc.work[0]); err != nil {
				t.Skipf("workload: %v", err)
			}
			if tc.work[0] == "/bin/sh" {
				// bpftrace -c splits its command at spaces: run the shell
				// command from a file.
				if _, err := exec.LookPath("script"); err != nil {
					t.Skip("script(1) drives the workload; not installed")
				}
				f := t.TempDir() + "/work.sh"
				if err := os.WriteFile(f, []byte(tc.work[2]+"\n"), 0o755); err != nil {
					t.Fatal(err)
				}
				tc.work = []string{"/bin/sh", f}
			}
			lines := func(out string) []string {
				var ls []string
				for _, l := range strings.Split(out, "\n") {
					if strings.Contains(l, tc.match) {
						if tc.mask != nil {
							l = tc.mask.ReplaceAllString(l, "X ")
						}
						l = clock.ReplaceAllString(l, "TIME ")
						l = pidCol.ReplaceAllString(l, "${1}PID ")
						ls = append(ls, l)
					}
				}
				return ls
			}
			want := lines(runBpftrace(t, []string{path}, tc.work))
			got := lines(runKernel(t, string(b), tc.tool+".bt", tc.work))
			if strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) == 0 || tc.lines > 0 && len(got) != tc.lines {
				t.Errorf("gbpf:\n%s\nbpftrace:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestInProcessTracepoints runs scripts in-process on tracepoint records
// copied from the kernel, and in the kernel, over the same workload: the
// aggregations must agree. The workload waits before it exits, so that
// its name can still be read from /proc when its records are copied.
func TestInProcessTracepoints(t *testing.T) {
	requireKernel(t)
	perl, err := exec.LookPath("perl")
	if err != nil {
		t.Skip("perl drives the workload; not installed")
	}
	script := t.TempDir() + "/work.pl"
	if err := os.WriteFile(script, []byte(`getppid() for 1..300; open(F, "/etc/hostname"); open(F, "/nonexistent-gbpf-trace"); select(undef, undef, undef, 0.3);`), 0o644); err != nil {
		t.Fatal(err)
	}
	work := []string{perl, script}
	for _, src := range []string{
		`tracepoint:syscalls:sys_enter_getppid /comm == "perl"/ { @ = count(); @c[comm] = count(); @h = hist(args->__syscall_nr); }`,
		`tracepoint:syscalls:sys_exit_openat /comm == "perl"/ { @ret[args->ret < 0 ? -1 : 3] = count(); @s = stats(args->ret < 0 ? 1 : 2); }`,
	} {
		t.Run(src, func(t *testing.T) {
			want := runMode(t, ModeKernel, src, "stdin", work)
			got := runMode(t, ModeInProcess, src, "stdin", work)
			if got != want {
				t.Errorf("in-process:\n%s\nkernel:\n%s", got, want)
			}
		})
	}
}

// TestKernelBeginEndInterval runs BEGIN, END and interval probes in the
// kernel (raw tracepoint programs run with BPF_PROG_TEST_RUN), where
// comm is gbpf's test binary.
func TestKernelBeginEndInterval(t *testing.T) {
	requireKernel(t)
	src := `BEGIN { @begin = count(); @comm[comm] = 1; }
interval:ms:20 { @n++; if (@n == 3) { exit(); } }
END { printf("end %d\n", @n); }`
	s, err := Compile(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := s.Run(context.Background(), &RunOptions{Mode: ModeKernel, Output: &out}); err != nil {
		t.Fatal(err)
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	want := "Attaching 3 probes...\nend 3\n\n\n@begin: 1\n@comm[" + strings.TrimSpace(string(comm)) + "]: 1\n@n: 3\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
