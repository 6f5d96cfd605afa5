package provenance

import (
	"os"
	"testing"

	"github.com/gbpf/gbpf/internal/linuxsrc"
)

func fixture(t *testing.T, name string) *Source {
	t.Helper()
	text, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return Parse(name, text)
}

// TestDetectsTranslation checks the checker on a C file and a line-by-line
// Go translation of it (both written for the test): the translation is
// flagged by its shared runs and density, an independent implementation of
// the same job is not.
func TestDetectsTranslation(t *testing.T) {
	c := NewCorpus()
	c.Add(fixture(t, "original.c"))

	tr := fixture(t, "translated.go.txt")
	share, where := c.Coverage(tr)
	t.Logf("translation: %.0f%% of its densest stretch is in the corpus (%v)", 100*share, where)
	if share < MinCoverage {
		t.Errorf("translation: density %.2f below %.2f", share, MinCoverage)
	}
	matches := c.Check(tr)
	comment := false
	for _, m := range matches {
		t.Log(m)
		comment = comment || m.Comment
	}
	if !comment {
		t.Errorf("translation: its copied comment was not reported")
	}

	ind := fixture(t, "independent.go.txt")
	if share, where := c.Coverage(ind); share >= MinCoverage/4 {
		t.Errorf("independent implementation: density %.2f (%v)", share, where)
	}
	if m := c.Check(ind); len(m) > 0 {
		t.Errorf("independent implementation flagged: %v", m)
	}
}

// TestNormalise checks that C's and Go's spellings of the same code reduce
// to the same stream.
func TestNormalise(t *testing.T) {
	c := Parse("a.c", []byte("static u64 f(struct tnum *a) { u64 mu; mu = a->value & ~a->mask; return mu; } // one two"))
	g := Parse("a.go", []byte("func f(a *Tnum) uint64 { mu := a.Value &^ a.Mask; return mu } /* one two */"))
	text := func(toks []Token) (s []string) {
		for _, t := range toks {
			s = append(s, t.Text)
		}
		return s
	}
	// C declares mu before assigning it; the rest is the same stream.
	if got := join(text(c.Code)); got != "f tnum a mu mu = a . value ~ a . mask return mu" {
		t.Errorf("C: %q", got)
	}
	if got := join(text(g.Code)); got != "f a tnum mu = a . value ~ a . mask return mu" {
		t.Errorf("Go: %q", got)
	}
	if join(text(c.Comments)) != "one two" || join(text(g.Comments)) != "one two" {
		t.Errorf("comments: %q %q", text(c.Comments), text(g.Comments))
	}
}

func join(s []string) string {
	out := ""
	for i, w := range s {
		if i > 0 {
			out += " "
		}
		out += w
	}
	return out
}

// TestRepoIsNotATranslation checks every source file of the repository
// against the Linux kernel's BPF subsystem, x86 JIT, socket filter code,
// bpftool and libbpf, extracted from Debian's linux-source package (which
// .ci/setup installs).
func TestRepoIsNotATranslation(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: extracting the Linux sources takes seconds")
	}
	if linuxsrc.Tarball() == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Linux source tarball: .ci/setup installs Debian's linux-source package")
		}
		t.Skip("no Linux source tarball (Debian's linux-source package)")
	}
	dir, err := ExtractLinux()
	if err != nil {
		t.Fatal(err)
	}
	corpus, n, err := LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := RepoFiles("../..")
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 || len(files) < 100 {
		t.Fatalf("only %d reference and %d repository files", n, len(files))
	}
	var densest float64
	var at Match
	for _, f := range files {
		for _, m := range corpus.Check(f) {
			t.Errorf("%v", m)
		}
		share, m := corpus.Coverage(f)
		if share >= MinCoverage {
			t.Errorf("%v (%.0f%% of a %d-token stretch)", m, 100*share, Span)
		}
		if share > densest {
			densest, at = share, m
		}
	}
	t.Logf("%d repository files against %d reference files; densest stretch %.0f%% (%v)", len(files), n, 100*densest, at)
}
