// Package linuxsrc gives tests the parts of the Linux sources they compare
// gbpf with, from the tarball of Debian's linux-source package (which
// .ci/setup installs). Nothing extracted becomes part of gbpf: the
// provenance check compares gbpf's files with the kernel's BPF code, and
// the verifier's differential test runs the kernel's own verifier
// selftests against gbpf and the running kernel.
package linuxsrc

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Tarball returns the path of the Linux source tarball Debian's
// linux-source package installs, or "" if there is none.
func Tarball() string {
	m, _ := filepath.Glob("/usr/src/linux-source-*.tar.xz")
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}

// Extract extracts the members (paths inside the source tree, with shell
// wildcards) into a directory it returns, the root of the source tree.
// The result is cached in the user's cache directory: decompressing the
// tarball takes tens of seconds.
func Extract(members ...string) (string, error) {
	tarball := Tarball()
	if tarball == "" {
		return "", fmt.Errorf("no Linux source tarball (install Debian's linux-source package)")
	}
	st, err := os.Stat(tarball)
	if err != nil {
		return "", err
	}
	top := strings.TrimSuffix(filepath.Base(tarball), ".tar.xz")
	h := sha256.New()
	fmt.Fprintf(h, "%s %d %d\n", tarball, st.Size(), st.ModTime().UnixNano())
	for _, m := range members {
		fmt.Fprintln(h, m)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "gbpf", "linuxsrc", hex.EncodeToString(h.Sum(nil))[:16])
	root := filepath.Join(dir, top)
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return root, nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "extract")
	if err != nil {
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return "", err
		}
		if tmp, err = os.MkdirTemp(filepath.Dir(dir), "extract"); err != nil {
			return "", err
		}
	}
	args := []string{"-xJf", tarball, "-C", tmp, "--wildcards"}
	for _, m := range members {
		args = append(args, top+"/"+m)
	}
	if out, err := exec.Command("tar", args...).CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("extracting %s: %v: %s", tarball, err, out)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		// Another process may have finished first.
		if _, serr := os.Stat(filepath.Join(dir, ".complete")); serr == nil {
			return root, nil
		}
		return "", err
	}
	return root, nil
}
