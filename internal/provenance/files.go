package provenance

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gbpf/gbpf/internal/linuxsrc"
)

// LinuxMembers are the parts of the Linux source tree gbpf's design
// follows and whose code it must not contain: the BPF subsystem, the x86
// JIT, the socket filter and program-type code, bpftool, libbpf and the
// kernel's BPF tests. The uapi headers, whose numbers and layouts are the
// interface programs are written against, are left out.
var LinuxMembers = []string{
	"kernel/bpf/*",
	"arch/x86/net/*",
	"net/core/filter.c",
	"tools/bpf/bpftool/*",
	"tools/lib/bpf/*",
	"lib/test_bpf.c",
	"include/linux/bpf*.h",
	"include/linux/tnum.h",
	"include/linux/filter.h",
}

// ExtractLinux returns the directory holding LinuxMembers of the Linux
// source tarball (see package linuxsrc).
func ExtractLinux() (string, error) { return linuxsrc.Extract(LinuxMembers...) }

// LoadCorpus indexes every C source and header under dir.
func LoadCorpus(dir string) (*Corpus, int, error) {
	c := NewCorpus()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ext := filepath.Ext(path); ext != ".c" && ext != ".h" {
			return nil
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		c.Add(Parse(rel, text))
		n++
		return nil
	})
	return c, n, err
}

// RepoFiles parses the repository's own sources: Go, C, headers and
// assembly, tests included, generated and vendored files too.
func RepoFiles(root string) ([]*Source, error) {
	var out []*Source
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == ".git" || name == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".c", ".h", ".s", ".bt":
		default:
			return nil
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, Parse(filepath.ToSlash(rel), text))
		return nil
	})
	return out, err
}
