package verifier

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/internal/linuxsrc"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// The Linux kernel's verifier selftests (tools/testing/selftests/bpf/
// verifier/*.c of Debian's linux-source package: about 1,300 programs
// written as instruction macros, each with the verdict and message the
// kernel of that source gave) are compiled by testdata/kselftest/dump.c
// into JSON lines and checked against gbpf and the running kernel.

// selftestMembers are the parts of the Linux tree the harness compiles
// against.
var selftestMembers = []string{
	"tools/testing/selftests/bpf/verifier/*",
	"tools/testing/selftests/bpf/test_verifier.c",
	"tools/testing/selftests/bpf/test_btf.h",
	"tools/include/*",
	"tools/arch/x86/include/*",
}

// selftestCase is one case as dump.c prints it.
type selftestCase struct {
	File         string `json:"file"`
	Name         string `json:"name"`
	Insns        string `json:"insns"`
	ProgType     int    `json:"prog_type"`
	Result       int    `json:"result"`
	ResultUnpriv int    `json:"result_unpriv"`
	Flags        int    `json:"flags"`
	AttachType   int    `json:"expected_attach_type"`
	Errstr       string `json:"errstr"`
	ErrstrUnpriv string `json:"errstr_unpriv"`
	Retval       uint32 `json:"retval"`
	Needs        string `json:"needs"`

	Fixups map[string][]int `json:"-"`
}

// selftestResult values (the selftests' enum).
const (
	_ = iota // undefined
	selftestAccept
	selftestReject
	selftestVerboseAccept
)

// fixupKinds are the maps a case's fixup lists name, as the selftests
// create them; the kinds gbpf cannot build (socket maps, cgroup and
// socket storage, BTF-described maps) are nil.
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

// selftestCases compiles the harness and returns every case.
func selftestCases(t *testing.T) []selftestCase {
	t.Helper()
	if linuxsrc.Tarball() == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Linux source tarball: .ci/setup installs Debian's linux-source package")
		}
		t.Skip("no Linux source tarball (Debian's linux-source package)")
	}
	cc, err := exec.LookPath("cc")
	if err != nil {
		if cc, err = exec.LookPath("clang"); err != nil {
			t.Skip("no C compiler for the selftests' harness")
		}
	}
	root, err := linuxsrc.Extract(selftestMembers...)
	if err != nil {
		t.Fatal(err)
	}
	sel := filepath.Join(root, "tools/testing/selftests/bpf")
	dir := t.TempDir()
	header, err := selftestHeader(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cases.h"), header, 0o644); err != nil {
		t.Fatal(err)
	}
	harness, err := filepath.Abs("testdata/kselftest/dump.c")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "dump")
	cmd := exec.Command(cc, "-O0", "-w", "-o", bin, "-I", dir,
		"-I", filepath.Join(root, "tools/include/uapi"), "-I", filepath.Join(root, "tools/include"), "-I", sel, harness)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("compiling the selftests' harness: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	var cases []selftestCase
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c selftestCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		var raw map[string]json.RawMessage
		_ = json.Unmarshal(sc.Bytes(), &raw)
		c.Fixups = map[string][]int{}
		for k, v := range raw {
			var at []int
			if json.Unmarshal(v, &at) == nil && v[0] == '[' {
				c.Fixups[k] = at
			}
		}
		cases = append(cases, c)
	}
	if len(cases) < 1000 {
		t.Fatalf("only %d selftest cases", len(cases))
	}
	return cases
}

