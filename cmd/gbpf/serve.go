package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
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
	)
	c := &cobra.Command{
		Use:   "serve --listen ADDR [--tools bitesize,biolatency] [--interval D]",
		Short: "Run tools continuously and expose their histograms as Prometheus metrics",
		Long: `serve runs the chosen tools until interrupted and serves their histograms at
/metrics as Prometheus histograms: gbpf_bitesize_kbytes{comm} and
gbpf_biolatency_usecs (with disk and flags labels under -D and -F). Each log2
slot is a bucket whose le is its largest value; counts accumulate since start.`,
		Example: `  gbpf serve --listen 127.0.0.1:9110
  gbpf serve --listen :9110 --tools biolatency -D --interval 5s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			mode, err := tools.ParseMode(modeName)
			if err != nil {
				return err
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
					b, err := tools.NewBitesize(tools.BitesizeOptions{Mode: mode})
					if err != nil {
						return err
					}
					readers = append(readers, b)
				case "biolatency":
					opts := bio
					opts.Mode = mode
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
			fmt.Fprintf(cmd.ErrOrStderr(), "gbpf serve: %s (%s); metrics at http://%s/metrics\n", toolList, mode.Describe(), l.Addr())
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return tools.Serve(ctx, l, interval, readers...)
		},
	}
	c.Flags().StringVar(&listen, "listen", "127.0.0.1:9110", "address to serve /metrics on")
	c.Flags().StringVar(&toolList, "tools", "bitesize,biolatency", "comma-separated tools to run: bitesize, biolatency")
	c.Flags().DurationVar(&interval, "interval", time.Second, "read the tools' maps at most once per interval (0: on every scrape)")
	c.Flags().StringVar(&modeName, "mode", "auto", "where the BPF programs run: kernel, copy or auto")
	c.Flags().BoolVarP(&bio.PerDisk, "disks", "D", false, "biolatency: a histogram per disk")
	c.Flags().BoolVarP(&bio.PerFlag, "flag", "F", false, "biolatency: a histogram per set of I/O flags")
	c.Flags().BoolVarP(&bio.Queued, "queued", "Q", false, "biolatency: include OS queued time")
	c.Flags().BoolVarP(&bio.Milliseconds, "milliseconds", "m", false, "biolatency: milliseconds rather than microseconds")
	return c
}
