package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// stdinArgsAnnotation marks a command whose FILE arguments are opened by
// path (an ELF object needs random access): an argument "-" (or "@-") is
// standard input, copied to a temporary file whose path the command gets
// instead. Commands that read "-" themselves (asm, disasm, verify) and
// those whose arguments are not files (filter's expression may hold a
// "-") are not marked.
const stdinArgsAnnotation = "gbpf/stdin-args"

// stdinArgCommands are the commands marked when the tree is complete.
var stdinArgCommands = []string{"gbpf run", "gbpf prog run", "gbpf prog list", "gbpf map dump", "gbpf map list"}

// stdinSpool is the temporary file standard input was copied to, if it
// was; main names it "-" in error messages and removes it.
var stdinSpool string

// markStdinArgs annotates the commands of stdinArgCommands that exist.
func markStdinArgs(root *cobra.Command) {
	for _, path := range stdinArgCommands {
		fields := strings.Fields(path)[1:]
		c, rest, err := root.Find(fields)
		if err != nil || len(rest) != 0 || c.CommandPath() != path {
			continue
		}
		if c.Annotations == nil {
			c.Annotations = map[string]string{}
		}
		c.Annotations[stdinArgsAnnotation] = "true"
	}
}

// spoolStdinArgs replaces the arguments "-" and "@-" of a marked command
// with the path of a temporary copy of standard input.
func spoolStdinArgs(cmd *cobra.Command, args []string) error {
	if cmd.Annotations[stdinArgsAnnotation] == "" {
		return nil
	}
	var at []int
	for i, a := range args {
		if a == "-" || a == "@-" {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return nil
	}
	if len(at) > 1 {
		return errors.New("standard input (-) given as more than one argument")
	}
	var clash string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if f.Value.String() == "@-" || f.Value.String() == "-" {
			clash = f.Name
		}
	})
	if clash != "" {
		return fmt.Errorf("standard input (-) is both an argument and --%s", clash)
	}
	dir, err := os.MkdirTemp("", "gbpf-stdin-")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "stdin")
	f, err := os.Create(path)
	if err == nil {
		_, err = io.Copy(f, cmd.InOrStdin())
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("reading standard input: %w", err)
	}
	stdinSpool = path
	args[at[0]] = path // the slice cobra passes on to the command's RunE
	return nil
}

// removeStdinSpool removes the copy of standard input, and returns err
// with its path written as "-".
func removeStdinSpool(err error) error {
	if stdinSpool == "" {
		return err
	}
	os.RemoveAll(filepath.Dir(stdinSpool))
	path := stdinSpool
	stdinSpool = ""
	if err != nil && strings.Contains(err.Error(), path) {
		return errors.New(strings.ReplaceAll(err.Error(), path, "-"))
	}
	return err
}
