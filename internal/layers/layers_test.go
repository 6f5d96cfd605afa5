package layers

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is the module path; the tables name packages relative to it.
const module = "github.com/gbpf/gbpf"

// implementations are the packages that run programs or own runtime
// memory: the engines, the map implementations (mmap'd by
// internal/engine) and the kernel backend.
var implementations = []string{
	"internal/interp",
	"internal/jit/...",
	"internal/engine",
	"maps",
	"kernel",
}

// engines are the packages that execute instructions.
var engines = []string{"internal/interp", "internal/jit/..."}

// A rule forbids pkg to link (import directly or through other packages)
// any package of forbid; "p/..." stands for p and the packages under it.
type rule struct {
	pkg    string
	forbid []string
	why    string
}

var rules = []rule{
	{"isa", implementations, "the instruction set names things; it runs nothing"},
	{"progtype", implementations, "program types are data: layouts, access rules, helper sets"},
	// helpers implements the helpers over maps and runtime memory; their
	// ids and names are package helperid's, which links nothing. The
	// prototypes are not yet a package of their own (the verifier takes
	// them from helpers), so only the engines and the kernel are
	// forbidden here.
	{"helpers/helperid", append(slices.Clone(implementations), "helpers", "isa"), "helper ids and names are data; package helpers aliases them"},
	{"helpers", append(slices.Clone(engines), "kernel"), "helpers are called by engines, not the other way round"},
	{"asm", implementations, "the assembler turns text into isa instructions"},
	{"pcapfilter", []string{"internal/jit/...", "asm"}, "the tcpdump-filter compiler emits classic BPF; running it is the caller's choice"},
	// The verifier prints its log's instructions in the assembler's
	// verifier syntax; asm links no implementation (its own rule).
	{"verifier", implementations, "the verifier judges instructions; it runs none"},
	{"loader", implementations, "the loader parses objects into specs; loading into a runtime or the kernel is the caller's"},
	{"internal/jit/amd64", []string{"asm", "internal/jit/amd64/listing"}, "the JIT compiles; its listing (the assembler's formatter, x86asm) is package listing's"},
	{"tcpdump", append(slices.Clone(implementations), "asm", "cbpf", "pcapfilter"), "the renderer turns packet bytes into tcpdump's text; capturing and filtering are the caller's"},
}

// An exception is a violation that exists today, with what must move to
// remove it. The test fails if one disappears: delete its line then.
type exception struct {
	pkg, dep string
	todo     string
}

var exceptions = []exception{
	{"pcapfilter", "internal/jit/amd64", "TODO: cbpf.Filter (cbpf/filter.go) takes the one engine choice (abi.Engine) but compiles its machine code itself; the runner moves out of cbpf and pcapfilter's live capture takes it from its caller"},
	{"pcapfilter", "internal/jit/amd64/x86", "TODO: as for internal/jit/amd64 (cbpf.Filter)"},
	{"verifier", "maps", "TODO: map specs and per-type creation rules (maps.Spec, maps.Type) move to a package without implementations; the verifier imports maps for them, and helpers for the prototypes (helpers.Set; the ids are helperid's)"},
	{"verifier", "internal/engine", "TODO: reached through maps and helpers; goes with the map specs and helper prototypes"},
	{"loader", "maps", "TODO: the loader builds maps.Spec; goes with the map specs"},
	{"loader", "internal/engine", "TODO: reached through maps; goes with the map specs"},
}

// graph maps a package to the packages it imports directly.
type graph map[string][]string

// moduleGraph lists the module's packages (for the host's GOOS and GOARCH,
// without tests) with their imports, relative to the module.
func moduleGraph(t *testing.T) graph {
	t.Helper()
	// go test puts its own go first in PATH.
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	g := graph{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		pkg, ok := relative(f[0])
		if !ok {
			continue
		}
		g[pkg] = nil
		for _, imp := range f[1:] {
			if rel, ok := relative(imp); ok {
				g[pkg] = append(g[pkg], rel)
			}
		}
	}
	return g
}

// relative returns path relative to the module, if it is the module's.
func relative(path string) (string, bool) {
	switch {
	case path == module:
		return ".", true
	case strings.HasPrefix(path, module+"/"):
		return path[len(module)+1:], true
	}
	return "", false
}

// matches reports whether pkg is pattern or, for "p/...", under p.
func matches(pattern, pkg string) bool {
	if p, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == p || strings.HasPrefix(pkg, p+"/")
	}
	return pkg == pattern
}

