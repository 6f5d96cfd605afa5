package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/tools"
)

func init() {
	toolsCmd := &cobra.Command{
		Use:   "tools",
		Short: "Performance tools built on gbpf: bitesize, biolatency, overhead",
	}
	toolsCmd.AddCommand(bitesizeCmd(), biolatencyCmd(), overheadCmd())
	addCommand(toolsCmd)
}

// toolFlags are the flags every histogram tool has.
type toolFlags struct {
	mode      string
	format    string
	timestamp bool
	verbose   bool
	bccJSON   bool
}

func (f *toolFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.mode, "mode", "auto", "where the BPF program runs: kernel, copy (records copied to gbpf's runtime) or auto")
	c.Flags().StringVar(&f.format, "format", tools.FormatBCC, "output format: bcc, bpftrace, json (gbpf's) or bcc-json (bcc's -j)")
	c.Flags().BoolVarP(&f.timestamp, "timestamp", "T", false, "include timestamp on output")
	c.Flags().BoolVarP(&f.verbose, "verbose", "v", false, "verbose debug output: the mode, and each interval's record, loss and fault counts on standard error")
}

func (f *toolFlags) check() (tools.Mode, error) {
	if f.bccJSON {
		f.format = tools.FormatBCCJSON
	}
	if err := tools.CheckFormat(f.format); err != nil {
		return "", err
	}
	return tools.ParseMode(f.mode)
}

// intervalArgs parses the positional [interval] [count] of libbpf-tools.
func intervalArgs(args []string) (time.Duration, int, error) {
	interval, count := time.Duration(99999999)*time.Second, 99999999
	if len(args) > 0 {
		n, err := strconv.Atoi(args[0])
		if err != nil || n <= 0 {
			return 0, 0, fmt.Errorf("invalid interval %q: want a positive number of seconds", args[0])
		}
		interval = time.Duration(n) * time.Second
	}
	if len(args) > 1 {
		n, err := strconv.Atoi(args[1])
		if err != nil || n <= 0 {
			return 0, 0, fmt.Errorf("invalid count %q: want a positive number", args[1])
		}
		count = n
	}
	return interval, count, nil
}

// runTool prints the header, then one snapshot per interval until count
// intervals have passed or the process is interrupted.
// toolReader is a running tool: its histograms, and Close to stop it.
type toolReader interface {
	Read(clear bool) (*tools.Snapshot, error)
	Close() error
}

// runE returns the RunE of a tool command: it checks the flags and the
// positional [interval] [count], starts the tool in the chosen mode with
// start, and prints its histograms until count or Ctrl-C.
func (f *toolFlags) runE(start func(tools.Mode) (toolReader, error)) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		mode, err := f.check()
		if err != nil {
			return err
		}
		if _, _, err := intervalArgs(args); err != nil {
			return err
		}
		t, err := start(mode)
		if err != nil {
			return err
		}
		defer t.Close()
		return runTool(cmd.OutOrStdout(), cmd.ErrOrStderr(), f, mode, args, t.Read)
	}
}

// runTool prints the banners to errOut, and the histograms to out.
func runTool(out, errOut io.Writer, f *toolFlags, mode tools.Mode, args []string, read func(clear bool) (*tools.Snapshot, error)) error {
	interval, count, err := intervalArgs(args)
	if err != nil {
		return err
	}
	fmt.Fprintf(errOut, "gbpf %s\n", mode.Describe())
	fmt.Fprintln(errOut, "Tracing block device I/O... Hit Ctrl-C to end.")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	hinted := false
	for {
		exiting := false
		select {
		case <-tick.C:
		case <-sig:
			exiting = true
		}
		snap, err := read(true)
		if err != nil {
			return err
		}
		if err := tools.WriteSnapshot(out, snap, f.format, f.timestamp); err != nil {
			return err
		}
		if f.verbose {
			fmt.Fprintf(errOut, "gbpf: interval: %d events counted, %d records copied, %d lost in perf rings, %d program faults\n",
				snap.Total(), snap.Stats.Records, snap.Stats.Lost, snap.Stats.Faults)
		} else if snap.Stats.Lost > 0 || snap.Stats.Faults > 0 {
			fmt.Fprintf(errOut, "gbpf: %d records lost in perf rings, %d program faults\n", snap.Stats.Lost, snap.Stats.Faults)
		}
		if mode == tools.ModeCopy && snap.Stats.Records == 0 && !hinted {
			hinted = true
			fmt.Fprintln(errOut, "gbpf: no tracepoint records were copied; if another BPF program (bpftrace, bcc, gbpf in mode kernel) is attached to the tracepoint, the kernel gives its records to no perf event")
		}
		count--
		if exiting || count == 0 {
			return nil
		}
	}
}

