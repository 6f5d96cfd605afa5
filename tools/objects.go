package tools

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/cilium/ebpf"
)

// The tools' BPF objects, compiled from bpf/*.bpf.c by go generate.
var (
	//go:embed bpf/bitesize.bpf.o
	bitesizeObject []byte
	//go:embed bpf/biolatency.bpf.o
	biolatencyObject []byte
	//go:embed bpf/syscount.bpf.o
	syscountObject []byte
)

// Object returns the embedded ELF object of a tool: "bitesize",
// "biolatency" or "syscount".
func Object(name string) ([]byte, error) {
	switch name {
	case "bitesize":
		return bitesizeObject, nil
	case "biolatency":
		return biolatencyObject, nil
	case "syscount":
		return syscountObject, nil
	}
	return nil, fmt.Errorf("tools: no BPF object %q", name)
}

// loadSpec parses an embedded object.
func loadSpec(name string) (*ebpf.CollectionSpec, error) {
	obj, err := Object(name)
	if err != nil {
		return nil, err
	}
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(obj))
	if err != nil {
		return nil, fmt.Errorf("tools: %s object: %w", name, err)
	}
	return spec, nil
}

// Tracepoint names a tracepoint, such as block:block_rq_issue.
type Tracepoint struct {
	Group, Name string
}

// String returns "group:name".
func (tp Tracepoint) String() string { return tp.Group + ":" + tp.Name }

// programTracepoint returns the tracepoint a program's ELF section names
// ("tracepoint/<group>/<name>" or "tp/<group>/<name>").
func programTracepoint(p *ebpf.ProgramSpec) (Tracepoint, error) {
	parts := strings.Split(p.SectionName, "/")
	if len(parts) == 3 && (parts[0] == "tracepoint" || parts[0] == "tp") && parts[1] != "" && parts[2] != "" {
		return Tracepoint{parts[1], parts[2]}, nil
	}
	return Tracepoint{}, fmt.Errorf("tools: program %s: section %q is not tracepoint/<group>/<name>", p.Name, p.SectionName)
}
