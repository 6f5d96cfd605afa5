package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCaptureMatchesTcpdump captures the same datagrams on lo and on
// "any" with tcpdump and with gbpf capture, and checks that both files
// print the same lines, time stamps included.
func TestCaptureMatchesTcpdump(t *testing.T) {
	if testing.Short() {
		t.Skip("captures live for up to 50 s")
	}
	if os.Geteuid() != 0 {
		t.Skip("live capture needs root")
	}
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed")
	}
	for _, iface := range []string{"lo", "any"} {
		t.Run(iface, func(t *testing.T) {
			dir := t.TempDir()
			const expr = "udp port 9995"
			// On any, as on lo, libpcap drops the copy of a loopback
			// packet leaving and keeps the one arriving.
			n := 4
			tdFile, gbFile := filepath.Join(dir, "tcpdump.pcap"), filepath.Join(dir, "gbpf.pcap")
			tctx, tcancel := context.WithTimeout(context.Background(), 25*time.Second)
			defer tcancel()
			cmd := exec.CommandContext(tctx, tcpdump, "-i", iface, "-n", "-U", "-c", strconv.Itoa(n), "-w", tdFile, expr)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			listening := make(chan bool, 1)
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					if strings.Contains(sc.Text(), "listening on") {
						listening <- true
					}
				}
				io.Copy(io.Discard, stderr)
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() {
				done <- runCapture(ctx, nil, io.Discard, io.Discard, expr, captureFlags{iface: iface, write: gbFile, limit: n, print: printFlags{numeric: 1}})
			}()
			select {
			case <-listening:
			case <-time.After(15 * time.Second):
				t.Fatal("tcpdump did not start listening")
			}
			// libpcap announces the capture before its socket is ready.
			time.Sleep(3 * time.Second)
			// A listener on the port, so that no ICMP port unreachable
			// comes back: on a connected socket it would make every
			// other write fail (ECONNREFUSED), sending only half of them.
			sink, err := net.ListenPacket("udp4", "127.0.0.1:9995")
			if err != nil {
				t.Fatal(err)
			}
			defer sink.Close()
			u, err := net.Dial("udp4", "127.0.0.1:9995")
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 4; i++ {
				if _, err := u.Write([]byte("hello")); err != nil {
					t.Fatal(err)
				}
				time.Sleep(20 * time.Millisecond)
			}
			u.Close()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Errorf("tcpdump: %v", err)
			}
			want, err := exec.Command(tcpdump, "-n", "-r", tdFile).Output()
			if err != nil {
				t.Fatal(err)
			}
			got, err := filterRun(t, "-n", "-r", gbFile)
			if err != nil {
				t.Fatal(err)
			}
			if c := strings.Count(string(want), "\n"); c != n {
				t.Errorf("-i %s: tcpdump captured %d of the %d packets sent", iface, c, n)
			}
			if got != string(want) {
				t.Errorf("-i %s:\ngbpf:\n%s\ntcpdump:\n%s", iface, got, want)
			}
		})
	}
}
