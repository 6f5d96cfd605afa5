//go:build linux

package tools

import (
	"bytes"
	"strings"
	"testing"
)

func TestMeasureOverhead(t *testing.T) {
	requireKernel(t)
	dir := blockBackedDir(t)
	modes := []Mode{ModeNone, ModeKernel, ModeCopy, ModeHook}
	results, err := MeasureOverhead(OverheadOptions{Calls: 20000, IOs: 50, Dir: dir, Modes: modes, Repeat: 1, RingPages: 512})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2*len(modes)-1 { // no hook mode for direct I/O
		t.Fatalf("%d results, want %d", len(results), 2*len(modes)-1)
	}
	for _, r := range results {
		if r.Wall <= 0 || r.CPU <= 0 || r.PerSecond() <= 0 {
			t.Errorf("%s/%s: wall %v cpu %v", r.Workload, r.Mode, r.Wall, r.CPU)
		}
		if r.Mode == ModeNone {
			continue
		}
		// Other processes may add a few getppid calls or I/Os of their own
		// name; the tool must count at least the workload's.
		if r.Mode == ModeHook && r.Counted != r.Events {
			t.Errorf("%s/%s: counted %d, want exactly the %d events fired", r.Workload, r.Mode, r.Counted, r.Events)
		}
		if r.Counted+r.Lost < r.Events {
			t.Errorf("%s/%s: counted %d + lost %d < %d events", r.Workload, r.Mode, r.Counted, r.Lost, r.Events)
		}
	}
	var out bytes.Buffer
	if err := WriteOverhead(&out, DescribeMachine(), results); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Machine: ") || strings.Count(out.String(), "\n| ") != len(results)+1 {
		t.Errorf("table:\n%s", out.String())
	}
	t.Logf("\n%s", out.String())
}
