package main

import (
	"debug/elf"
	"net"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/pcapfilter"
)

// completeTree gives the flags of the command tree under c shell
// completion of their values (`gbpf completion bash|zsh|fish|powershell`
// prints the scripts): the programs, maps and sections of the object the
// command names, network interfaces, link types, and for any other string
// flag (engines, modes, formats) the choices its usage lists ("output format: bcc, bpftrace or
// json"), so that a flag added later completes as its help describes it.
// A flag that already has a completion function keeps it.
func completeTree(c *cobra.Command) {
	c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
		if _, ok := c.GetFlagCompletionFunc(f.Name); ok {
			return
		}
		if fn := flagCompletion(c, f); fn != nil {
			_ = c.RegisterFlagCompletionFunc(f.Name, fn)
		}
	})
	for _, sub := range c.Commands() {
		completeTree(sub)
	}
}

type completeFunc = func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective)

// flagCompletion returns how to complete f's values, or nil for the
// default (file names).
func flagCompletion(c *cobra.Command, f *pflag.Flag) completeFunc {
	switch f.Value.Type() {
	case "bool", "count":
		return nil
	}
	switch f.Name {
	case "prog":
		return objectNames(func(s *gbpf.CollectionSpec) []string { return keys(s.Programs) })
	case "map":
		return objectNames(func(s *gbpf.CollectionSpec) []string { return keys(s.Maps) })
	case "section":
		return sectionNames
	case "interface":
		return interfaceNames
	case "linktype":
		return fixed(linkTypeNames(), "")
	case "dir":
		return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		}
	}
	if choices := usageChoices(f.Usage); len(choices) > 0 {
		// --tools bitesize,biolatency, --modes none,kernel: a list.
		if strings.Contains(f.Usage, "comma") || strings.HasSuffix(f.Name, "s") {
			return fixed(choices, ",")
		}
		return fixed(choices, "")
	}
	return nil
}

var (
	parenthetical = regexp.MustCompile(`\s*\([^)]*\)`)
	choiceWord    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
)

// usageChoices returns the values a usage string lists after its last
// colon ("where the program runs: kernel, copy or auto"), or nil if what
// follows is not such a list.
func usageChoices(usage string) []string {
	i := strings.LastIndex(usage, ": ")
	if i < 0 {
		return nil
	}
	list := parenthetical.ReplaceAllString(usage[i+2:], "")
	// "jit or interp; default is jit": the list ends at a semicolon.
	list, _, _ = strings.Cut(list, ";")
	list = strings.ReplaceAll(list, " or ", ", ")
	var out []string
	for _, w := range strings.Split(list, ",") {
		w = strings.TrimSpace(w)
		if !choiceWord.MatchString(w) {
			return nil
		}
		out = append(out, w)
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// fixed completes the choices; with sep, a value may list several, and
// the last of them is completed.
func fixed(choices []string, sep string) completeFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		prefix := ""
		if sep != "" {
			if i := strings.LastIndex(toComplete, sep); i >= 0 {
				prefix = toComplete[:i+1]
			}
		}
		var out []cobra.Completion
		for _, c := range choices {
			if strings.HasPrefix(prefix+c, toComplete) {
				out = append(out, prefix+c)
			}
		}
		dir := cobra.ShellCompDirectiveNoFileComp
		if sep != "" {
			dir |= cobra.ShellCompDirectiveNoSpace
		}
		return out, dir
	}
}

// objectNames completes names from the ELF object that is the command's
// first argument.
func objectNames(names func(*gbpf.CollectionSpec) []string) completeFunc {
	return func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		spec, err := gbpf.LoadCollectionSpec(args[0])
		if err != nil {
			return cobra.AppendActiveHelp(nil, "no names: "+err.Error()), cobra.ShellCompDirectiveNoFileComp
		}
		return prefixed(names(spec), toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// sectionNames completes the sections of the ELF object that is the
// command's first argument.
func sectionNames(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	f, err := elf.Open(args[0])
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer f.Close()
	var names []string
	for _, s := range f.Sections {
		if s.Type == elf.SHT_PROGBITS && s.Flags&elf.SHF_EXECINSTR != 0 && s.Size > 0 {
			names = append(names, s.Name)
		}
	}
	return prefixed(names, toComplete), cobra.ShellCompDirectiveNoFileComp
}

func interfaceNames(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	names := []string{"any"}
	ifs, _ := net.Interfaces()
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	return prefixed(names, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// linkTypeNames lists the link types the filter compiler knows, by name.
func linkTypeNames() []string {
	var names []string
	for dlt := range 512 {
		if name := pcapfilter.LinkType(dlt).String(); !strings.HasPrefix(name, "DLT_") && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

func prefixed(names []string, prefix string) []cobra.Completion {
	slices.Sort(names)
	var out []cobra.Completion
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
