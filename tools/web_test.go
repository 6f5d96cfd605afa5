package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gbpf/gbpf/hist"
)

// replayServer serves bitesize and biolatency run in copy mode on the
// recordings, replayed once at speed, and returns the server's address and
// the histograms the tools must end with.
func replayServer(t *testing.T, speed float64, interval time.Duration) (addr string, want map[string]map[string]*hist.Hist) {
	t.Helper()
	open := func(paths ...string) RecordSource {
		src, err := ReplayRecordings(ReplayOptions{Speed: speed}, paths...)
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	b, err := NewBitesize(BitesizeOptions{Mode: ModeCopy, Source: open(filepath.Join("testdata", "block_rq_issue.rec"))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	opts := BiolatencyOptions{Mode: ModeCopy, Source: open(recordingPaths()[1:]...), PerDisk: true, Partitions: recordedPartitions}
	l, err := NewBiolatency(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, interval, l, b) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	want = map[string]map[string]*hist.Hist{"bitesize": {}, "biolatency": {}}
	for comm, h := range expectedBitesize(t, "") {
		want["bitesize"]["comm="+comm] = h
	}
	for disk, h := range expectedBiolatency(t, BiolatencyOptions{PerDisk: true}) {
		want["biolatency"]["disk="+disk] = h
	}
	return ln.Addr().String(), want
}

func getState(t *testing.T, addr string) *State {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + addr + "/api/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/state: %s, %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	var st State
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return &st
}

// waitComplete polls /api/state until every tool has counted all its
// events, and returns the states seen on the way.
func waitComplete(t *testing.T, addr string, want map[string]map[string]*hist.Hist, timeout time.Duration) []*State {
	t.Helper()
	total := func(hs map[string]*hist.Hist) (n uint64) {
		for _, h := range hs {
			n += h.Total()
		}
		return n
	}
	var seen []*State
	deadline := time.Now().Add(timeout)
	for {
		st := getState(t, addr)
		seen = append(seen, st)
		complete := len(st.Tools) == len(want)
		for _, ts := range st.Tools {
			if ts.Total != total(want[ts.Tool]) {
				complete = false
			}
		}
		if complete {
			return seen
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the tools have not counted every recorded event: %+v", timeout, st.Tools)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkState checks the histograms of st against want, and that each
// heatmap's columns add up to the tool's histograms.
func checkState(t *testing.T, st *State, want map[string]map[string]*hist.Hist) {
	t.Helper()
	for _, ts := range st.Tools {
		w := want[ts.Tool]
		if len(ts.Hists) != len(w) {
			t.Errorf("%s: %d histograms, want %d", ts.Tool, len(ts.Hists), len(w))
		}
		merged := hist.NewLog2()
		for _, h := range ts.Hists {
			if w[h.Key] == nil {
				t.Errorf("%s: unexpected histogram %q", ts.Tool, h.Key)
				continue
			}
			_ = merged.Merge(w[h.Key])
			if got, want := fmt.Sprint(h.Hist), fmt.Sprint(hist.ToJSON(w[h.Key], ts.Unit)); got != want {
				t.Errorf("%s %s:\n%s\nwant\n%s", ts.Tool, h.Key, got, want)
			}
		}
		hm := ts.Heatmap
		sums := make([]uint64, len(hm.Slots))
		for _, col := range hm.Counts {
			if len(col) != len(hm.Slots) {
				t.Fatalf("%s heatmap: a column of %d slots, want %d", ts.Tool, len(col), len(hm.Slots))
			}
			for i, c := range col {
				sums[i] += c
			}
		}
		for i := range merged.Slots {
			b := merged.Bucket(i)
			var got uint64
			for j, s := range hm.Slots {
				if s == [2]uint64{b.Low, b.High} {
					got = sums[j]
				}
			}
			if got != b.Count {
				t.Errorf("%s heatmap: slot %d-%d adds up to %d over %d intervals, want %d", ts.Tool, b.Low, b.High, got, len(hm.Counts), b.Count)
			}
		}
	}
}

// TestServeState replays the recordings into Serve slowly enough that
// they arrive over several intervals: the heatmaps spread them over
// columns that add up to the histograms, and the histograms end as the
// oracles compute them from the same records.
func TestServeState(t *testing.T) {
	addr, want := replayServer(t, 0.5, 100*time.Millisecond)
	seen := waitComplete(t, addr, want, 30*time.Second)
	st := getState(t, addr)
	checkState(t, st, want)
	if st.IntervalMS != 100 || st.Error != "" {
		t.Errorf("interval %d ms, error %q", st.IntervalMS, st.Error)
	}
	if len(seen) < 3 {
		t.Errorf("the replay completed in %d polls: not spread over time", len(seen))
	}
	for _, ts := range st.Tools {
		busy := 0
		for _, col := range ts.Heatmap.Counts {
			for _, c := range col {
				if c != 0 {
					busy++
					break
				}
			}
		}
		if busy < 2 {
			t.Errorf("%s: events in %d of %d intervals, want them spread over 2 or more", ts.Tool, busy, len(ts.Heatmap.Counts))
		}
	}
}

// TestServePageFiles checks that the page and its files are served, and
// that they fetch nothing from another host.
func TestServePageFiles(t *testing.T) {
	addr, _ := replayServer(t, 1, time.Second)
	client := &http.Client{Timeout: 10 * time.Second}
	for path, ctype := range map[string]string{"/": "text/html", "/static/app.js": "text/javascript", "/static/style.css": "text/css"} {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) || len(body) == 0 {
			t.Errorf("GET %s: %s, %q, %d bytes", path, resp.Status, resp.Header.Get("Content-Type"), len(body))
		}
	}
	resp, err := client.Get("http://" + addr + "/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nothing: %s", resp.Status)
	}
	external := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|@import|url\(`)
	err = fs.WalkDir(webFiles, "web", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := webFiles.ReadFile(path)
		if m := external.Find(b); m != nil {
			t.Errorf("%s refers to %q: the page must work with no network", path, m)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
