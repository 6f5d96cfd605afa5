package kerneltest

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/gbpf/gbpf/internal/linuxsrc"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// The kernel's verifier selftests (tools/testing/selftests/bpf/verifier/
// *.c: about 1,300 programs written as instruction macros, each with the
// verdict, message and return value the kernel of that source gave) are
// compiled by harness/dump.c into JSON lines.

//go:embed harness/dump.c
var harness []byte

// ErrNoSource is Selftests' error when the Linux source tarball is absent.
var ErrNoSource = errors.New("no Linux source tarball (Debian's linux-source package)")

// ErrNoCompiler is Selftests' error when there is no C compiler.
var ErrNoCompiler = errors.New("no C compiler for the selftests' harness")

// selftestMembers are the parts of the Linux tree the harness compiles
// against.
var selftestMembers = []string{
	"tools/testing/selftests/bpf/verifier/*",
	"tools/testing/selftests/bpf/test_verifier.c",
	"tools/testing/selftests/bpf/test_btf.h",
	"tools/include/*",
	"tools/arch/x86/include/*",
}

// A Case is one selftest as dump.c prints it.
type Case struct {
	File         string `json:"file"`
	Name         string `json:"name"`
	Insns        string `json:"insns"`
	ProgType     int    `json:"prog_type"`
	Result       int    `json:"result"`
	ResultUnpriv int    `json:"result_unpriv"`
	Flags        int    `json:"flags"`
	AttachType   int    `json:"expected_attach_type"`
	Runs         int    `json:"runs"`
	Errstr       string `json:"errstr"`
	ErrstrUnpriv string `json:"errstr_unpriv"`
	Retval       uint32 `json:"retval"`
	Data         string `json:"data"`
	Needs        string `json:"needs"`

	// Fixups maps a map kind to the instructions that load it.
	Fixups map[string][]int `json:"-"`
}

// Result values (the selftests' enum).
const (
	_ = iota // undefined
	Accept
	Reject
	VerboseAccept
)

// PointerValue is the return value the selftests do not compare (a
// program that returns an address).
const PointerValue = 0xcafe4a11

// AnnotatedAccept returns the verdict the case's source annotates for a
// privileged load.
func (c *Case) AnnotatedAccept() (accept, ok bool) {
	switch c.Result {
	case Accept, VerboseAccept:
		return true, true
	case Reject:
		return false, true
	}
	return false, false
}

// Input returns the packet the case runs on.
func (c *Case) Input() []byte {
	b, _ := hex.DecodeString(c.Data)
	return b
}

// fixupKinds are the maps a case's fixup lists name, as the selftests
// create them; the kinds gbpf cannot build (socket maps, cgroup and
// socket storage, BTF-described maps) are absent.
var fixupKinds = map[string]*maps.Spec{
	"hash_8b":      {Type: maps.Hash, KeySize: 8, ValueSize: 8, MaxEntries: 1},
	"hash_48b":     {Type: maps.Hash, KeySize: 8, ValueSize: 48, MaxEntries: 1},
	"hash_16b":     {Type: maps.Hash, KeySize: 8, ValueSize: 16, MaxEntries: 1},
	"array_48b":    {Type: maps.Array, KeySize: 4, ValueSize: 48, MaxEntries: 1},
	"stacktrace":   {Type: maps.StackTrace, KeySize: 4, ValueSize: 8, MaxEntries: 1},
	"prog1":        {Type: maps.ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: 4},
	"prog2":        {Type: maps.ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: 8},
	"map_in_map":   {Type: maps.ArrayOfMaps, KeySize: 4, ValueSize: 4, MaxEntries: 1, InnerMap: &maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1, SpinLockOffset: -1}},
	"array_ro":     {Type: maps.Array, KeySize: 4, ValueSize: 48, MaxEntries: 1, Flags: maps.ReadOnlyProg},
	"array_wo":     {Type: maps.Array, KeySize: 4, ValueSize: 48, MaxEntries: 1, Flags: maps.WriteOnlyProg},
	"array_small":  {Type: maps.Array, KeySize: 4, ValueSize: 1, MaxEntries: 1},
	"event_output": {Type: maps.PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 1},
	"ringbuf":      {Type: maps.RingBuf, MaxEntries: 4096},
}

// Selftests extracts the selftests from the Linux source tarball (once per
// user cache), compiles the harness with the system's C compiler and
// returns every case.
func Selftests() ([]Case, error) {
	if linuxsrc.Tarball() == "" {
		return nil, ErrNoSource
	}
	cc, err := exec.LookPath("cc")
	if err != nil {
		if cc, err = exec.LookPath("clang"); err != nil {
			return nil, ErrNoCompiler
		}
	}
	root, err := linuxsrc.Extract(selftestMembers...)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gbpf-selftests")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	header, err := header(root)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "cases.h"), header, 0o644); err != nil {
		return nil, err
	}
	src := filepath.Join(dir, "dump.c")
	if err := os.WriteFile(src, harness, 0o644); err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "dump")
	cmd := exec.Command(cc, "-O0", "-w", "-o", bin, "-I", dir,
		"-I", filepath.Join(root, "tools/include/uapi"), "-I", filepath.Join(root, "tools/include"),
		"-I", filepath.Join(root, "tools/testing/selftests/bpf"), src)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("compiling the selftests' harness: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		return nil, err
	}
	var cases []Case
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, err
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			return nil, err
		}
		c.Fixups = map[string][]int{}
		for k, v := range raw {
			var at []int
			if len(v) > 0 && v[0] == '[' && json.Unmarshal(v, &at) == nil {
				c.Fixups[k] = at
			}
		}
		cases = append(cases, c)
	}
	return cases, sc.Err()
}

