package main

import (
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// groupCommands returns the command paths (without "gbpf") of every command
// that only groups subcommands, rootCmd's included.
func groupCommands(t *testing.T) [][]string {
	t.Helper()
	var groups [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		var subs []*cobra.Command
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				subs = append(subs, sub)
			}
		}
		if len(subs) > 0 {
			groups = append(groups, path)
		}
		for _, sub := range subs {
			walk(sub, append(path[:len(path):len(path)], sub.Name()))
		}
	}
	walk(rootCmd, nil)
	for _, want := range []string{"prog", "map", "tools", "completion"} {
		found := false
		for _, g := range groups {
			found = found || len(g) == 1 && g[0] == want
		}
		if !found {
			t.Fatalf("%q is not among the groups %q", want, groups)
		}
	}
	return groups
}

func TestUnknownSubcommand(t *testing.T) {
	for _, group := range groupCommands(t) {
		cmd, _, err := rootCmd.Find(group)
		if err != nil {
			t.Fatal(err)
		}
		first := cmd.Commands()[0].Name()
		for _, typed := range []struct {
			name    string
			suggest bool
		}{
			{"nosuchverb", false},
			{first + "x", true}, // one letter off: cobra suggests it
		} {
			args := append(group[:len(group):len(group)], typed.name, "X")
			out, err := execGbpf(t, args...)
			if err == nil {
				t.Errorf("gbpf %s: no error; output:\n%s", strings.Join(args, " "), out)
				continue
			}
			want := `unknown command "` + typed.name + `" for "` + cmd.CommandPath() + `"`
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("gbpf %s: error %q, want it to start with %q", strings.Join(args, " "), err, want)
			}
			suggestion := "\n\nDid you mean this?\n\t" + first + "\n"
			if got := strings.Contains(err.Error()+"\n", suggestion); got != typed.suggest {
				t.Errorf("gbpf %s: error %q: suggestion of %q is %v, want %v", strings.Join(args, " "), err, first, got, typed.suggest)
			}
		}
	}
}

func TestUnknownProgVerbIsAnError(t *testing.T) {
	_, err := execGbpf(t, "prog", "frobnicate", "X")
	if err == nil || !strings.HasPrefix(err.Error(), `unknown command "frobnicate" for "gbpf prog"`) {
		t.Fatalf("gbpf prog frobnicate X: error %v", err)
	}
	// show with an operand that is neither a selector nor a file fails too.
	if _, err := execGbpf(t, "prog", "show", "X"); err == nil {
		t.Fatal("gbpf prog show X: no error")
	}
}

func TestGroupWithoutSubcommand(t *testing.T) {
	for _, group := range groupCommands(t) {
		out, err := execGbpf(t, group...)
		path := strings.Join(append([]string{"gbpf"}, group...), " ")
		if err == nil || !strings.Contains(err.Error(), `"`+path+`" needs a command: `) {
			t.Errorf("%s: error %v, want one saying it needs a command", path, err)
		}
		if !strings.Contains(out, "Available Commands:") {
			t.Errorf("%s: the help is not printed; output:\n%s", path, out)
		}
	}
}

func TestVersion(t *testing.T) {
	shape := regexp.MustCompile(`^gbpf version \S+ commit (unknown|[0-9a-f]{40}( \S+)?( \(modified\))?)\n$`)
	for _, args := range [][]string{{"--version"}, {"-V"}, {"version"}} {
		out, err := execGbpf(t, args...)
		if err != nil {
			t.Fatalf("gbpf %s: %v", args[0], err)
		}
		if !shape.MatchString(out) {
			t.Errorf("gbpf %s printed %q", args[0], out)
		}
	}
}

func TestBuildVersion(t *testing.T) {
	stamped := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/gbpf/gbpf", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "1b4ebed0c1a2b3c4d5e6f708192a3b4c5d6e7f80"},
			{Key: "vcs.time", Value: "2026-12-08T00:12:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	for _, c := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{stamped, true, "(devel) commit 1b4ebed0c1a2b3c4d5e6f708192a3b4c5d6e7f80 2026-12-08T00:12:00Z (modified)"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: stamped.Settings[:3]}, true, "v1.2.3 commit 1b4ebed0c1a2b3c4d5e6f708192a3b4c5d6e7f80 2026-12-08T00:12:00Z"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "(devel) commit unknown"},
		{&debug.BuildInfo{}, true, "unknown commit unknown"},
		{nil, false, "unknown commit unknown"},
	} {
		if got := buildVersion(c.info, c.ok); got != c.want {
			t.Errorf("buildVersion(%+v) = %q, want %q", c.info, got, c.want)
		}
	}
}
