package main

import (
	"io"

	"github.com/spf13/cobra"
)

func init() { addCommand(newBTFCmd()) }

// kernelBTF runs btf show|list|dump; set on Linux (kbtf_linux.go).
var kernelBTF = func(io.Writer, string, []string) error { return errNoKernel }

// newBTFCmd returns "btf": bpftool's btf show, list and dump.
func newBTFCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "btf",
		Short: "Inspect BTF objects of the kernel and of files (as bpftool btf)",
	}
	out.register(cmd)
	for _, verb := range []string{"show", "list"} {
		cmd.AddCommand(&cobra.Command{
			Use:   verb + " [id N]",
			Short: "List the kernel's BTF objects, as bpftool btf " + verb,
			Args:  cobra.MaximumNArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				return kernelBTF(cmd.OutOrStdout(), "show", args)
			},
		})
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "dump id N|file FILE|map MAP [key|value|kv|all]|prog PROG [format raw|c]",
		Short: "Print the types of a BTF object, as bpftool btf dump",
		Long: `Print the types of a BTF object: a kernel one by id, the BTF of a map or
of a program (MAP and PROG as in "gbpf map" and "gbpf prog"), or the .BTF
section of an ELF object or a raw BTF file. "format raw" (the default)
prints bpftool's listing of every type, -j and -p its JSON; "format c"
prints the types as C declarations.`,
		Example: `  gbpf btf dump id 1 | head
  gbpf btf dump file examples/bpf/hash_counter.o
  gbpf btf dump file examples/bpf/hash_counter.o format c`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return kernelBTF(cmd.OutOrStdout(), "dump", args)
		},
	})
	jsonErrors(cmd)
	return cmd
}
