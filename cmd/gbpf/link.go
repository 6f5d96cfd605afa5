package main

import (
	"io"

	"github.com/spf13/cobra"
)

func init() { addCommand(newLinkCmd()) }

// kernelLinkShow lists kernel links; set on Linux (klink_linux.go).
var kernelLinkShow = func(io.Writer, []string) error { return errNoKernel }

// newLinkCmd returns "link": bpftool's link show and list.
func newLinkCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "link",
		Short: "Inspect the kernel's BPF links (as bpftool link)",
	}
	out.register(cmd)
	for _, verb := range []string{"show", "list"} {
		cmd.AddCommand(&cobra.Command{
			Use:     verb + " [id N|pinned PATH]",
			Short:   "List the links attaching programs, as bpftool link " + verb,
			Example: "  gbpf link " + verb + " -p",
			Args:    cobra.MaximumNArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				return kernelLinkShow(cmd.OutOrStdout(), args)
			},
		})
	}
	jsonErrors(cmd)
	return cmd
}
