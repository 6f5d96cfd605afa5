package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func init() {
	info, ok := debug.ReadBuildInfo()
	rootCmd.Version = buildVersion(info, ok)
	rootCmd.SetVersionTemplate("{{.Name}} version {{.Version}}\n")
	// Declared here so that cobra does not take -v, which the tcpdump-like
	// commands use for verbosity; bpftool spells it -V.
	rootCmd.Flags().BoolP("version", "V", false, "print the version and the commit gbpf was built from")
	addCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version and the commit gbpf was built from",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(c.OutOrStdout(), "%s version %s\n", c.Root().Name(), c.Root().Version)
			return err
		},
	})
}

// buildVersion describes the build from its module version and the version
// control settings the go command stamped into it, as in
// "(devel) commit 1b4ebed… 2026-12-08T00:12:00Z (modified)". What the build
// does not record (go run and test binaries carry no VCS settings) is
// "unknown".
func buildVersion(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "unknown commit unknown"
	}
	version := info.Main.Version
	if version == "" {
		version = "unknown"
	}
	var revision, at string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision == "" {
		return version + " commit unknown"
	}
	s := version + " commit " + revision
	if at != "" {
		s += " " + at
	}
	if modified {
		s += " (modified)"
	}
	return s
}
