package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestMan writes the man pages and checks that every command has one,
// naming it and its flags, and that man(1) renders them if it is here.
func TestMan(t *testing.T) {
	dir := t.TempDir()
	if out, err := execGbpf(t, "man", dir); err != nil {
		t.Fatalf("gbpf man: %v\n%s", err, out)
	}
	var walk func(c *cobra.Command)
	pages := 0
	walk = func(c *cobra.Command) {
		if !c.IsAvailableCommand() && c != rootCmd {
			return
		}
		pages++
		name := strings.ReplaceAll(c.CommandPath(), " ", "-")
		b, err := os.ReadFile(filepath.Join(dir, name+".1"))
		if err != nil {
			t.Errorf("%s: %v", c.CommandPath(), err)
			return
		}
		page := string(b)
		if !strings.Contains(page, `.TH "`+strings.ToUpper(name)+`" "1"`) || !strings.Contains(page, ".SH NAME\n"+name+" - ") {
			t.Errorf("%s.1 lacks its title or NAME:\n%.300s", name, page)
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden && !strings.Contains(page, `\fB--`+f.Name+`\fP`) {
				t.Errorf("%s.1 does not mention --%s", name, f.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(rootCmd)
	got, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	if len(got) != pages {
		t.Errorf("%d pages for %d commands", len(got), pages)
	}
	if _, err := os.Stat(filepath.Join(dir, "gbpf-man.1")); err == nil {
		t.Error("the hidden man command has a page")
	}
	if _, err := exec.LookPath("man"); err != nil {
		t.Log("no man(1) here to render the pages")
		return
	}
	cmd := exec.Command("man", "-l", filepath.Join(dir, "gbpf-serve.1"))
	cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "NAME") || !strings.Contains(string(out), "--replay") {
		t.Errorf("man -l gbpf-serve.1: %v\n%s", err, out)
	}
}