// header writes cases.h: the eBPF instruction macros of the kernel's
// tools/include, the selftests' own macros and value structs from their
// test_verifier.c, stubs for the program generators some cases name
// (those cases are skipped), and one array per case file.
func header(root string) ([]byte, error) {
	sel := filepath.Join(root, "tools/testing/selftests/bpf")
	var b bytes.Buffer
	fmt.Fprintf(&b, "#include %q\n#include \"test_btf.h\"\n", filepath.Join(root, "tools/include/linux/filter.h"))
	src, err := os.ReadFile(filepath.Join(sel, "test_verifier.c"))
	if err != nil {
		return nil, err
	}
	text := string(src)
	if i := strings.Index(text, "static struct bpf_test tests[]"); i > 0 {
		text = text[:i]
	}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "#define"):
			for strings.HasSuffix(lines[i], "\\") && i+1 < len(lines) {
				b.WriteString(lines[i] + "\n")
				i++
			}
			b.WriteString(lines[i] + "\n")
		case strings.HasPrefix(l, "struct test_val {"), strings.HasPrefix(l, "struct other_val {"):
			for ; i < len(lines) && !strings.HasPrefix(lines[i], "};"); i++ {
				b.WriteString(lines[i] + "\n")
			}
			b.WriteString("};\n")
		}
	}
	files, err := filepath.Glob(filepath.Join(sel, "verifier", "*.c"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	fill := regexp.MustCompile(`fill_helper = ([a-z_0-9]+)`)
	stubs := map[string]bool{}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range fill.FindAllSubmatch(text, -1) {
			stubs[string(m[1])] = true
		}
	}
	names := make([]string, 0, len(stubs))
	for n := range stubs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "static void %s(struct bpf_test *self) { (void)self; }\n", n)
	}
	ident := regexp.MustCompile(`\W`)
	var table []string
	for _, f := range files {
		base := filepath.Base(f)
		id := "tests_" + ident.ReplaceAllString(strings.TrimSuffix(base, ".c"), "_")
		fmt.Fprintf(&b, "static struct bpf_test %s[] = {\n#include \"verifier/%s\"\n};\n", id, base)
		table = append(table, fmt.Sprintf("{%q, %s, sizeof %s / sizeof %s[0]}", base, id, id, id))
	}
	fmt.Fprintf(&b, "static const struct { const char *name; struct bpf_test *tests; size_t n; } files[] = {\n%s\n};\n", strings.Join(table, ",\n"))
	return b.Bytes(), nil
}

// A Program is a case ready to verify and run.
type Program struct {
	Insns isa.Program
	Maps  []*maps.Spec
	Type  progtype.Type
}

// Program returns the case's program, or why the case cannot run in gbpf
// here (a program type gbpf lacks, a map kind it cannot build, BTF, kfuncs
// or a program generator the harness does not run).
func (c *Case) Program() (Program, string) {
	if c.Needs != "" {
		return Program{}, "needs " + strings.TrimSpace(c.Needs)
	}
	if c.Flags&2 != 0 {
		return Program{}, "strict alignment (BPF_F_STRICT_ALIGNMENT)"
	}
	typ := progtype.Type(c.ProgType)
	if typ == progtype.Unspec {
		typ = progtype.SocketFilter
	}
	if _, ok := progtype.Lookup(typ); !ok {
		return Program{}, fmt.Sprintf("program type %d", c.ProgType)
	}
	raw, err := hex.DecodeString(c.Insns)
	if err != nil || len(raw) == 0 || len(raw)%8 != 0 {
		return Program{}, "no instructions"
	}
	p, err := isa.Decode(raw)
	if err != nil {
		return Program{}, "undecodable: " + err.Error()
	}
	kinds := make([]string, 0, len(c.Fixups))
	for k := range c.Fixups {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var specs []*maps.Spec
	for _, k := range kinds {
		spec, ok := fixupKinds[k]
		if !ok {
			return Program{}, "map " + k
		}
		s := *spec
		s.Name = k
		s.SpinLockOffset = -1
		for _, at := range c.Fixups[k] {
			if at < 0 || at >= len(p.Insns) {
				return Program{}, "fixup out of range"
			}
			// The fixed-up load names the map by its index here, not by
			// a file descriptor.
			ins := &p.Insns[at]
			ins.Imm = int32(len(specs))
			switch ins.Src {
			case isa.PseudoMapFD:
				ins.Src = isa.PseudoMapIdx
			case isa.PseudoMapValue:
				ins.Src = isa.PseudoMapIdxValue
			}
		}
		specs = append(specs, &s)
	}
	return Program{Insns: p, Maps: specs, Type: typ}, ""
}
