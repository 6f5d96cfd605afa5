package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf/tools"
)

func overheadCmd() *cobra.Command {
	var (
		opts  tools.OverheadOptions
		modes string
	)
	c := &cobra.Command{
		Use:   "overhead [--calls N] [--ios N] [--dir DIR] [--modes none,kernel,copy,hook]",
		Short: "Measure what tracing costs: no tracing vs. in-kernel aggregation vs. copying every event vs. an in-process hook",
		Long: `overhead drives two tracepoints hard — syscalls:sys_enter_getppid from a tight
loop of getppid() calls, and block:block_rq_issue from 4 KiB O_DIRECT writes
to a temporary file — and measures, with no tracing, with the BPF program
aggregating in the kernel (mode kernel) and with every record copied to user
space and run through gbpf's runtime (mode copy): events per second and CPU
nanoseconds per event (the whole process's user+system time, which includes
the kernel's work in the tracepoint and copy mode's consumer). Mode hook
runs the getppid program in-process instead: each call is followed by a
fire of a gbpf hook with the record the kernel would have given the
program, which is what counting its own events costs a Go service.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, m := range strings.Split(modes, ",") {
				switch mode := tools.Mode(strings.TrimSpace(m)); mode {
				case tools.ModeNone, tools.ModeKernel, tools.ModeCopy, tools.ModeHook:
					opts.Modes = append(opts.Modes, mode)
				default:
					return fmt.Errorf("--modes: unknown mode %q: want none, kernel, copy or hook", m)
				}
			}
			opts.Progress = func(workload string, mode tools.Mode, step, steps int) {
				progressNote("%s, mode %s: measurement %d of %d", workload, mode, step, steps)
			}
			results, err := tools.MeasureOverhead(opts)
			if len(results) > 0 {
				if werr := tools.WriteOverhead(cmd.OutOrStdout(), tools.DescribeMachine(), results); werr != nil {
					return werr
				}
			}
			return err
		},
	}
	c.Flags().IntVar(&opts.Calls, "calls", 1_000_000, "getppid() calls per measurement")
	c.Flags().IntVar(&opts.IOs, "ios", 2000, "4 KiB O_DIRECT writes per measurement")
	c.Flags().StringVar(&opts.Dir, "dir", "", "directory on a block device for the direct-I/O file (default: the temporary directory)")
	c.Flags().IntVar(&opts.Repeat, "repeat", 3, "run each measurement this many times and keep the least disturbed")
	c.Flags().StringVar(&modes, "modes", "none,kernel,copy,hook", "what to measure: none, kernel, copy, hook (getppid only)")
	return c
}