func bitesizeCmd() *cobra.Command {
	var f toolFlags
	var opts tools.BitesizeOptions
	c := &cobra.Command{
		Use:   "bitesize [-T] [-v] [-c COMM] [-d DISK] [interval] [count]",
		Short: "Summarize block device I/O size as a histogram",
		Example: `  gbpf tools bitesize              # summarize block I/O size as a histogram
  gbpf tools bitesize 1 10         # print 1 second summaries, 10 times
  gbpf tools bitesize -T 1         # 1s summaries with timestamps
  gbpf tools bitesize -c fio       # trace fio only
  gbpf tools bitesize --mode copy  # run the program in gbpf on copied records`,
		Args: cobra.MaximumNArgs(2),
		RunE: f.runE(func(mode tools.Mode) (toolReader, error) {
			opts.Mode = mode
			return tools.NewBitesize(opts)
		}),
	}
	f.register(c)
	c.Flags().StringVarP(&opts.Comm, "comm", "c", "", "trace this comm only")
	c.Flags().StringVarP(&opts.Disk, "disk", "d", "", "trace this disk only")
	return c
}

func biolatencyCmd() *cobra.Command {
	var f toolFlags
	var opts tools.BiolatencyOptions
	c := &cobra.Command{
		Use:   "biolatency [-T] [-m] [-Q] [-D] [-F] [-e] [-j] [-v] [-d DISK] [interval] [count]",
		Short: "Summarize block device I/O latency as a histogram",
		Example: `  gbpf tools biolatency              # summarize block I/O latency as a histogram
  gbpf tools biolatency 1 10         # print 1 second summaries, 10 times
  gbpf tools biolatency -mT 1        # 1s summaries, milliseconds, and timestamps
  gbpf tools biolatency -Q           # include OS queued time in I/O time
  gbpf tools biolatency -D           # show each disk device separately
  gbpf tools biolatency -F           # show I/O flags separately
  gbpf tools biolatency -e           # show the average, total and count too
  gbpf tools biolatency -j           # print bcc's JSON histograms
  gbpf tools biolatency -d sdc       # trace sdc only`,
		Args: cobra.MaximumNArgs(2),
		RunE: f.runE(func(mode tools.Mode) (toolReader, error) {
			opts.Mode = mode
			return tools.NewBiolatency(opts)
		}),
	}
	f.register(c)
	c.Flags().BoolVarP(&opts.Milliseconds, "milliseconds", "m", false, "millisecond histogram")
	c.Flags().BoolVarP(&opts.Queued, "queued", "Q", false, "include OS queued time in I/O time")
	c.Flags().BoolVarP(&opts.PerDisk, "disks", "D", false, "print a histogram per disk device")
	c.Flags().BoolVarP(&opts.PerFlag, "flag", "F", false, "print a histogram per set of I/O flags (--flags, as bcc spells it, too)")
	c.Flags().StringVarP(&opts.Disk, "disk", "d", "", "trace this disk only")
	c.Flags().BoolVarP(&opts.Extension, "extension", "e", false, "summarize average/total value")
	c.Flags().BoolVarP(&f.bccJSON, "json", "j", false, "json output, as bcc's biolatency -j (--format bcc-json)")
	var cgroup string
	c.Flags().StringVarP(&cgroup, "cgroup", "c", "", "trace processes in this cgroup path only (kernel mode)")
	c.Flags().SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "flags" {
			name = "flag"
		}
		return pflag.NormalizedName(name)
	})
	run := c.RunE
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if cgroup != "" {
			return fmt.Errorf("biolatency: --cgroup %s: filtering by cgroup needs bpf_current_task_under_cgroup, which gbpf does not provide: %w", cgroup, gbpf.ErrNotSupported)
		}
		return run(cmd, args)
	}
	return c
}
