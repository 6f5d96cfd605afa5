// Command gbpf assembles, verifies, runs and inspects BPF programs, compiles
// tcpdump filter expressions, and runs the performance tools built on gbpf.
package main

import (
	"fmt"
	"os"
	"sync"

	"github.com/spf13/cobra"
)

// rootCmd is the top of the command tree. Each subcommand lives in a file of
// its own and registers itself with addCommand from an init function.
var rootCmd = &cobra.Command{
	Use:           "gbpf",
	Short:         "The BPF system in Go: assemble, verify, run and trace BPF programs",
	SilenceUsage:  true,
	SilenceErrors: true,
}

// addCommand adds c, with its subcommands already in place, to rootCmd, and
// makes the groups of the tree (rootCmd, c, cobra's completion) refuse to run
// without a subcommand.
func addCommand(c *cobra.Command) {
	rootCmd.AddCommand(c)
	rootCmd.InitDefaultCompletionCmd()
	requireSubcommand(rootCmd)
}

// setupTree does what needs the whole command tree, once every command's
// init has added it: flag value completion and standard input arguments.
var setupTree = sync.OnceFunc(func() {
	completeTree(rootCmd)
	markStdinArgs(rootCmd)
})

func main() {
	setupTree()
	err := rootCmd.Execute()
	progress.finish()
	err = removeStdinSpool(err)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gbpf:", err)
		os.Exit(1)
	}
}
