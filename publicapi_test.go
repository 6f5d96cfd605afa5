package gbpf_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// knownInternal lists the exported names of public packages that still
// name an internal package's type, with the reason they are left. The test
// fails when one of them no longer does, so that the list only shrinks.
var knownInternal = map[string]string{}

// TestPublicAPINamesNoInternal checks that no exported declaration of a
// public package (its functions, variables, constants, types, fields and
// methods) names a type of an internal package, which a user outside the
// module could not name, and that `go doc -all` of every public package
// mentions no internal/ path.
func TestPublicAPINamesNoInternal(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles every package: not in -short mode")
	}
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	pkgs, exports := listPackages(t, gotool)
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	found := map[string]string{}
	for _, path := range pkgs {
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		for name, why := range internalNames(pkg) {
			found[path+"."+name] = why
		}
		out, err := exec.Command(gotool, "doc", "-all", path).CombinedOutput()
		if err != nil {
			t.Fatalf("go doc -all %s: %v\n%s", path, err, out)
		}
		for i, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "internal/") {
				t.Errorf("go doc -all %s, line %d, names an internal package: %s", path, i+1, strings.TrimSpace(line))
			}
		}
	}
	for name, why := range found {
		if _, ok := knownInternal[name]; !ok {
			t.Errorf("%s names %s, which users cannot import", name, why)
		}
	}
	for name := range knownInternal {
		if _, ok := found[name]; !ok {
			t.Errorf("%s no longer names an internal type: remove it from knownInternal", name)
		}
	}
}

// listPackages returns the module's public library packages and the export
// data file of every package they depend on.
func listPackages(t *testing.T, gotool string) ([]string, map[string]string) {
	t.Helper()
	cmd := exec.Command(gotool, "list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}\t{{.Name}}\t{{.Module}}", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	exports := map[string]string{}
	var pkgs []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			t.Fatalf("go list: bad line %q", sc.Text())
		}
		exports[f[0]] = f[1]
		if strings.HasPrefix(f[3], "github.com/gbpf/gbpf") && f[2] != "main" && !isInternal(f[0]) {
			pkgs = append(pkgs, f[0])
		}
	}
	slices.Sort(pkgs)
	if len(pkgs) < 10 {
		t.Fatalf("found only %d public packages: %v", len(pkgs), pkgs)
	}
	return pkgs, exports
}

func isInternal(path string) bool {
	return strings.Contains(path, "/internal/") || strings.HasSuffix(path, "/internal") || strings.HasPrefix(path, "internal/")
}

// internalNames returns the exported names of pkg whose declarations name
// an internal package's type, with that type.
func internalNames(pkg *types.Package) map[string]string {
	found := map[string]string{}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		w := apiWalker{seen: map[types.Type]bool{}}
		switch obj := obj.(type) {
		case *types.TypeName:
			if alias, ok := obj.Type().(*types.Alias); ok {
				w.walk(alias.Rhs())
				break
			}
			named, ok := obj.Type().(*types.Named)
			if !ok {
				w.walk(obj.Type())
				break
			}
			w.members(named.Underlying())
			for m := range named.Methods() {
				if m.Exported() {
					w.walk(m.Type())
				}
			}
		default:
			w.walk(obj.Type())
		}
		if w.bad != "" {
			found[name] = w.bad
		}
	}
	return found
}

// apiWalker looks for internal types in what a user of a declaration sees.
type apiWalker struct {
	seen map[types.Type]bool
	bad  string // the first internal type found
}

// members walks the exported fields of a struct or the methods of an
// interface (the underlying type of a declared type), or the type itself.
func (w *apiWalker) members(t types.Type) {
	switch t := t.(type) {
	case *types.Struct:
		for f := range t.Fields() {
			if f.Exported() {
				w.walk(f.Type())
			}
		}
	case *types.Interface:
		for m := range t.Methods() {
			if m.Exported() {
				w.walk(m.Type())
			}
		}
	default:
		w.walk(t)
	}
}

func (w *apiWalker) walk(t types.Type) {
	if t == nil || w.bad != "" || w.seen[t] {
		return
	}
	w.seen[t] = true
	switch t := t.(type) {
	case *types.Alias:
		if p := t.Obj().Pkg(); p != nil && isInternal(p.Path()) {
			w.bad = p.Path() + "." + t.Obj().Name()
			return
		}
		w.walk(t.Rhs())
	case *types.Named:
		if p := t.Obj().Pkg(); p != nil && isInternal(p.Path()) {
			w.bad = p.Path() + "." + t.Obj().Name()
			return
		}
		for a := range t.TypeArgs().Types() {
			w.walk(a)
		}
	case *types.Pointer:
		w.walk(t.Elem())
	case *types.Slice:
		w.walk(t.Elem())
	case *types.Array:
		w.walk(t.Elem())
	case *types.Map:
		w.walk(t.Key())
		w.walk(t.Elem())
	case *types.Chan:
		w.walk(t.Elem())
	case *types.Signature:
		for v := range t.Params().Variables() {
			w.walk(v.Type())
		}
		for v := range t.Results().Variables() {
			w.walk(v.Type())
		}
	case *types.Struct, *types.Interface:
		w.members(t)
	}
}
