package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf/tools"
)

func init() { addCommand(serveCmd()) }

func serveCmd() *cobra.Command {
	var (
		listen   string
		toolList string
		interval time.Duration
		modeName string
		bio      tools.BiolatencyOptions
		replay   string
		speed    float64
	)
	c := &cobra.Command{
		Use:   "serve --listen ADDR [--tools bitesize,biolatency] [--interval D]",
		Short: "Run tools continuously; serve their histograms as Prometheus metrics and a live page",
		Long: `serve runs the chosen tools until interrupted and serves their histograms at
/metrics as Prometheus histograms: gbpf_bitesize_kbytes{comm} and
gbpf_biolatency_usecs (with disk and flags labels under -D and -F). Each log2
slot is a bucket whose le is its largest value; counts accumulate since start.

At / it serves a page (no files from elsewhere) that draws each tool's
histograms and a heatmap of its events per interval (for biolatency, the
latency buckets over time), updated every interval without reloading; the page
reads /api/state, the same data as JSON.

--replay DIR runs the tools in copy mode on recorded block tracepoint records
(DIR/block_rq_issue.rec, block_rq_complete.rec and, for -Q, block_rq_insert.rec,
each with its .format file; tools/testdata holds a set) instead of live ones,
paced by their timestamps and looped: no root or kernel needed.`,
		Example: `  gbpf serve --listen 127.0.0.1:9110
  gbpf serve --listen :9110 --tools biolatency -D --interval 5s
  gbpf serve --replay tools/testdata --speed 0.1   # then open http://127.0.0.1:9110/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			mode, err := tools.ParseMode(modeName)
			if err != nil {
				return err
			}
			source := func(...string) (tools.RecordSource, error) { return nil, nil }
			if replay != "" {
				if cmd.Flags().Changed("mode") && mode != tools.ModeCopy {
					return fmt.Errorf("--replay runs the tools in mode copy, not %s", mode)
				}
				mode = tools.ModeCopy
				source = func(names ...string) (tools.RecordSource, error) {
					paths := make([]string, len(names))
					for i, n := range names {
						paths[i] = filepath.Join(replay, n+".rec")
					}
					return tools.ReplayRecordings(tools.ReplayOptions{Speed: speed, Loop: true}, paths...)
				}
			}
			var readers []tools.Reader
			defer func() {
				for _, r := range readers {
					r.(interface{ Close() error }).Close()
				}
			}()
			for _, name := range strings.Split(toolList, ",") {
				switch strings.TrimSpace(name) {
				case "bitesize":
					src, err := source("block_rq_issue")
					if err != nil {
						return err
					}
					b, err := tools.NewBitesize(tools.BitesizeOptions{Mode: mode, Source: src})
					if err != nil {
						return err
					}
					readers = append(readers, b)
				case "biolatency":
					opts := bio
					opts.Mode = mode
					names := []string{"block_rq_issue", "block_rq_complete"}
					if opts.Queued {
						names = append([]string{"block_rq_insert"}, names...)
					}
					if opts.Source, err = source(names...); err != nil {
						return err
					}
					b, err := tools.NewBiolatency(opts)
					if err != nil {
						return err
					}
					readers = append(readers, b)
				default:
					return fmt.Errorf("--tools: unknown tool %q: want bitesize or biolatency", name)
				}
			}
			l, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			what := mode.Describe()
			if replay != "" {
				what = "replaying " + replay
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "gbpf serve: %s (%s); page at http://%s/, metrics at http://%s/metrics\n", toolList, what, l.Addr(), l.Addr())
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return tools.Serve(ctx, l, interval, readers...)
		},
	}
	c.Flags().StringVar(&listen, "listen", "127.0.0.1:9110", "address to serve /metrics on")
	c.Flags().StringVar(&toolList, "tools", "bitesize,biolatency", "comma-separated tools to run: bitesize, biolatency")
	c.Flags().DurationVar(&interval, "interval", time.Second, "read the tools' maps at most once per interval (0: on every scrape)")
	c.Flags().StringVar(&modeName, "mode", "auto", "where the BPF programs run: kernel, copy or auto")
	c.Flags().StringVar(&replay, "replay", "", "run the tools in copy mode on the block recordings in `DIR`, looped, instead of live records")
	c.Flags().Float64Var(&speed, "speed", 1, "with --replay: how fast the recordings' clock runs (0.1: ten times slower)")
	c.Flags().BoolVarP(&bio.PerDisk, "disks", "D", false, "biolatency: a histogram per disk")
	c.Flags().BoolVarP(&bio.PerFlag, "flag", "F", false, "biolatency: a histogram per set of I/O flags")
	c.Flags().BoolVarP(&bio.Queued, "queued", "Q", false, "biolatency: include OS queued time")
	c.Flags().BoolVarP(&bio.Milliseconds, "milliseconds", "m", false, "biolatency: milliseconds rather than microseconds")
	return c
}
