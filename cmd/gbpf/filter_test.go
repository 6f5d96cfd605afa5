package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// filterRun runs "gbpf filter" in-process with args.
func filterRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return asmTestRun(t, newFilterCmd(), "", args...)
}

func TestFilterListingMatchesTcpdump(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed")
	}
	for _, expr := range []string{"tcp dst port 80", "ip host 10.0.0.1 and not udp", "vlan 10 and icmp"} {
		for _, mode := range [][]string{{"-d"}, {"-dd"}, {"-ddd"}, {"-d", "-O"}} {
			got, err := filterRun(t, append(append([]string{}, mode...), expr)...)
			if err != nil {
				t.Fatalf("%v %q: %v", mode, expr, err)
			}
			args := append(append([]string{"-y", "EN10MB"}, mode...), expr)
			want, err := exec.Command(tcpdump, args...).Output()
			if err != nil {
				t.Fatalf("tcpdump %v: %v", args, err)
			}
			if got != string(want) {
				t.Errorf("%v %q:\ngbpf:\n%s\ntcpdump:\n%s", mode, expr, got, want)
			}
		}
	}
}

func TestFilterFile(t *testing.T) {
	pcap := filepath.Join("..", "..", "examples", "testdata", "packets.pcap")
	if _, err := os.Stat(pcap); err != nil {
		t.Skipf("no capture: %v", err)
	}
	all, err := filterRun(t, "-r", pcap, "--count", "")
	if err != nil {
		t.Fatal(err)
	}
	udp, err := filterRun(t, "-r", pcap, "--count", "udp")
	if err != nil {
		t.Fatal(err)
	}
	n := func(s string) int {
		v, err := strconv.Atoi(strings.Fields(s)[0])
		if err != nil {
			t.Fatalf("count output %q: %v", s, err)
		}
		return v
	}
	if n(all) == 0 || n(udp) == 0 || n(udp) >= n(all) {
		t.Fatalf("counts: all %q, udp %q", all, udp)
	}
	// Every engine gives the same count; the JIT, which runs the filter
	// as machine code or not at all, refuses protochain's loops.
	for _, e := range []string{"interpreter", "checked", "jit", "interp"} {
		if e == "jit" && runtime.GOARCH != "amd64" {
			continue
		}
		if got, err := filterRun(t, "-r", pcap, "--count", "--engine", e, "udp"); err != nil || n(got) != n(udp) {
			t.Errorf("--engine %s: %q, %v; want %q", e, got, err, udp)
		}
	}
	if _, err := filterRun(t, "-r", pcap, "--count", "--engine", "jit", "ip protochain 17"); err == nil || !strings.Contains(err.Error(), "cannot run as machine code") {
		t.Errorf("--engine jit with a backward jump: %v", err)
	}
	if _, err := filterRun(t, "-r", pcap, "--count", "--engine", "vm", "udp"); err == nil || !strings.Contains(err.Error(), `unknown engine "vm"`) {
		t.Errorf("--engine vm: %v", err)
	}
	lines, err := filterRun(t, "-r", pcap, "-c", "2", "udp")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(lines, "\n"); got != 2 || !strings.Contains(lines, " IP") {
		t.Errorf("-c 2 printed %d lines:\n%s", got, lines)
	}
	out := filepath.Join(t.TempDir(), "udp.pcap")
	if _, err := filterRun(t, "-r", pcap, "-w", out, "udp"); err != nil {
		t.Fatal(err)
	}
	again, err := filterRun(t, "-r", out, "--count", "")
	if err != nil {
		t.Fatal(err)
	}
	if n(again) != n(udp) {
		t.Errorf("wrote %d packets, filter matched %d", n(again), n(udp))
	}
	// pcapng is buffered: a write error shows only when the file is
	// flushed and closed, and must still fail the command.
	if _, err := os.Stat("/dev/full"); err == nil {
		full := filepath.Join(t.TempDir(), "full.pcapng")
		if err := os.Symlink("/dev/full", full); err != nil {
			t.Fatal(err)
		}
		if _, err := filterRun(t, "-r", pcap, "-w", full, "udp"); err == nil {
			t.Errorf("-w %s (a link to /dev/full): no error", full)
		}
	}
	if tcpdump, err := exec.LookPath("tcpdump"); err == nil {
		b, err := exec.Command(tcpdump, "-n", "-r", pcap, "udp").Output()
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.Count(string(b), "\n"); want != n(udp) {
			t.Errorf("tcpdump matched %d packets, gbpf %d", want, n(udp))
		}
	}
}

func TestFilterErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-d", "tcp port"},
		{"-d", "host 1.2.3.4 and and"},
		{"-d", "-y", "NOSUCHLINK", "tcp"},
		{"-r", "no/such/file.pcap", "tcp"},
	} {
		if _, err := filterRun(t, args...); err == nil || err.Error() == "" {
			t.Errorf("%q: no error", args)
		}
	}
}
