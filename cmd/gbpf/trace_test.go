package main

import (
	"strings"
	"testing"
)

func TestTraceCommand(t *testing.T) {
	out, err := execGbpf(t, "trace", "--mode", "inprocess", "-e", `BEGIN { printf("hi %d %s\n", $1, str($2)); @[$#] = count(); exit(); }`, "5", "x")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Attaching 1 probe...\nhi 5 x\n\n\n@[2]: 1\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	script := writeTemp(t, "s.bt", "#!/usr/bin/env bpftrace\nBEGIN { @n = $1 * 2; exit(); }\n")
	out, err = execGbpf(t, "trace", "--mode", "inprocess", script, "21")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Attaching 1 probe...\n\n\n@n: 42\n"; out != want {
		t.Errorf("file: got %q, want %q", out, want)
	}
}

func TestTraceDump(t *testing.T) {
	out, err := execGbpf(t, "trace", "-d", "-e", "BEGIN {\n  @ = count();\n}")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"BEGIN:\n", "; @ = count();\n", "call 0x1", "r2 += r1", "exit"} {
		if !strings.Contains(out, want) {
			t.Errorf("listing lacks %q:\n%s", want, out)
		}
	}
}

func TestTraceErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"trace", "-e", "BEGIN { @x = ; }"}, "stdin:1:14-15: ERROR: syntax error, unexpected ;\nBEGIN { @x = ; }\n             ~"},
		{[]string{"trace", "--mode", "nowhere", "-e", "BEGIN { }"}, `unknown mode "nowhere"`},
		{[]string{"trace"}, "give a program with -e or a script file"},
		{[]string{"trace", "--mode", "inprocess", "-e", "hook:x { @ = kernel; }"}, "Unknown identifier: 'kernel'"},
	} {
		_, err := execGbpf(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestTraceList(t *testing.T) {
	out, err := execGbpf(t, "trace", "-l", "syscalls:sys_enter_getppid")
	if err != nil {
		t.Skipf("no tracefs here: %v", err)
	}
	if out != "tracepoint:syscalls:sys_enter_getppid\n" {
		t.Errorf("got %q", out)
	}
	out, err = execGbpf(t, "trace", "-l", "tracepoint:syscalls:sys_enter_getpp*")
	if err != nil || out != "tracepoint:syscalls:sys_enter_getppid\n" {
		t.Errorf("glob: got %q, %v", out, err)
	}
}
