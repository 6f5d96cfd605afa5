package provenance

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// LinuxTarball returns the path of the Linux source tarball Debian's
// linux-source package installs, or "" if there is none.
func LinuxTarball() string {
	m, _ := filepath.Glob("/usr/src/linux-source-*.tar.xz")
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}

// ExtractLinux extracts LinuxMembers of the Linux source tarball into dir.
func ExtractLinux(dir string) error {
	tarball := LinuxTarball()
	if tarball == "" {
		return fmt.Errorf("no Linux source tarball (install Debian's linux-source package, or give -ref)")
	}
	top := strings.TrimSuffix(filepath.Base(tarball), ".tar.xz")
	args := []string{"-xJf", tarball, "-C", dir, "--wildcards"}
	for _, m := range LinuxMembers {
		args = append(args, top+"/"+m)
	}
	if out, err := exec.Command("tar", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("extracting %s: %v: %s", tarball, err, out)
	}
	return nil
}

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
