package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// requireSubcommand makes every command of the tree under c that only groups
// subcommands (it has subcommands and no action of its own) refuse to run
// without one: an unknown name is an error with cobra's "Did you mean this?"
// suggestions, and no name at all prints the group's help to stderr and is an
// error too, so that neither ends with status 0.
func requireSubcommand(c *cobra.Command) {
	for _, sub := range c.Commands() {
		requireSubcommand(sub)
	}
	if !c.HasSubCommands() || c.Runnable() {
		return
	}
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	c.Args = unknownSubcommand
	c.RunE = missingSubcommand
}

// unknownSubcommand rejects the first argument of a group command, which
// names no subcommand since cobra would otherwise have descended into it.
func unknownSubcommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return fmt.Errorf("%s", msg)
}

// missingSubcommand is the action of a group command run without a
// subcommand: the group's help on stderr and an error naming the choices.
func missingSubcommand(c *cobra.Command, _ []string) error {
	w := c.ErrOrStderr()
	if about := c.Long; about != "" {
		fmt.Fprintf(w, "%s\n\n", about)
	} else if c.Short != "" {
		fmt.Fprintf(w, "%s\n\n", c.Short)
	}
	fmt.Fprint(w, c.UsageString())
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return fmt.Errorf("%q needs a command: %s", c.CommandPath(), strings.Join(names, ", "))
}
