package tools

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gbpf/gbpf/hist"
)

// biolatencySnapshot is one interval of biolatency -D -e: latencies 2, 3
// and 100 usecs on a disk whose name needs Python's other quotes.
func biolatencySnapshot() *Snapshot {
	h := hist.NewLog2()
	h.Add(2)
	h.Add(3)
	h.Add(100)
	return &Snapshot{
		Tool: "biolatency", Mode: ModeKernel, ValType: "usecs",
		Time:      time.Date(2026, 11, 25, 13, 4, 5, 0, time.UTC),
		Hists:     []Keyed{{Labels: []Label{{"disk", "it's"}}, Section: "\ndisk = it's\t\n", Hist: h}},
		Extension: &Extension{Total: 105, Count: 3},
	}
}

// The expected texts are what bcc's biolatency.py prints for these
// numbers (print_json_hist's dict, and the -e line), as Python 3 prints
// them.
func TestWriteSnapshotBCCExtras(t *testing.T) {
	var bcc bytes.Buffer
	if err := WriteSnapshot(&bcc, biolatencySnapshot(), FormatBCC, false); err != nil {
		t.Fatal(err)
	}
	if want := "\navg = 35 usecs, total: 105 usecs, count: 3\n\n"; !strings.HasSuffix(bcc.String(), want) {
		t.Errorf("bcc -e: got %q, want it to end with %q", bcc.String(), want)
	}
	var js bytes.Buffer
	if err := WriteSnapshot(&js, biolatencySnapshot(), FormatBCCJSON, true); err != nil {
		t.Fatal(err)
	}
	want := "\n13:04:05\n{'ts': '2026-11-25 13:04:05', 'val_type': 'usecs', 'data': [{'interval-start': 0, 'interval-end': 1, 'count': 0}, " +
		"{'interval-start': 2, 'interval-end': 3, 'count': 2}, {'interval-start': 4, 'interval-end': 7, 'count': 0}, " +
		"{'interval-start': 8, 'interval-end': 15, 'count': 0}, {'interval-start': 16, 'interval-end': 31, 'count': 0}, " +
		"{'interval-start': 32, 'interval-end': 63, 'count': 0}, {'interval-start': 64, 'interval-end': 127, 'count': 1}], 'disk': \"it's\"}\n"
	if js.String() != want {
		t.Errorf("bcc -j:\ngot  %q\nwant %q", js.String(), want)
	}
	// No values: bcc prints no -e line, and an empty data list.
	s := biolatencySnapshot()
	s.Extension, s.Hists[0].Hist, s.Hists[0].Labels = &Extension{}, hist.NewLog2(), nil
	bcc.Reset()
	js.Reset()
	WriteSnapshot(&bcc, s, FormatBCC, false)
	WriteSnapshot(&js, s, FormatBCCJSON, false)
	if strings.Contains(bcc.String(), "avg =") {
		t.Errorf("bcc -e with no values: %q", bcc.String())
	}
	if want := "\n{'ts': '2026-11-25 13:04:05', 'val_type': 'usecs', 'data': []}\n"; js.String() != want {
		t.Errorf("bcc -j with no values: got %q, want %q", js.String(), want)
	}
	if got := pyRepr("a'b\"c\\\n"); got != `'a\'b"c\\\n'` {
		t.Errorf("pyRepr: %s", got)
	}
}
