package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

func init() { addCommand(manCmd()) }

// manCmd writes the man pages of the command tree, one per command, as
// `make man` does. It is hidden: it documents gbpf rather than doing what
// gbpf does.
func manCmd() *cobra.Command {
	var section string
	c := &cobra.Command{
		Use:   "man DIR",
		Short: "Write a man page for every gbpf command into DIR",
		Long: `man writes gbpf.1, gbpf-run.1, gbpf-tools-bitesize.1 and so on, one page per
command, from the commands' own help, into DIR (created if missing). The pages
are dated by SOURCE_DATE_EPOCH if it is set (make man sets it to the last
commit's time), else today.`,
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			header := &doc.GenManHeader{Section: section, Source: "gbpf " + root.Version, Manual: "gbpf manual"}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return err
			}
			pages, _ := filepath.Glob(filepath.Join(dir, "*."+section))
			fmt.Fprintf(cmd.ErrOrStderr(), "gbpf man: %d pages in %s\n", len(pages), dir)
			return nil
		},
	}
	c.Flags().StringVar(&section, "section", "1", "the manual section of the pages")
	return c
}
