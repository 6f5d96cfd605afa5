package tools

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gbpf/gbpf/hist"
)

// Output formats of the tools.
const (
	FormatBCC      = "bcc"
	FormatBpftrace = "bpftrace"
	FormatJSON     = "json"
	// FormatBCCJSON is what bcc's tools print with -j: per histogram, a
	// Python dict of its buckets (print_json_hist).
	FormatBCCJSON = "bcc-json"
)

// CheckFormat rejects an unknown output format.
func CheckFormat(f string) error {
	switch f {
	case FormatBCC, FormatBpftrace, FormatJSON, FormatBCCJSON:
		return nil
	}
	return fmt.Errorf("unknown format %q: want bcc, bpftrace, json or bcc-json", f)
}

// WriteSnapshot prints one interval of a tool in format: bcc (as
// libbpf-tools print it), bpftrace (as bpftrace prints a map of hist()
// values) or json (one object per line). With timestamp, the interval
// starts with its wall-clock time, as the tools' -T flag does.
func WriteSnapshot(w io.Writer, s *Snapshot, format string, timestamp bool) error {
	bw := bufio.NewWriter(w)
	switch format {
	case FormatBCC:
		bw.WriteString("\n")
		if timestamp {
			fmt.Fprintf(bw, "%-8s\n", s.Time.Format(time.TimeOnly))
		}
		for _, k := range s.Hists {
			bw.WriteString(k.Section)
			if err := hist.WriteBCC(bw, k.Hist, s.ValType); err != nil {
				return err
			}
		}
		if e := s.Extension; e != nil && e.Count > 0 {
			fmt.Fprintf(bw, "\navg = %d %s, total: %d %s, count: %d\n\n", e.Total/e.Count, s.ValType, e.Total, s.ValType, e.Count)
		}
	case FormatBCCJSON:
		bw.WriteString("\n")
		if timestamp {
			fmt.Fprintf(bw, "%-8s\n", s.Time.Format(time.TimeOnly))
		}
		for _, k := range s.Hists {
			writeBCCJSON(bw, s, k)
		}
	case FormatBpftrace:
		if timestamp {
			fmt.Fprintf(bw, "%s\n", s.Time.Format(time.TimeOnly))
		}
		for _, k := range s.Hists {
			bw.WriteString("@" + s.ValType)
			if len(k.Labels) > 0 {
				vals := make([]string, len(k.Labels))
				for i, l := range k.Labels {
					vals[i] = l.Value
				}
				bw.WriteString("[" + strings.Join(vals, ", ") + "]")
			}
			bw.WriteString(":\n")
			if err := hist.WriteBpftrace(bw, k.Hist); err != nil {
				return err
			}
			bw.WriteString("\n")
		}
	case FormatJSON:
		if err := json.NewEncoder(bw).Encode(snapshotJSON(s)); err != nil {
			return err
		}
	default:
		return CheckFormat(format)
	}
	return bw.Flush()
}

// writeBCCJSON prints one histogram as bcc's print_json_hist does: the
// repr of a Python dict with the local time, the unit and the buckets from
// slot 1 to the last used one (bcc leaves out slot 0), then the section's
// label.
func writeBCCJSON(w *bufio.Writer, s *Snapshot, k Keyed) {
	last := 0
	for i, v := range k.Hist.Slots {
		if v != 0 {
			last = i
		}
	}
	fmt.Fprintf(w, "{'ts': %s, 'val_type': %s, 'data': [", pyRepr(s.Time.Format("2006-01-02 15:04:05")), pyRepr(s.ValType))
	var prev uint64
	index := uint64(1)
	for i := 1; i <= last; i++ {
		index *= 2
		if i > 1 {
			w.WriteString(", ")
		}
		fmt.Fprintf(w, "{'interval-start': %d, 'interval-end': %d, 'count': %d}", prev, index-1, k.Hist.Slots[i])
		prev = index
	}
	w.WriteString("]")
	if len(k.Labels) > 0 {
		l := k.Labels[len(k.Labels)-1]
		fmt.Fprintf(w, ", %s: %s", pyRepr(l.Name), pyRepr(l.Value))
	}
	w.WriteString("}\n")
}

// pyRepr quotes s as Python's repr quotes a str: in single quotes unless
// it holds a single quote and no double one.
func pyRepr(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteString(`\` + string(q))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

type jsonKeyed struct {
	Labels map[string]string `json:"labels,omitempty"`
	hist.JSONHist
}

type jsonSnapshot struct {
	Tool    string      `json:"tool"`
	Mode    Mode        `json:"mode"`
	Time    string      `json:"ts"`
	Records uint64      `json:"records,omitempty"`
	Lost    uint64      `json:"lost,omitempty"`
	Faults  uint64      `json:"faults,omitempty"`
	Hists   []jsonKeyed `json:"hists"`
	Total   *uint64     `json:"total,omitempty"`
	Count   *uint64     `json:"count,omitempty"`
}

func snapshotJSON(s *Snapshot) jsonSnapshot {
	j := jsonSnapshot{Tool: s.Tool, Mode: s.Mode, Time: s.Time.Format(time.RFC3339Nano),
		Records: s.Stats.Records, Lost: s.Stats.Lost, Faults: s.Stats.Faults, Hists: []jsonKeyed{}}
	if e := s.Extension; e != nil {
		j.Total, j.Count = &e.Total, &e.Count
	}
	for _, k := range s.Hists {
		jk := jsonKeyed{JSONHist: hist.ToJSON(k.Hist, s.ValType)}
		if len(k.Labels) > 0 {
			jk.Labels = map[string]string{}
			for _, l := range k.Labels {
				jk.Labels[l.Name] = l.Value
			}
		}
		j.Hists = append(j.Hists, jk)
	}
	return j
}
