package tools

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/hist"
	"github.com/gbpf/gbpf/kernel"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func fixedSnapshot() *Snapshot {
	a, b := hist.NewLog2(), hist.NewLog2()
	for range 300 {
		a.Add(4)
	}
	a.Add(100)
	b.Add(0)
	b.Add(1024)
	return &Snapshot{
		Tool: "bitesize", Mode: ModeKernel, ValType: "kbytes",
		Time: time.Date(2026, 11, 25, 13, 4, 5, 0, time.UTC),
		Hists: []Keyed{
			{Labels: []Label{{"comm", "dd"}}, Section: "\nProcess Name = dd\n", Hist: a},
			{Labels: []Label{{"comm", "kworker/0:1H"}}, Section: "\nProcess Name = kworker/0:1H\n", Hist: b},
		},
	}
}

func TestWriteSnapshotGolden(t *testing.T) {
	for _, tt := range []struct {
		format    string
		timestamp bool
	}{{FormatBCC, true}, {FormatBpftrace, false}, {FormatJSON, false}} {
		t.Run(tt.format, func(t *testing.T) {
			var got bytes.Buffer
			if err := WriteSnapshot(&got, fixedSnapshot(), tt.format, tt.timestamp); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "bitesize."+tt.format+".golden")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("got:\n%s\nwant:\n%s", got.Bytes(), want)
			}
		})
	}
	if err := WriteSnapshot(&bytes.Buffer{}, fixedSnapshot(), "xml", false); err == nil {
		t.Error("format xml: no error")
	}
}

func TestFlagsName(t *testing.T) {
	tests := map[string]string{
		"W": "Write", "WS": "Sync-Write", "R": "Read", "RA": "ReadAhead-Read", "RM": "Metadata-Read",
		"FWS": "PreFlush-Sync-Write", "WFS": "FUA-Sync-Write", "FWFSM": "PreFlush-FUA-Metadata-Sync-Write",
		"F": "Flush", "FF": "PreFlush-Flush", "D": "Discard", "DE": "SecureErase", "N": "Unknown", "": "Unknown",
		"WS\x00\x00junk": "Sync-Write",
	}
	for rwbs, want := range tests {
		if got := FlagsName(rwbs); got != want {
			t.Errorf("FlagsName(%q) = %q, want %q", rwbs, got, want)
		}
	}
}

func TestParsePartitions(t *testing.T) {
	p, err := ParsePartitions(strings.NewReader("major minor  #blocks  name\n\n 254        0  268435456 vda\n 259        1   1048576 nvme0n1p1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name(MkDev(254, 0)) != "vda" || p.Name(MkDev(259, 1)) != "nvme0n1p1" || p.Name(7) != "Unknown" {
		t.Errorf("partitions %v", p)
	}
	if dev, err := p.Dev("vda"); err != nil || dev != 254<<20 {
		t.Errorf("Dev(vda) = %#x, %v", dev, err)
	}
	if _, err := p.Dev("sdz"); err == nil {
		t.Error("Dev(sdz): no error")
	}
	for _, bad := range []string{" 254 0 1\n", " x 0 1 vda\n", " 254 y 1 vda\n"} {
		if _, err := ParsePartitions(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("ParsePartitions(%q) = %v", bad, err)
		}
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"kernel": ModeKernel, "copy": ModeCopy, "": DefaultMode(), "auto": DefaultMode()} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseMode("user"); err == nil {
		t.Error("ParseMode(user): no error")
	}
	for _, m := range []Mode{ModeKernel, ModeCopy} {
		if !strings.HasPrefix(m.Describe(), "mode "+string(m)+":") {
			t.Errorf("Describe(%s) = %q", m, m.Describe())
		}
	}
}

func TestObjects(t *testing.T) {
	for _, name := range []string{"bitesize", "biolatency", "syscount"} {
		spec, err := loadSpec(name)
		if err != nil {
			t.Fatal(err)
		}
		for pname, p := range spec.Programs {
			tp, err := programTracepoint(p)
			if err != nil {
				t.Errorf("%s/%s: %v", name, pname, err)
				continue
			}
			if _, ok := recordLayouts[tp]; !ok {
				t.Errorf("%s/%s: tracepoint %s has no layout to check", name, pname, tp)
			}
		}
	}
	if _, err := Object("nope"); err == nil {
		t.Error("Object(nope): no error")
	}
	if _, err := programTracepoint(&ebpf.ProgramSpec{Name: "x", SectionName: "kprobe/foo"}); err == nil {
		t.Error("kprobe section: no error")
	}
}

func TestCheckLayout(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "block_rq_complete.format"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := kernel.ParseFormat(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkLayout(Tracepoint{"block", "block_rq_complete"}, f); err != nil {
		t.Errorf("recorded format: %v", err)
	}
	// block_rq_complete has no comm: as issue's layout, it must fail.
	if err := checkLayout(Tracepoint{"block", "block_rq_issue"}, f); err == nil || !strings.Contains(err.Error(), "no field") {
		t.Errorf("complete's record checked as issue's: %v", err)
	}
}
