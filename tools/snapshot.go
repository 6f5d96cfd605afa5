package tools

import (
	"bytes"
	"slices"
	"strings"
	"time"

	"github.com/gbpf/gbpf/hist"
)

// Label is one dimension of a histogram's key, such as comm="dd".
type Label struct {
	Name, Value string
}

// Keyed is one histogram of a snapshot with the key it was counted under.
type Keyed struct {
	// Labels name the key; empty for a tool's single histogram.
	Labels []Label
	// Section is the exact text libbpf-tools prints before the
	// histogram, such as "\nProcess Name = dd\n".
	Section string
	Hist    *hist.Hist
}

// Snapshot is what a tool measured over one interval.
type Snapshot struct {
	Tool    string
	Mode    Mode
	Time    time.Time
	ValType string // "kbytes", "usecs", "msecs"
	Hists   []Keyed
	Stats   Stats
	// Extension is the total and count of the measured values, when the
	// tool was asked for them (biolatency -e); nil otherwise.
	Extension *Extension
}

// Extension is the sum and the number of the values a tool counted over
// an interval, from which bcc's -e prints their average.
type Extension struct {
	Total, Count uint64
}

// Total returns the number of events in all histograms.
func (s *Snapshot) Total() uint64 {
	var n uint64
	for _, k := range s.Hists {
		n += k.Hist.Total()
	}
	return n
}

// Merged returns the sum of all histograms of the snapshot.
func (s *Snapshot) Merged() *hist.Hist {
	m := hist.NewLog2()
	for _, k := range s.Hists {
		_ = m.Merge(k.Hist)
	}
	return m
}

func sortKeyed(hs []Keyed) {
	slices.SortFunc(hs, func(a, b Keyed) int {
		for i := range min(len(a.Labels), len(b.Labels)) {
			if c := strings.Compare(a.Labels[i].Value, b.Labels[i].Value); c != 0 {
				return c
			}
		}
		return len(a.Labels) - len(b.Labels)
	})
}

// readHists reads every log2 histogram of map hists, decoding each key
// with label, and deletes them afterwards when clear is set.
func (s *session) readHists(clear bool, label func(key []byte) Keyed) ([]Keyed, error) {
	if err := s.be.sync(); err != nil {
		return nil, err
	}
	var out []Keyed
	err := s.be.iterate("hists", func(key, value []byte) error {
		h := hist.NewLog2()
		if err := h.Decode(value); err != nil {
			return err
		}
		k := label(key)
		k.Hist = h
		out = append(out, k)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if clear {
		if err := s.be.clear("hists"); err != nil {
			return nil, err
		}
	}
	sortKeyed(out)
	return out, nil
}

// cString returns b up to its first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
