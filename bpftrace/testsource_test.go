package bpftrace

import (
	"os"
	"path/filepath"
	"sort"

	"github.com/gbpf/gbpf/kernel"
)

// dirSource serves the tracepoint formats saved in testdata/formats, one
// file per "group:name".
type dirSource string

func (d dirSource) Format(group, name string) (*kernel.Format, error) {
	b, err := os.ReadFile(filepath.Join(string(d), group+":"+name))
	if err != nil {
		return nil, err
	}
	f, err := kernel.ParseFormat(b)
	if err != nil {
		return nil, err
	}
	f.Group = group
	return f, nil
}

func (d dirSource) List() ([]string, error) {
	es, err := os.ReadDir(string(d))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out, nil
}

var testFormats = dirSource("testdata/formats")
