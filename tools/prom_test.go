package tools

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gbpf/gbpf/hist"
)

func TestPromBuckets(t *testing.T) {
	h := hist.NewLog2()
	for _, v := range []uint64{0, 1, 1, 5, 6, 100} {
		h.Add(v)
	}
	count, sum, buckets := PromBuckets(h)
	want := map[float64]uint64{0: 1, 1: 3, 3: 3, 7: 5, 15: 5, 31: 5, 63: 5, 127: 6}
	if count != 6 || sum != 0+1+1+4+4+64 || fmt.Sprint(buckets) != fmt.Sprint(want) {
		t.Errorf("PromBuckets = %d, %v, %v; want 6, 74, %v", count, sum, buckets, want)
	}
	count, _, buckets = PromBuckets(hist.NewLog2())
	if count != 0 || len(buckets) != 0 {
		t.Errorf("empty: %d, %v", count, buckets)
	}
}

// scrape starts Serve on loopback for readers, fetches /metrics once and
// parses it as Prometheus text exposition.
func scrape(t *testing.T, readers ...Reader) map[string]*dto.MetricFamily {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, 0, readers...) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + l.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("scrape is not valid exposition text: %v\n%s", err, body)
	}
	return fams
}

// checkExposed checks that the scraped histogram with labels equals h.
func checkExposed(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string, h *hist.Hist) {
	t.Helper()
	fam := fams[name]
	if fam == nil || fam.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("no histogram %s in scrape (have %d families)", name, len(fams))
	}
	var m *dto.Metric
	for _, cand := range fam.Metric {
		got := map[string]string{}
		for _, lp := range cand.Label {
			got[lp.GetName()] = lp.GetValue()
		}
		if fmt.Sprint(got) == fmt.Sprint(labels) {
			m = cand
		}
	}
	if m == nil {
		t.Fatalf("%s has no series %v", name, labels)
	}
	count, _, buckets := PromBuckets(h)
	if m.Histogram.GetSampleCount() != count {
		t.Errorf("%s%v count = %d, want %d", name, labels, m.Histogram.GetSampleCount(), count)
	}
	for _, b := range m.Histogram.Bucket {
		le := b.GetUpperBound()
		if math.IsInf(le, 1) {
			continue
		}
		if want, ok := buckets[le]; !ok || b.GetCumulativeCount() != want {
			t.Errorf("%s%v bucket le=%v: %d, want %d", name, labels, le, b.GetCumulativeCount(), want)
		}
	}
	if len(m.Histogram.Bucket) < len(buckets) {
		t.Errorf("%s%v: %d buckets, want %d", name, labels, len(m.Histogram.Bucket), len(buckets))
	}
}

func TestServeKernel(t *testing.T) {
	requireKernel(t)
	dir := blockBackedDir(t)
	b, err := NewBitesize(BitesizeOptions{Mode: ModeKernel, Comm: "dd"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	directWrites(t, dir, 4096, 64)
	directWrites(t, dir, 32768, 8)
	fams := scrape(t, b)
	snap, err := b.Read(false)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Hists) != 1 || snap.Hists[0].Hist.Total() < 72 {
		t.Fatalf("bitesize -c dd saw %d histograms, %d events", len(snap.Hists), snap.Total())
	}
	checkExposed(t, fams, "gbpf_bitesize_kbytes", map[string]string{"comm": "dd", "mode": "kernel"}, snap.Hists[0].Hist)
}

// TestServeRecorded exposes bitesize and biolatency run in copy mode on
// the recordings: no kernel needed.
func TestServeRecorded(t *testing.T) {
	src, err := OpenRecordings(filepath.Join("testdata", "block_rq_issue.rec"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBitesize(BitesizeOptions{Mode: ModeCopy, Source: src})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	src2, err := OpenRecordings(recordingPaths()[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewBiolatency(BiolatencyOptions{Mode: ModeCopy, Source: src2, PerDisk: true, Partitions: recordedPartitions})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fams := scrape(t, b, l)
	snap, err := b.Read(false)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range snap.Hists {
		checkExposed(t, fams, "gbpf_bitesize_kbytes", map[string]string{"comm": k.Labels[0].Value, "mode": "copy"}, k.Hist)
	}
	lsnap, err := l.Read(false)
	if err != nil {
		t.Fatal(err)
	}
	if len(lsnap.Hists) != 1 {
		t.Fatalf("biolatency -D: %d histograms, want 1", len(lsnap.Hists))
	}
	checkExposed(t, fams, "gbpf_biolatency_usecs", map[string]string{"disk": "vda", "mode": "copy"}, lsnap.Hists[0].Hist)
	rec := fams["gbpf_tools_records_total"]
	if rec == nil || len(rec.Metric) != 2 {
		t.Fatalf("gbpf_tools_records_total: %v", rec)
	}
	for _, m := range rec.Metric {
		if m.Counter.GetValue() == 0 {
			t.Errorf("records_total %v = 0", m.Label)
		}
	}
}
