package tools

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gbpf/gbpf/hist"
)

// The page `gbpf serve` shows at /: plain HTML, CSS and JavaScript, with
// nothing fetched from elsewhere.
//
//go:embed web
var webFiles embed.FS

// HeatmapColumns is how many intervals a heatmap keeps.
const HeatmapColumns = 120

// State is what Serve's /api/state returns as JSON, and what its page
// draws: each tool's histograms as last read, and a heatmap of its events
// per interval.
type State struct {
	// IntervalMS is how often the tools are read, in milliseconds.
	IntervalMS int64 `json:"interval_ms"`
	// Updated is when they were last read.
	Updated time.Time `json:"updated"`
	// Error is why reading a tool failed, if it did.
	Error string      `json:"error,omitempty"`
	Tools []ToolState `json:"tools"`
}

// ToolState is one tool in a State.
type ToolState struct {
	Tool string `json:"tool"`
	Mode Mode   `json:"mode"`
	// Unit is what the histograms count, such as "usecs".
	Unit string `json:"unit"`
	// Total is the number of events in all histograms.
	Total uint64 `json:"total"`
	// Records, Lost and Faults are the copy mode's counts (see Stats).
	Records uint64      `json:"records"`
	Lost    uint64      `json:"lost"`
	Faults  uint64      `json:"faults"`
	Hists   []HistState `json:"hists"`
	Heatmap Heatmap     `json:"heatmap"`
}

// HistState is one histogram of a tool, counted since the tool started.
type HistState struct {
	// Key names the histogram's key, such as "comm=dd" or "disk=vda
	// flags=Write"; empty for a tool's only histogram.
	Key  string        `json:"key"`
	Hist hist.JSONHist `json:"hist"`
}

// Heatmap is a tool's events per interval, all its histograms merged: one
// column per interval, one row per log2 slot.
type Heatmap struct {
	// Times are the ends of the intervals, in Unix milliseconds.
	Times []int64 `json:"times"`
	// Slots are the values each row counts (both bounds inclusive), from
	// the lowest to the highest slot any column has counted in.
	Slots [][2]uint64 `json:"slots"`
	// Counts holds, per interval, the events per slot.
	Counts [][]uint64 `json:"counts"`
}

// board samples the tools for the page.
type board struct {
	coll     *Collector
	interval time.Duration

	mu    sync.Mutex
	prev  map[string]*hist.Hist // each tool's histograms merged, at the last sample
	heats map[string]*heat
	state []byte // the State as JSON
}

// heat is a tool's heatmap columns.
type heat struct {
	times  []int64
	counts [][]uint64 // per column, every log2 slot
}

func newBoard(coll *Collector, interval time.Duration) *board {
	if interval <= 0 {
		interval = time.Second
	}
	b := &board{coll: coll, interval: interval, prev: map[string]*hist.Hist{}, heats: map[string]*heat{}}
	b.state, _ = json.Marshal(State{IntervalMS: interval.Milliseconds(), Tools: []ToolState{}})
	return b
}

// sample reads the tools now and then once per interval until ctx ends.
func (b *board) sample(ctx context.Context) {
	t := time.NewTicker(b.interval)
	defer t.Stop()
	for {
		b.update()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// update reads the tools and adds a column to each heatmap.
func (b *board) update() {
	snaps, err := b.coll.read(true)
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	st := State{IntervalMS: b.interval.Milliseconds(), Updated: now, Tools: []ToolState{}}
	if err != nil {
		st.Error = err.Error()
	}
	for _, s := range snaps {
		merged := s.Merged()
		col := make([]uint64, len(merged.Slots))
		prev := b.prev[s.Tool]
		for i, c := range merged.Slots {
			// A count below the last one means the tool started over.
			if prev != nil && i < len(prev.Slots) && c >= prev.Slots[i] {
				c -= prev.Slots[i]
			}
			col[i] = c
		}
		b.prev[s.Tool] = merged
		h := b.heats[s.Tool]
		if h == nil {
			h = &heat{}
			b.heats[s.Tool] = h
		}
		h.times = append(h.times, now.UnixMilli())
		h.counts = append(h.counts, col)
		if n := len(h.times) - HeatmapColumns; n > 0 {
			h.times = h.times[n:]
			h.counts = h.counts[n:]
		}
		ts := ToolState{Tool: s.Tool, Mode: s.Mode, Unit: s.ValType, Total: s.Total(),
			Records: s.Stats.Records, Lost: s.Stats.Lost, Faults: s.Stats.Faults,
			Hists: []HistState{}, Heatmap: h.export(merged)}
		for _, k := range s.Hists {
			ts.Hists = append(ts.Hists, HistState{Key: keyName(k.Labels), Hist: hist.ToJSON(k.Hist, s.ValType)})
		}
		st.Tools = append(st.Tools, ts)
	}
	b.state, _ = json.Marshal(st)
}

// export returns the heatmap with the rows from the lowest to the highest
// slot counted in (none if nothing was counted).
func (h *heat) export(like *hist.Hist) Heatmap {
	low, top := len(like.Slots), -1
	for _, col := range h.counts {
		for i, c := range col {
			if c != 0 {
				low, top = min(low, i), max(top, i)
			}
		}
	}
	m := Heatmap{Times: h.times, Slots: [][2]uint64{}, Counts: make([][]uint64, len(h.counts))}
	for i := low; i <= top; i++ {
		b := like.Bucket(i)
		m.Slots = append(m.Slots, [2]uint64{b.Low, b.High})
	}
	for i, col := range h.counts {
		m.Counts[i] = []uint64{}
		if top >= 0 {
			m.Counts[i] = col[low : top+1]
		}
	}
	return m
}

// keyName joins labels as name=value pairs.
func keyName(labels []Label) string {
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = l.Name + "=" + l.Value
	}
	return strings.Join(parts, " ")
}

// routes adds the page, its files and /api/state to mux.
func (b *board) routes(mux *http.ServeMux) {
	static, _ := fs.Sub(webFiles, "web")
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, static, "index.html")
	})
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /api/state", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		body := b.state
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body)
	})
}
