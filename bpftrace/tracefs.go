package bpftrace

import (
	"os"
	"path/filepath"
	"sort"

	"github.com/gbpf/gbpf/kernel"
)

// Tracefs is the TracepointSource of the running kernel: tracefs's events
// directory.
type Tracefs struct{}

// Format reads the format file of group:name.
func (Tracefs) Format(group, name string) (*kernel.Format, error) {
	return kernel.TracepointFormat(group, name)
}

// List returns every tracepoint of tracefs as "group:name", sorted.
func (Tracefs) List() ([]string, error) {
	dir, err := kernel.TracefsDir()
	if err != nil {
		return nil, err
	}
	groups, err := os.ReadDir(filepath.Join(dir, "events"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, g := range groups {
		if !g.IsDir() {
			continue
		}
		events, err := os.ReadDir(filepath.Join(dir, "events", g.Name()))
		if err != nil {
			continue
		}
		for _, e := range events {
			if e.IsDir() {
				out = append(out, g.Name()+":"+e.Name())
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