// selftestHeader writes cases.h: the eBPF instruction macros of the
// kernel's tools/include, the selftests' own macros and value structs from
// their test_verifier.c, stubs for the program generators some cases name
// (those cases are skipped), and one array per case file.
func selftestHeader(root string) ([]byte, error) {
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

// annotatedAccept returns the verdict the case's source annotates for a
// privileged load.
func (c *selftestCase) annotatedAccept() (accept, ok bool) {
	switch c.Result {
	case selftestAccept, selftestVerboseAccept:
		return true, true
	case selftestReject:
		return false, true
	}
	return false, false
}

// program returns the case's program, its maps and the program type gbpf
// verifies it as, or why the case cannot run here.
func (c *selftestCase) program() (isa.Program, []*maps.Spec, progtype.Type, string) {
	if c.Needs != "" {
		return isa.Program{}, nil, 0, "needs " + strings.TrimSpace(c.Needs)
	}
	if c.Flags&2 != 0 {
		return isa.Program{}, nil, 0, "strict alignment (BPF_F_STRICT_ALIGNMENT)"
	}
	typ := progtype.Type(c.ProgType)
	if typ == progtype.Unspec {
		typ = progtype.SocketFilter
	}
	if _, ok := progtype.Lookup(typ); !ok {
		return isa.Program{}, nil, 0, fmt.Sprintf("program type %d", c.ProgType)
	}
	raw, err := hex.DecodeString(c.Insns)
	if err != nil || len(raw) == 0 || len(raw)%8 != 0 {
		return isa.Program{}, nil, 0, "no instructions"
	}
	p, err := isa.Decode(raw)
	if err != nil {
		return isa.Program{}, nil, 0, "undecodable: " + err.Error()
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
			return isa.Program{}, nil, 0, "map " + k
		}
		s := *spec
		s.Name = k
		s.SpinLockOffset = -1
		for _, at := range c.Fixups[k] {
			if at < 0 || at >= len(p.Insns) {
				return isa.Program{}, nil, 0, "fixup out of range"
			}
			p.Insns[at].Imm = int32(len(specs))
		}
		specs = append(specs, &s)
	}
	return p, specs, typ, ""
}

// TestKernelSelftests verifies every selftest case that can run here with
// gbpf (privileged, as the selftests load as root) and loads it into the
// running kernel: gbpf must refuse every program the kernel refuses, and
// accept as many as it accepts as it did when last measured.
func TestKernelSelftests(t *testing.T) {
	cases := selftestCases(t)
	kernelSetup(t)
	var k kernelLoader
	defer k.close()
	var d diffStats
	skipped := map[string]int{}
	sameMsg, bothReject := 0, 0
	// How the running kernel and gbpf compare with the verdicts annotated
	// in the sources (those of the source's kernel, older than this one).
	annotated, kernelAsAnnotated, gbpfAsAnnotated := 0, 0, 0
	for i := range cases {
		c := &cases[i]
		p, specs, typ, why := c.program()
		if why != "" {
			skipped[why]++
			continue
		}
		opts := Options{Type: typ, Maps: specs, Privileged: true}
		if typ == progtype.Tracepoint {
			opts.CtxSize = progtype.MaxTraceSize
		}
		_, gerr := Verify(p, opts)
		k.attachType = ebpf.AttachType(c.AttachType)
		kerr, _, err := k.load(p, typ, specs)
		if err != nil {
			skipped["kernel: "+err.Error()]++
			continue
		}
		name := fmt.Sprintf("%s %q", c.File, c.Name)
		d.add(t, name, gerr, kerr)
		if want, ok := c.annotatedAccept(); ok {
			annotated++
			if (kerr == nil) == want {
				kernelAsAnnotated++
			}
			if (gerr == nil) == want {
				gbpfAsAnnotated++
			}
		}
		if gerr != nil && kerr != nil {
			bothReject++
			if gerr.(*Error).Msg == kerr.Error() {
				sameMsg++
			} else {
				t.Logf("%s: message: gbpf %q, kernel %q", name, gerr.(*Error).Msg, kerr.Error())
			}
		}
	}
	var reasons []string
	total := 0
	for r, n := range skipped {
		reasons = append(reasons, fmt.Sprintf("%d: %s", n, r))
		total += n
	}
	sort.Strings(reasons)
	t.Logf("selftests: %d cases, %d skipped: %s", len(cases), total, strings.Join(reasons, "; "))
	t.Logf("selftests: both reject %d, with the kernel's message %d", bothReject, sameMsg)
	t.Logf("selftests: of %d annotated verdicts, the kernel gives %d, gbpf %d", annotated, kernelAsAnnotated, gbpfAsAnnotated)
	// The floor is what gbpf reaches today; the programs it refuses and
	// the kernel accepts use helpers and program types gbpf lacks.
	d.report(t, "selftests", 0.88)
}
