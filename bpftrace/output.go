package bpftrace

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/hist"
)

// entry is one decoded map element.
type entry struct {
	key   []byte
	value []byte
}

// sortValue is what bpftrace orders the elements of a map by.
func sortValue(t Type, v []byte) int64 {
	a := int64(binary.LittleEndian.Uint64(v))
	switch t.Kind {
	case KindAvg, KindStats:
		n := a
		if n == 0 {
			return 0
		}
		return int64(binary.LittleEndian.Uint64(v[8:])) / n
	}
	return a
}

// formatKey prints a key as bpftrace does: "[1, bash]".
func formatKey(keys []Type, b []byte) string {
	if len(keys) == 0 {
		return ""
	}
	parts := make([]string, len(keys))
	off := 0
	for i, k := range keys {
		if k.Kind == KindStr {
			parts[i] = cString(b[off : off+StrLen])
			off += StrLen
			continue
		}
		v := binary.LittleEndian.Uint64(b[off:])
		if k.Signed {
			parts[i] = strconv.FormatInt(int64(v), 10)
		} else {
			parts[i] = strconv.FormatUint(v, 10)
		}
		off += 8
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func formatInt(v uint64, signed bool, div int64) string {
	if signed {
		x := int64(v)
		if div > 0 {
			x /= div
		}
		return strconv.FormatInt(x, 10)
	}
	if div > 0 {
		v /= uint64(div)
	}
	return strconv.FormatUint(v, 10)
}

// formatValue prints a non-histogram value.
func formatValue(t Type, v []byte, div int64) string {
	a := binary.LittleEndian.Uint64(v)
	switch t.Kind {
	case KindStr:
		return cString(v)
	case KindAvg:
		if a == 0 {
			return "0"
		}
		return formatInt(uint64(int64(binary.LittleEndian.Uint64(v[8:]))/int64(a)), true, div)
	case KindStats:
		total := int64(binary.LittleEndian.Uint64(v[8:]))
		avg := int64(0)
		if a != 0 {
			avg = total / int64(a)
		}
		return fmt.Sprintf("count %d, average %d, total %d", a, avg, total)
	}
	return formatInt(a, t.Signed, div)
}

// writeMap prints map m's elements as bpftrace prints them at exit and for
// print(): top keeps the largest top elements, div divides values.
func writeMap(w io.Writer, m *MapInfo, entries []entry, top, div int64) error {
	var b bytes.Buffer
	name := m.Name
	if m.hasSlot() {
		writeHists(&b, m, entries, top)
		_, err := w.Write(b.Bytes())
		return err
	}
	if len(entries) == 0 {
		if m.Value.Kind == KindCount && len(m.Keys) == 0 {
			fmt.Fprintf(&b, "%s: 0\n", name)
		} else {
			b.WriteString("\n")
		}
	}
	sort.SliceStable(entries, func(i, j int) bool {
		if m.Value.Kind == KindStr {
			return bytes.Compare(entries[i].key, entries[j].key) < 0
		}
		vi, vj := sortValue(m.Value, entries[i].value), sortValue(m.Value, entries[j].value)
		if vi != vj {
			if m.Value.Signed || m.Value.Kind == KindAvg || m.Value.Kind == KindStats {
				return vi < vj
			}
			return uint64(vi) < uint64(vj)
		}
		return bytes.Compare(entries[i].key, entries[j].key) < 0
	})
	if top > 0 && int64(len(entries)) > top {
		entries = entries[int64(len(entries))-top:]
	}
	for _, e := range entries {
		fmt.Fprintf(&b, "%s%s: %s\n", name, formatKey(m.Keys, e.key), formatValue(m.Value, e.value, div))
	}
	if m.Value.Kind == KindAvg || m.Value.Kind == KindStats {
		b.WriteString("\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeHists groups the (key, slot) elements of a histogram map by key
// and prints one histogram per key, ordered by total count.
func writeHists(b *bytes.Buffer, m *MapInfo, entries []entry, top int64) {
	if len(entries) == 0 {
		b.WriteString("\n")
		return
	}
	type group struct {
		key   []byte
		h     *hist.Hist
		total uint64
	}
	ks := keySize(m.Keys, true) - 8
	byKey := map[string]*group{}
	var groups []*group
	for _, e := range entries {
		k := string(e.key[:ks])
		gr := byKey[k]
		if gr == nil {
			gr = &group{key: e.key[:ks]}
			if m.Value.Kind == KindHist {
				gr.h = hist.NewLog2()
			} else {
				gr.h, _ = hist.NewLinear(uint64(m.Value.Min), uint64(m.Value.Max), uint64(m.Value.Step))
			}
			byKey[k] = gr
			groups = append(groups, gr)
		}
		slot := binary.LittleEndian.Uint64(e.key[ks:])
		n := binary.LittleEndian.Uint64(e.value)
		if slot < uint64(len(gr.h.Slots)) {
			gr.h.Slots[slot] += n
			gr.total += n
		}
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].total != groups[j].total {
			return groups[i].total < groups[j].total
		}
		return bytes.Compare(groups[i].key, groups[j].key) < 0
	})
	if top > 0 && int64(len(groups)) > top {
		groups = groups[int64(len(groups))-top:]
	}
	for _, gr := range groups {
		fmt.Fprintf(b, "%s%s: \n", m.Name, formatKey(m.Keys, gr.key))
		_ = hist.WriteBpftrace(b, gr.h)
		b.WriteString("\n")
	}
}
