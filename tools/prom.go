package tools

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gbpf/gbpf/hist"
)

// Reader is a running tool whose histograms can be read: *Bitesize and
// *Biolatency.
type Reader interface {
	Read(clear bool) (*Snapshot, error)
}

// Collector exposes running tools' histograms as Prometheus histograms.
// Each log2 slot becomes a bucket whose le is the slot's largest value
// (0, 1, 3, 7, ...: the values are integers), counts are cumulative since
// the tool started, and _sum adds each slot's smallest value times its
// count, a lower bound of the true sum, which the in-map layout does not
// keep.
type Collector struct {
	readers  []Reader
	interval time.Duration

	mu    sync.Mutex
	last  time.Time
	snaps []*Snapshot
	err   error
}

// NewCollector returns a collector of readers that reads them at most once
// per interval (0: on every scrape).
func NewCollector(interval time.Duration, readers ...Reader) *Collector {
	return &Collector{readers: readers, interval: interval}
}

// Describe sends nothing: the metrics' labels depend on the tools' keys, so
// the collector is unchecked.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// snapshots reads the tools, or returns the last reading if it is recent.
func (c *Collector) snapshots() ([]*Snapshot, error) { return c.read(false) }

// read reads the tools; unless force is set, it returns the last reading
// instead if that is younger than the interval.
func (c *Collector) read(force bool) ([]*Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !force && c.snaps != nil && time.Since(c.last) < c.interval {
		return c.snaps, c.err
	}
	var snaps []*Snapshot
	var errs []error
	for _, r := range c.readers {
		s, err := r.Read(false)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		snaps = append(snaps, s)
	}
	c.snaps, c.err, c.last = snaps, errors.Join(errs...), time.Now()
	return c.snaps, c.err
}

// Collect reads the tools and sends one histogram per key.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	snaps, err := c.snapshots()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(prometheus.NewDesc("gbpf_tools_error", "Reading a tool failed.", nil, nil), err)
	}
	for _, s := range snaps {
		for _, m := range snapshotMetrics(s) {
			ch <- m
		}
	}
}

// MetricName returns the name of a tool's histogram, such as
// gbpf_bitesize_kbytes.
func MetricName(tool, valType string) string { return "gbpf_" + tool + "_" + valType }

func snapshotMetrics(s *Snapshot) []prometheus.Metric {
	var out []prometheus.Metric
	var descs = map[string]*prometheus.Desc{}
	for _, k := range s.Hists {
		names := []string{"mode"}
		values := []string{string(s.Mode)}
		for _, l := range k.Labels {
			names = append(names, l.Name)
			values = append(values, l.Value)
		}
		key := fmt.Sprint(names)
		desc := descs[key]
		if desc == nil {
			desc = prometheus.NewDesc(MetricName(s.Tool, s.ValType),
				fmt.Sprintf("%s: distribution of %s (log2 buckets).", s.Tool, s.ValType), names, nil)
			descs[key] = desc
		}
		count, sum, buckets := PromBuckets(k.Hist)
		m, err := prometheus.NewConstHistogram(desc, count, sum, buckets, values...)
		if err != nil {
			m = prometheus.NewInvalidMetric(desc, err)
		}
		out = append(out, m)
	}
	if s.Mode == ModeCopy {
		labels := prometheus.Labels{"tool": s.Tool}
		for _, c := range []struct {
			name, help string
			v          uint64
		}{
			{"gbpf_tools_records_total", "Tracepoint records copied to user space.", s.Stats.Records},
			{"gbpf_tools_lost_records_total", "Tracepoint records the kernel dropped because a perf ring was full.", s.Stats.Lost},
			{"gbpf_tools_faults_total", "Program runs that ended in a run-time error.", s.Stats.Faults},
		} {
			out = append(out, prometheus.MustNewConstMetric(prometheus.NewDesc(c.name, c.help, nil, labels), prometheus.CounterValue, float64(c.v)))
		}
	}
	return out
}

// PromBuckets converts a log2 histogram into a Prometheus histogram: the
// total count, the lower-bound sum, and cumulative counts by upper bound
// (le), up to the last non-empty slot.
func PromBuckets(h *hist.Hist) (count uint64, sum float64, buckets map[float64]uint64) {
	buckets = map[float64]uint64{}
	last := -1
	for i, c := range h.Slots {
		if c != 0 {
			last = i
		}
	}
	for i := 0; i <= last; i++ {
		b := h.Bucket(i)
		count += b.Count
		sum += float64(b.Low) * float64(b.Count)
		buckets[float64(b.High)] = count
	}
	return count, sum, buckets
}

// Serve exposes the tools' histograms on l until ctx ends: at /metrics for
// Prometheus, and at / as a page that draws them, with a heatmap of each
// tool's histogram per interval, updated without reloading (from
// /api/state, see State). It reads the tools once per interval (a second if
// interval is 0) for the heatmaps, and /metrics reads them at most once per
// interval.
func Serve(ctx context.Context, l net.Listener, interval time.Duration, readers ...Reader) error {
	coll := NewCollector(interval, readers...)
	reg := prometheus.NewRegistry()
	if err := reg.Register(coll); err != nil {
		return err
	}
	b := newBoard(coll, interval)
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	b.routes(mux)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	sampleCtx, stopSampling := context.WithCancel(ctx)
	sampling := make(chan struct{})
	go func() {
		defer close(sampling)
		b.sample(sampleCtx)
	}()
	defer func() {
		stopSampling()
		<-sampling
	}()
	select {
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		<-errc
		return nil
	case err := <-errc:
		return err
	}
}
