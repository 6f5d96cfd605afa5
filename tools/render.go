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
)

// CheckFormat rejects an unknown output format.
func CheckFormat(f string) error {
	switch f {
	case FormatBCC, FormatBpftrace, FormatJSON:
		return nil
	}
	return fmt.Errorf("unknown format %q: want bcc, bpftrace or json", f)
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
}

func snapshotJSON(s *Snapshot) jsonSnapshot {
	j := jsonSnapshot{Tool: s.Tool, Mode: s.Mode, Time: s.Time.Format(time.RFC3339Nano),
		Records: s.Stats.Records, Lost: s.Stats.Lost, Faults: s.Stats.Faults, Hists: []jsonKeyed{}}
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
