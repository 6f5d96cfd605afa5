package gbpf_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHostModule builds and runs testdata/hostmodule, a program in a
// module of its own (as a user's would be) that requires gbpf through a
// replace directive: it registers a helper with a prototype of its own,
// which the verifier checks calls against, gives a builtin helper its own
// implementation by name, and matches ErrBudget, *Fault
// and ErrNotSupported with errors.Is and errors.As. It fails to build if a
// public API names an internal package's type that a host must use.
func TestHostModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module: not in -short mode")
	}
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if goVersion == nil {
		t.Fatal("go.mod has no go directive")
	}
	dir := t.TempDir()
	mod := "module example.com/host\n\ngo " + string(goVersion[1]) + "\n\n" +
		"require github.com/gbpf/gbpf v0.0.0\n\n" +
		"replace github.com/gbpf/gbpf => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "hostmodule", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"go.mod": []byte(mod), "go.sum": sum, "main.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(gotool, "run", ".")
	cmd.Dir = dir
	// Dependencies come from the module cache, never the network; -mod=mod
	// lets go fill in the host's go.mod from gbpf's.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	want := `sum: 10
prandom: 4
wrong argument rejected: true
budget: true
fault: true
not supported: true
`
	if got := string(out); got != want {
		t.Errorf("the host printed\n%s\nwant\n%s", got, strings.TrimSuffix(want, "\n"))
	}
}
