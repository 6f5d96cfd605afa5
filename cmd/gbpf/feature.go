package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func init() { addCommand(newFeatureCmd()) }

// kernelFeatureProbe probes the kernel; set on Linux (kfeature_linux.go).
var kernelFeatureProbe = func(io.Writer, bool) error { return errNoKernel }

// newFeatureCmd returns "feature": bpftool's feature probe.
func newFeatureCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "feature",
		Short: "Probe the kernel's BPF features (as bpftool feature)",
	}
	out.register(cmd)
	cmd.AddCommand(&cobra.Command{
		Use:   "probe [kernel] [full]",
		Short: "Report the kernel's BPF configuration, program and map types, helpers and features",
		Long: `Report, in bpftool feature probe's sections, the kernel's BPF
configuration (sysctls and kernel config options), the program and map
types it supports, the helpers each program type may call and the
miscellaneous features (large programs, bounded loops, ISA v2 and v3).
"full" also probes the helpers that write to the kernel log.`,
		Example: "  gbpf feature probe\n  gbpf feature probe kernel -j",
		Args:    cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			full := false
			for _, a := range args {
				switch a {
				case "kernel":
				case "full":
					full = true
				default:
					return fmt.Errorf("feature probe: unsupported argument %q (want kernel, full)", a)
				}
			}
			return kernelFeatureProbe(cmd.OutOrStdout(), full)
		},
	})
	jsonErrors(cmd)
	return cmd
}
