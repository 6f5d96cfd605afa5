package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/internal/bpftool"
)

// This file holds what the kernel forms of prog, map, btf, link and
// feature share: bpftool's output options and object selectors. The
// commands themselves are in the *_linux.go files; elsewhere they report
// that the kernel is not there.

// outputFlags are bpftool's -j, -p and -f.
type outputFlags struct{ json, pretty, bpffs bool }

// out is the output mode of the running command (the flags are
// persistent on the command groups that print kernel objects).
var out outputFlags

func (o *outputFlags) register(cmd *cobra.Command) {
	cmd.PersistentFlags().BoolVarP(&o.json, "json", "j", false, "print JSON, as bpftool -j")
	cmd.PersistentFlags().BoolVarP(&o.pretty, "pretty", "p", false, "print pretty JSON, as bpftool -p")
	cmd.PersistentFlags().BoolVarP(&o.bpffs, "bpffs", "f", false, "show the paths objects are pinned at on BPF file systems, as bpftool -f")
}

// jsonOut reports whether JSON was asked for (-p implies -j).
func (o *outputFlags) jsonOut() bool { return o.json || o.pretty }

// writer returns a JSON writer to w in the mode asked for.
func (o *outputFlags) writer(w io.Writer) *bpftool.JSONWriter {
	return bpftool.NewJSONWriter(w, o.pretty)
}

// showWriter returns the JSON writer of a show command, nil for plain
// output. bpftool prints an array when it lists every object, or when a
// selector matches several; finish ends the array and the output.
func (o *outputFlags) showWriter(w io.Writer, array bool) (j *bpftool.JSONWriter, finish func() error) {
	if !o.jsonOut() {
		return nil, func() error { return nil }
	}
	j = o.writer(w)
	if array {
		j.StartArray()
	}
	return j, func() error {
		if array {
			j.EndArray()
		}
		return j.Close()
	}
}

// selector is one of bpftool's object designations: id N, name X, tag T,
// pinned PATH.
type selector struct {
	kind, value string
}

func (s selector) String() string { return s.kind + " " + s.value }

// isSelectorWord reports whether word starts a selector of the given
// kinds, so that "prog show id 3" is told from "prog list FILE".
func isSelectorWord(word string, kinds ...string) bool {
	for _, k := range kinds {
		if word == k {
			return true
		}
	}
	return false
}

// parseSelector reads one selector from the front of args and returns the
// rest.
func parseSelector(args []string, kinds ...string) (selector, []string, error) {
	if len(args) == 0 {
		return selector{}, nil, fmt.Errorf("expected %s", strings.Join(kinds, ", "))
	}
	if !isSelectorWord(args[0], kinds...) {
		return selector{}, nil, fmt.Errorf("expected %s, got: %s", strings.Join(kinds, ", "), args[0])
	}
	if len(args) < 2 {
		return selector{}, nil, fmt.Errorf("%s: missing its value", args[0])
	}
	s := selector{args[0], args[1]}
	switch s.kind {
	case "id":
		if _, err := strconv.ParseUint(s.value, 0, 32); err != nil {
			return s, nil, fmt.Errorf("can't parse %q as ID", s.value)
		}
	case "tag":
		if len(s.value) != 16 {
			return s, nil, fmt.Errorf("can't parse tag %q: want 16 hex digits", s.value)
		}
		for _, c := range s.value {
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return s, nil, fmt.Errorf("can't parse tag %q: want 16 hex digits", s.value)
			}
		}
	case "name":
		if len(s.value) > 15 {
			return s, nil, fmt.Errorf("can't parse name %q: at most 15 characters", s.value)
		}
	}
	return s, args[2:], nil
}

// errNoKernel is the error of the kernel forms where gbpf has no kernel
// access.
var errNoKernel = fmt.Errorf("inspecting kernel objects needs Linux: %w", gbpf.ErrNotSupported)

// jsonErrors makes the subcommands of group report errors in JSON mode
// as bpftool does, as {"error": "..."} on standard output (the error is
// still returned, for the exit status and the message on standard error).
func jsonErrors(group *cobra.Command) {
	for _, sub := range group.Commands() {
		run := sub.RunE
		if run == nil {
			continue
		}
		sub.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			if err != nil && out.jsonOut() && !errors.Is(err, errNotFound) {
				j := out.writer(cmd.OutOrStdout())
				j.StartObject()
				j.StringField("error", err.Error())
				j.EndObject()
				j.Close()
			}
			return err
		}
	}
}

// errNotFound is the error of a map lookup of an absent key (after
// bpftool's "Not found" text, or null in JSON).
var errNotFound = errors.New("key not found")
