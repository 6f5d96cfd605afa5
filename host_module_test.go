package gbpf_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/testutil"
)

// exeSuffix is the suffix of executables here.
func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// TestHostModule builds (go build, go vet) and runs testdata/hostmodule,
// a program in a module of its own (as a user's would be) that requires
// gbpf through a replace directive: it registers a helper with a
// prototype of its own, which the verifier checks calls against, gives a
// builtin helper its own implementation by name, matches ErrBudget,
// *Fault and ErrNotSupported with errors.Is and errors.As, and loads
// hash_counter.o with LoadAndAssign into the struct bpf2go generates, on
// gbpf's runtime and in the kernel, and compares the two. It fails to
// build if a public API names an internal package's type that a host must
// use.
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
	files := map[string][]byte{"go.mod": []byte(mod), "go.sum": sum}
	for _, name := range []string{"main.go", "counter.go"} {
		if files[name], err = os.ReadFile(filepath.Join("testdata", "hostmodule", name)); err != nil {
			t.Fatal(err)
		}
	}
	// The object its bpf2go-style counter.go embeds.
	if files["hash_counter.o"], err = os.ReadFile(filepath.Join("examples", "bpf", "hash_counter.o")); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Dependencies come from the module cache, which the test shares,
	// never the network; -mod=mod lets go fill in the host's go.mod from
	// gbpf's.
	env := append(os.Environ(), "GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	gocmd := func(args ...string) {
		t.Helper()
		cmd := exec.Command(gotool, args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	gocmd("build", "-o", "host"+exeSuffix(), ".")
	gocmd("vet", ".")
	cmd := exec.Command(filepath.Join(dir, "host"+exeSuffix()))
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("host: %v\n%s", err, out)
	}
	// The last line says whether the backends agree, or why the kernel
	// is unavailable.
	got, last, _ := strings.Cut(strings.TrimSuffix(string(out), "\n"), "\nkernel unavailable: ")
	if last != "" {
		if testutil.RequireKernel() {
			t.Fatalf("kernel required (GBPF_REQUIRE_KERNEL=1) but unavailable: %s", last)
		}
		t.Logf("the kernel backend is unavailable (%s): compared nothing", last)
		got += "\nbackends agree: true (5 runs, 3 map elements)"
	}
	got += "\n"
	want := `sum: 10
prandom: 4
wrong argument rejected: true
budget: true
fault: true
not supported: true
backends agree: true (5 runs, 3 map elements)
`
	if got != want {
		t.Errorf("the host printed\n%s\nwant\n%s", got, strings.TrimSuffix(want, "\n"))
	}
}
