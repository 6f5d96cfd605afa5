//go:build linux

package tools

import (
	"fmt"
	"strings"
	"testing"
)

// TestOverheadProgress checks that MeasureOverhead reports each
// measurement before it runs.
func TestOverheadProgress(t *testing.T) {
	dir := blockBackedDir(t)
	var steps []string
	_, err := MeasureOverhead(OverheadOptions{Calls: 1000, IOs: 5, Dir: dir, Modes: []Mode{ModeNone}, Repeat: 2,
		Progress: func(w string, m Mode, step, n int) { steps = append(steps, fmt.Sprintf("%s/%s %d/%d", w, m, step, n)) }})
	if err != nil {
		t.Fatal(err)
	}
	want := "getppid/none 1/4 getppid/none 2/4 direct-io/none 3/4 direct-io/none 4/4"
	if got := strings.Join(steps, " "); got != want {
		t.Errorf("progress %q, want %q", got, want)
	}
}