// paths returns, for every package that from links, one import chain from
// from to it (shortest first found), from excluded.
func (g graph) paths(from string) map[string][]string {
	chain := map[string][]string{from: {from}}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, imp := range g[p] {
			if _, seen := chain[imp]; !seen {
				chain[imp] = append(slices.Clone(chain[p]), imp)
				queue = append(queue, imp)
			}
		}
	}
	delete(chain, from)
	return chain
}

// check returns the violations of rules in g that exceptions do not
// excuse, and the exceptions that no longer occur (or name a rule's
// package that is gone).
func check(g graph, rules []rule, exceptions []exception) (violations, stale []string) {
	excused := map[[2]string]bool{}
	for _, e := range exceptions {
		excused[[2]string{e.pkg, e.dep}] = false
	}
	for _, r := range rules {
		if _, ok := g[r.pkg]; !ok {
			violations = append(violations, fmt.Sprintf("rule for %s: no such package", r.pkg))
			continue
		}
		chains := g.paths(r.pkg)
		deps := make([]string, 0, len(chains))
		for dep := range chains {
			deps = append(deps, dep)
		}
		slices.Sort(deps)
		for _, dep := range deps {
			if !slices.ContainsFunc(r.forbid, func(f string) bool { return matches(f, dep) }) {
				continue
			}
			key := [2]string{r.pkg, dep}
			if _, ok := excused[key]; ok {
				excused[key] = true
				continue
			}
			violations = append(violations, fmt.Sprintf("%s links %s (%s): %s", r.pkg, dep, strings.Join(chains[dep], " -> "), r.why))
		}
	}
	for _, e := range exceptions {
		if !excused[[2]string{e.pkg, e.dep}] {
			stale = append(stale, fmt.Sprintf("%s -> %s", e.pkg, e.dep))
		}
	}
	return violations, stale
}

func TestLayers(t *testing.T) {
	violations, stale := check(moduleGraph(t), rules, exceptions)
	for _, v := range violations {
		t.Errorf("forbidden import: %s", v)
	}
	for _, s := range stale {
		t.Errorf("exception %s no longer occurs: delete it from the exceptions table", s)
	}
}

// TestLayersCheck runs the checker on made-up graphs: a forbidden edge,
// direct or through another package, fails; an excused one passes; an
// exception that does not occur fails.
func TestLayersCheck(t *testing.T) {
	toy := []rule{{"isa", []string{"internal/jit/...", "maps"}, "names things"}}
	tests := []struct {
		name       string
		g          graph
		exceptions []exception
		violations int
		stale      int
	}{
		{"clean", graph{"isa": nil, "maps": nil}, nil, 0, 0},
		{"direct", graph{"isa": {"maps"}, "maps": nil}, nil, 1, 0},
		{"through another package", graph{"isa": {"asm"}, "asm": {"internal/jit/amd64"}, "internal/jit/amd64": {"internal/jit/amd64/x86"}, "internal/jit/amd64/x86": nil}, nil, 2, 0},
		{"excused", graph{"isa": {"maps"}, "maps": nil}, []exception{{"isa", "maps", "TODO"}}, 0, 0},
		{"stale exception", graph{"isa": nil, "maps": nil}, []exception{{"isa", "maps", "TODO"}}, 0, 1},
		{"unknown package", graph{"asm": nil}, nil, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, s := check(tc.g, toy, tc.exceptions)
			if len(v) != tc.violations || len(s) != tc.stale {
				t.Errorf("violations %q, stale %q; want %d and %d", v, s, tc.violations, tc.stale)
			}
		})
	}
	// The real graph with one forbidden edge added: isa importing the
	// interpreter fails the real rules.
	g := moduleGraph(t)
	g["isa"] = append(slices.Clone(g["isa"]), "internal/interp")
	v, _ := check(g, rules, exceptions)
	if !slices.ContainsFunc(v, func(s string) bool { return strings.HasPrefix(s, "isa links internal/interp") }) {
		t.Errorf("isa -> internal/interp added: violations %q, want one for it", v)
	}
}

// TestJITLinksNoDecoder checks that the packages that run the JIT do not
// link the x86 decoder, which only the JIT's listing package needs.
func TestJITLinksNoDecoder(t *testing.T) {
	for _, pkg := range []string{"internal/jit/amd64", "cbpf", "pcapfilter", "."} {
		path := module
		if pkg != "." {
			path += "/" + pkg
		}
		cmd := exec.Command("go", "list", "-deps", path)
		cmd.Env = append(cmd.Environ(), "GOOS=linux", "GOARCH=amd64")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "golang.org/x/arch/x86/x86asm" {
				t.Errorf("%s links %s", pkg, dep)
			}
		}
	}
}
