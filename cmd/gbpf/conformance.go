package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf/conformance"
)

func init() {
	var engineName string
	var verbose, negative bool
	cmd := &cobra.Command{
		Use:   "conformance DIR",
		Short: "Run a directory of bpf_conformance tests (*.data) on an engine",
		Long: `Run every *.data file of DIR, in the bpf_conformance format, on an engine,
and end with the line "N passed, N failed". Failures are listed by name; -v
lists every test. The exit status is non-zero when a test fails.

Each test's program is verified first, as a raw program whose context is
the test's memory. Programs the verifier accepts run on the engine; the
others run on the checked interpreter (checked), which stops them at
the first access outside their stack and memory. The line before the last
says how many ran each way: "N verified ran on ENGINE, N rejected by the
verifier ran on checked". Programs run through gbpf's API, as
Raw programs, as "gbpf run" runs them.

A directory named "negative" (or any directory with --negative) holds tests
that must be rejected: by an assembly error containing their "-- error" text,
or by a wrong result. Its "unused-*" files are skipped, as upstream.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := lookupEngine(engineName)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			opts := conformance.DirOptions{Negative: negative || conformance.IsNegativeDir(args[0])}
			if verbose {
				opts.Verbose = out
			}
			s, err := conformance.RunDir(args[0], e, opts)
			if err != nil {
				return err
			}
			if !verbose {
				for _, f := range s.Failures() {
					fmt.Fprintf(out, "FAIL %s: %v\n", f.Name, f.Err)
				}
			}
			fmt.Fprintln(out, s.VerifierLine())
			fmt.Fprintln(out, s)
			if s.Failed > 0 {
				return fmt.Errorf("%d of %d tests failed on %s", s.Failed, s.Passed+s.Failed, e)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&engineName, "engine", "", engineFlagUsage)
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "print the outcome of every test")
	cmd.Flags().BoolVar(&negative, "negative", false, "run DIR as negative tests that must be rejected")
	addCommand(cmd)
}
