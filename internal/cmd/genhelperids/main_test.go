package main

import (
	"bytes"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dir is package helperid's directory.
var dir = filepath.Join("..", "..", "..", "helpers", "helperid")

func readIDs(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "ids.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names, err := readList(f, "ids.txt")
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestGenerated checks that the committed files are what the list
// generates: run go generate ./helpers/helperid after changing it.
func TestGenerated(t *testing.T) {
	names := readIDs(t)
	for path, src := range map[string][]byte{
		filepath.Join(dir, "ids.go"):       idsFile(names),
		filepath.Join(dir, "..", "ids.go"): aliasesFile(names),
	} {
		want, err := format.Source(src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what ids.txt generates: run go generate ./helpers/helperid", path)
		}
	}
}

// TestKernelList compares the list with the kernel's, from the uapi
// header where it is installed: the ids gbpf names are the kernel's first
// ones, in its order.
func TestKernelList(t *testing.T) {
	const header = "/usr/include/linux/bpf.h"
	b, err := os.ReadFile(header)
	if err != nil {
		t.Skipf("no kernel header to compare with: %v", err)
	}
	h := string(b)
	start := strings.Index(h, "#define __BPF_FUNC_MAPPER(FN)")
	if start < 0 {
		t.Skipf("%s has no __BPF_FUNC_MAPPER", header)
	}
	h = h[start:]
	if end := strings.Index(h, "/* */"); end >= 0 {
		h = h[:end]
	}
	var kernel []string
	for _, m := range regexp.MustCompile(`FN\((\w+)`).FindAllStringSubmatch(h, -1) {
		kernel = append(kernel, m[1])
	}
	names := readIDs(t)
	// The installed header may be older than the list (which follows the
	// running kernel's BTF), never newer.
	if len(kernel) > len(names) {
		t.Fatalf("the kernel header names %d helpers, ids.txt only %d", len(kernel), len(names))
	}
	for i, n := range names[:len(kernel)] {
		if kernel[i] != n {
			t.Errorf("id %d: ids.txt says %s, the kernel %s", i, n, kernel[i])
		}
	}
}

func TestGoName(t *testing.T) {
	for name, want := range map[string]string{
		"map_lookup_elem":            "MapLookupElem",
		"skb_get_xfrm_state":         "SKBGetXfrmState",
		"tcp_raw_gen_syncookie_ipv4": "TCPRawGenSyncookieIPv4",
		"get_current_uid_gid":        "GetCurrentUidGid",
		"get_socket_uid":             "GetSocketUID",
	} {
		if got := goName(name); got != want {
			t.Errorf("goName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestReadListErrors(t *testing.T) {
	for list, want := range map[string]string{
		"":                     "must start with unspec",
		"map_lookup_elem\n":    "must start with unspec",
		"unspec\nMap-Lookup\n": `l:2: "Map-Lookup" is not a helper name`,
		"unspec\na\n# c\na\n":  "l:4: a repeats line 2",
	} {
		if _, err := readList(strings.NewReader(list), "l"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", list, err, want)
		}
	}
}
