package examples_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/gbpf/gbpf"
)

// config is one way of running the examples.
type config struct {
	name string
	opts gbpf.Options
}

// configs are the engines every example runs on: unverified in the checked
// interpreter (with the leak sanitizer too, which must find no leak in a
// legitimate program), and verified on every engine of the root API
// (gbpf.Engines), named as they are.
var configs = func() []config {
	c := []config{
		{"unverified", gbpf.Options{Checked: true}},
		{"sanitized", gbpf.Options{Checked: true, Sanitize: true}},
	}
	for _, e := range gbpf.Engines() {
		c = append(c, config{e.String(), gbpf.Options{Engine: e}})
	}
	return c
}()

// object returns the path of an example object.
func object(name string) string { return filepath.Join("bpf", name+".o") }

// spec loads an example's collection spec.
func spec(t testing.TB, name string) *gbpf.CollectionSpec {
	t.Helper()
	s, err := gbpf.LoadCollectionSpec(object(name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// collection creates an example's collection with cfg.
func collection(t testing.TB, s *gbpf.CollectionSpec, cfg config) *gbpf.Collection {
	t.Helper()
	opts := cfg.opts
	coll, err := gbpf.NewCollection(s, &opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(coll.Close)
	return coll
}

// each runs f once per configuration, each with a fresh collection of the
// example.
func each(t *testing.T, name string, f func(t *testing.T, coll *gbpf.Collection)) {
	for _, cfg := range configs {
		t.Run(cfg.name, func(t *testing.T) {
			opts := cfg.opts
			opts.Privileged = needsRoot[name]
			coll, err := gbpf.NewCollection(spec(t, name), &opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(coll.Close)
			f(t, coll)
		})
	}
}

// needsRoot lists the examples only the privileged verifier accepts: all
// are tracing programs, which Linux loads only for CAP_PERFMON, and each
// calls a helper Linux offers only to CAP_PERFMON or adds a register to
// the context pointer.
var needsRoot = map[string]bool{"printk": true, "probe_read": true, "syscount": true}

// run runs prog on data and returns its return value.
func run(t testing.TB, coll *gbpf.Collection, prog string, opts *gbpf.RunOptions) uint64 {
	t.Helper()
	p := coll.Programs[prog]
	if p == nil {
		t.Fatalf("no program %s", prog)
	}
	ret, err := p.Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	return ret
}

// lookup reads key from map name into out, failing the test on error.
func lookup(t testing.TB, coll *gbpf.Collection, name string, key, out any) {
	t.Helper()
	m := coll.Maps[name]
	if m == nil {
		t.Fatalf("no map %s", name)
	}
	if err := m.Lookup(key, out); err != nil {
		t.Fatal(err)
	}
}

// u64 reads a uint64 value.
func u64(t testing.TB, coll *gbpf.Collection, name string, key any) uint64 {
	t.Helper()
	var v uint64
	lookup(t, coll, name, key, &v)
	return v
}

// sum adds per-CPU values.
func sum(vs []uint64) uint64 {
	var n uint64
	for _, v := range vs {
		n += v
	}
	return n
}

// cstr returns b up to its first NUL.
func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
