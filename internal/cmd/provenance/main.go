// Command provenance checks that no source file of the repository shares
// a long run of code or comment text with a reference tree of GPL code
// (the Linux kernel's BPF subsystem, its x86 JIT, bpftool and libbpf).
//
//	go run ./internal/cmd/provenance [-ref DIR] [-v] [REPO]
//
// Without -ref it extracts the reference files from the Linux source
// tarball of Debian's linux-source package (/usr/src/linux-source-*.tar.xz).
// It prints every run at or over the thresholds and exits 1 if there is
// one; -v also prints each checked file's longest runs.
package main

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"

	"github.com/gbpf/gbpf/internal/provenance"
)

func main() {
	ref := flag.String("ref", "", "reference `DIR` of C sources (default: extracted from the Linux source tarball)")
	verbose := flag.Bool("v", false, "print each file's longest shared runs")
	flag.Parse()
	repo := "."
	if flag.NArg() > 0 {
		repo = flag.Arg(0)
	}
	if err := run(repo, *ref, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "provenance:", err)
		os.Exit(1)
	}
}

func run(repo, ref string, verbose bool) error {
	if ref == "" {
		dir, err := provenance.ExtractLinux()
		if err != nil {
			return err
		}
		ref = dir
	}
	corpus, nref, err := provenance.LoadCorpus(ref)
	if err != nil {
		return err
	}
	files, err := provenance.RepoFiles(repo)
	if err != nil {
		return err
	}
	fmt.Printf("reference: %d files; checked: %d files\n", nref, len(files))
	var found []provenance.Match
	type longest struct {
		name          string
		code, comment provenance.Match
	}
	var all []longest
	type dense struct {
		share float64
		m     provenance.Match
	}
	var dens []dense
	for _, f := range files {
		found = append(found, corpus.Check(f)...)
		share, m := corpus.Coverage(f)
		dens = append(dens, dense{share, m})
		if share >= provenance.MinCoverage {
			found = append(found, m)
		}
		code, comment := corpus.Longest(f)
		all = append(all, longest{f.Name, code, comment})
	}
	if verbose {
		sort.Slice(dens, func(i, j int) bool { return dens[i].share > dens[j].share })
		for _, d := range dens[:min(len(dens), 15)] {
			fmt.Printf("densest %3.0f%%  %s\n", 100*d.share, d.m)
		}
		sort.Slice(all, func(i, j int) bool { return all[i].code.Tokens > all[j].code.Tokens })
		for _, l := range all[:min(len(all), 25)] {
			fmt.Printf("longest code run %4d  %s\n", l.code.Tokens, l.code)
		}
		sort.Slice(all, func(i, j int) bool { return all[i].comment.Tokens > all[j].comment.Tokens })
		for _, l := range all[:min(len(all), 15)] {
			fmt.Printf("longest comment run %4d  %s\n", l.comment.Tokens, l.comment)
		}
	}
	for _, m := range found {
		fmt.Println(m)
	}
	if len(found) > 0 {
		return fmt.Errorf("%d shared runs (%d code tokens or %d comment words) or dense stretches (%.0f%% of %d tokens)", len(found), provenance.MinCodeRun, provenance.MinCommentRun, 100*provenance.MinCoverage, provenance.Span)
	}
	top := slices.MaxFunc(dens, func(a, b dense) int { return cmp.Compare(a.share, b.share) })
	fmt.Printf("no shared run of %d code tokens or %d comment words; densest stretch %.0f%% (%v)\n", provenance.MinCodeRun, provenance.MinCommentRun, 100*top.share, top.m)
	return nil
}
