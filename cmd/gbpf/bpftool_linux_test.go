package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/internal/testutil"
)

// The kernel forms of prog, map and btf are compared with bpftool, the
// oracle, on programs and maps loaded into the kernel both by bpftool
// prog loadall and by gbpf prog load: every field both print must agree.

// bpftoolObjects are the example objects loaded for the comparison: hash,
// per-CPU, array, LPM, LRU, map-in-map and program-array maps, global
// data sections (BTF datasecs), queues and stacks (not dumpable).
var bpftoolObjects = []string{"hash_counter", "percpu_hash", "array_stats", "globals", "lpm_trie",
	"lru_hash", "lru_percpu_hash", "map_in_map", "tail_call", "xdp_proto_count", "queue_stack", "tp_hist", "spin_lock"}

// kernelFixture is the set of objects loaded for a test, and the
// programs and maps they pinned.
type kernelFixture struct {
	dir   string
	progs map[string]uint32 // pin path -> program id
	maps  map[string]uint32 // pin path -> map id
}

func requireBPF(t *testing.T) {
	t.Helper()
	if err := features.HaveProgramType(ebpf.XDP); err != nil {
		testutil.SkipWithoutKernel(t, fmt.Sprintf("bpf() is unavailable: %v", err))
	}
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/bpf", &st); err != nil || st.Type != unix.BPF_FS_MAGIC {
		testutil.SkipWithoutKernel(t, "no BPF file system at /sys/fs/bpf to pin objects on")
	}
}

func bpftoolPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("bpftool")
	if err != nil {
		t.Skip("bpftool is not installed: the comparison needs it as the oracle")
	}
	return path
}

// loadFixture loads each object twice, with bpftool and with gbpf, pins
// the programs and maps under a directory of its own and fills some maps.
func loadFixture(t *testing.T, bpftool string) *kernelFixture {
	t.Helper()
	dir, err := os.MkdirTemp("/sys/fs/bpf", "gbpf-test-")
	if err != nil {
		testutil.SkipWithoutKernel(t, fmt.Sprintf("can't pin on the BPF file system: %v", err))
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	f := &kernelFixture{dir: dir, progs: map[string]uint32{}, maps: map[string]uint32{}}
	for _, obj := range bpftoolObjects {
		path := exampleObject(obj)
		bt := filepath.Join(dir, "bt_"+obj)
		if out, err := exec.Command(bpftool, "prog", "loadall", path, bt, "pinmaps", bt+"_maps").CombinedOutput(); err != nil {
			t.Fatalf("bpftool prog loadall %s: %v\n%s", obj, err, out)
		}
		gb := filepath.Join(dir, "gb_"+obj)
		if out, err := execGbpf(t, "prog", "load", path, gb, "pinmaps", gb+"_maps"); err != nil {
			t.Fatalf("gbpf prog load %s: %v\n%s", obj, err, out)
		}
	}
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.Contains(path, "_maps/") {
			m, err := ebpf.LoadPinnedMap(path, nil)
			if err != nil {
				return err
			}
			defer m.Close()
			info, err := m.Info()
			if err != nil {
				return err
			}
			id, _ := info.ID()
			f.maps[path] = uint32(id)
			return nil
		}
		p, err := ebpf.LoadPinnedProgram(path, nil)
		if err != nil {
			return err
		}
		defer p.Close()
		info, err := p.Info()
		if err != nil {
			return err
		}
		id, _ := info.ID()
		f.progs[path] = uint32(id)
		// Run the XDP programs on a few packets, so that their maps hold
		// what they count.
		if info.Type == ebpf.XDP {
			for i := 0; i < 3; i++ {
				if _, err := p.Run(&ebpf.RunOptions{Data: udpFrame()}); err != nil {
					return fmt.Errorf("run %s: %w", path, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Elements set through both tools' update commands.
	for path, id := range f.maps {
		switch filepath.Base(path) {
		case "sources":
			gbpfOK(t, "map", "update", "id", fmt.Sprint(id), "key", "1", "2", "3", "4", "value", "hex",
				"03", "00", "00", "00", "00", "00", "00", "00", "7e", "00", "00", "00", "00", "00", "00", "00", "noexist")
			if out, err := exec.Command(bpftool, "map", "update", "id", fmt.Sprint(id), "key", "5", "6", "7", "8", "value",
				"1", "0", "0", "0", "0", "0", "0", "0", "60", "0", "0", "0", "0", "0", "0", "0").CombinedOutput(); err != nil {
				t.Fatalf("bpftool map update: %v\n%s", err, out)
			}
		}
	}
	return f
}

func gbpfOK(t *testing.T, args ...string) string {
	t.Helper()
	out, err := execGbpf(t, args...)
	if err != nil {
		t.Fatalf("gbpf %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// tally counts the fields both tools print and those that agree, per
// command.
type tally struct {
	compared, agreed int
	onlyBpftool      map[string]int
	onlyGbpf         map[string]int
}

func newTally() *tally { return &tally{onlyBpftool: map[string]int{}, onlyGbpf: map[string]int{}} }

// compareJSON walks want (bpftool's) and got (gbpf's) together, counting
// leaf fields; path names the field in messages. Fields only one prints
// are counted apart. equal may accept a difference (nil: exact).
func (ta *tally) compareJSON(t *testing.T, cmd, path string, want, got any, equal func(path string, a, b any) bool) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			ta.compared++
			t.Errorf("%s: %s: bpftool prints an object, gbpf %v", cmd, path, got)
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				ta.onlyBpftool[k]++
				continue
			}
			ta.compareJSON(t, cmd, path+"."+k, wv, gv, equal)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				ta.onlyGbpf[k]++
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			ta.compared++
			t.Errorf("%s: %s: bpftool prints %v, gbpf %v", cmd, path, want, got)
			return
		}
		for i := range w {
			ta.compareJSON(t, cmd, fmt.Sprintf("%s[%d]", path, i), w[i], g[i], equal)
		}
	default:
		ta.compared++
		if reflect.DeepEqual(want, got) || (equal != nil && equal(path, want, got)) {
			ta.agreed++
			return
		}
		t.Errorf("%s: %s: bpftool prints %v, gbpf %v", cmd, path, want, got)
	}
}

func (ta *tally) report(t *testing.T, cmd string) {
	t.Helper()
	keys := func(m map[string]int) string {
		var s []string
		for k, n := range m {
			s = append(s, fmt.Sprintf("%s(%d)", k, n))
		}
		sort.Strings(s)
		return strings.Join(s, " ")
	}
	t.Logf("%s: %d of %d fields printed by both agree; only bpftool: [%s]; only gbpf: [%s]",
		cmd, ta.agreed, ta.compared, keys(ta.onlyBpftool), keys(ta.onlyGbpf))
	if ta.compared == 0 {
		t.Errorf("%s: no field compared", cmd)
	}
}

func runBpftool(t *testing.T, bpftool string, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(bpftool, args...).Output()
	return string(out), err
}

func parseJSON(t *testing.T, who, text string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", who, err, text)
	}
	return v
}

func TestBpftoolParity(t *testing.T) {
	requireBPF(t)
	bpftool := bpftoolPath(t)
	f := loadFixture(t, bpftool)
	if len(f.progs) == 0 || len(f.maps) == 0 {
		t.Fatalf("nothing loaded: %d programs, %d maps", len(f.progs), len(f.maps))
	}

	t.Run("prog show -j", func(t *testing.T) {
		ta := newTally()
		for _, id := range f.progs {
			args := []string{"prog", "show", "id", fmt.Sprint(id), "-j"}
			want, err := runBpftool(t, bpftool, args...)
			if err != nil {
				t.Fatalf("bpftool %s: %v", strings.Join(args, " "), err)
			}
			got := gbpfOK(t, args...)
			ta.compareJSON(t, "prog show", fmt.Sprintf("prog %d", id), parseJSON(t, "bpftool", want), parseJSON(t, "gbpf", got), loadedAtClose)
		}
		ta.report(t, "prog show -j")
	})

	t.Run("map dump -j", func(t *testing.T) {
		ta := newTally()
		elements := 0
		for path, id := range f.maps {
			args := []string{"map", "dump", "id", fmt.Sprint(id), "-j"}
			want, werr := runBpftool(t, bpftool, args...)
			got, gerr := execGbpf(t, args...)
			if (werr == nil) != (gerr == nil) {
				t.Errorf("map %s: bpftool error %v, gbpf error %v", path, werr, gerr)
				continue
			}
			if werr != nil {
				// Queues and stacks: both end the dump with an error
				// after printing the same (empty) list.
				got = strings.TrimSuffix(got, "gbpf: ")
			}
			w, g := parseJSON(t, "bpftool", want), parseJSON(t, "gbpf", strings.SplitN(got, "\n", 2)[0])
			if l, ok := w.([]any); ok {
				elements += len(l)
			}
			ta.compareJSON(t, "map dump", filepath.Base(path), w, g, nil)
		}
		ta.report(t, fmt.Sprintf("map dump -j (%d maps, %d elements)", len(f.maps), elements))
	})

	t.Run("map dump plain", func(t *testing.T) {
		same := 0
		for path, id := range f.maps {
			args := []string{"map", "dump", "id", fmt.Sprint(id)}
			want, _ := runBpftool(t, bpftool, args...)
			got, _ := execGbpf(t, args...)
			got, _, _ = strings.Cut(got, "gbpf: ")
			if want != got {
				t.Errorf("map dump %s:\nbpftool:\n%s\ngbpf:\n%s", path, want, got)
				continue
			}
			same++
		}
		t.Logf("map dump (plain): %d of %d maps print identical text", same, len(f.maps))
	})

	t.Run("btf dump id", func(t *testing.T) {
		btfIDs := map[uint32]bool{}
		for _, id := range f.progs {
			p, err := ebpf.NewProgramFromID(ebpf.ProgramID(id))
			if err != nil {
				t.Fatal(err)
			}
			info, err := readProgInfo(p.FD())
			p.Close()
			if err != nil {
				t.Fatal(err)
			}
			if info.btfID != 0 {
				btfIDs[info.btfID] = true
			}
		}
		for _, format := range [][]string{nil, {"format", "c"}, {"-j"}} {
			lines, same := 0, 0
			for id := range btfIDs {
				args := append([]string{"btf", "dump", "id", fmt.Sprint(id)}, format...)
				want, err := runBpftool(t, bpftool, args...)
				if err != nil {
					t.Fatalf("bpftool %s: %v", strings.Join(args, " "), err)
				}
				got := gbpfOK(t, args...)
				wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
				lines += len(wl)
				for i := range wl {
					if i < len(gl) && wl[i] == gl[i] {
						same++
					} else {
						t.Errorf("btf dump id %d %s: line %d: bpftool %q, gbpf %q", id, strings.Join(format, " "), i+1, wl[i], at(gl, i))
						break
					}
				}
				if len(gl) != len(wl) {
					t.Errorf("btf dump id %d %s: bpftool prints %d lines, gbpf %d", id, strings.Join(format, " "), len(wl), len(gl))
				}
			}
			t.Logf("btf dump id N %s: %d BTF objects, %d of %d lines identical", strings.Join(format, " "), len(btfIDs), same, lines)
		}
	})

	t.Run("btf dump id 1 (vmlinux)", func(t *testing.T) {
		if testing.Short() {
			t.Skip("vmlinux's BTF takes seconds to dump")
		}
		for _, format := range [][]string{nil, {"format", "c"}} {
			args := append([]string{"btf", "dump", "id", "1"}, format...)
			want, err := runBpftool(t, bpftool, args...)
			if err != nil {
				t.Fatalf("bpftool %s: %v", strings.Join(args, " "), err)
			}
			got := gbpfOK(t, args...)
			wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
			same := 0
			for i := range wl {
				if i < len(gl) && wl[i] == gl[i] {
					same++
				} else if same == i {
					t.Errorf("%s: first difference at line %d: bpftool %q, gbpf %q", strings.Join(args, " "), i+1, wl[i], at(gl, i))
				}
			}
			if len(gl) != len(wl) {
				t.Errorf("%s: bpftool prints %d lines, gbpf %d", strings.Join(args, " "), len(wl), len(gl))
			}
			t.Logf("btf dump id 1 %s: %d of %d lines identical", strings.Join(format, " "), same, len(wl))
		}
	})

	t.Run("prog dump xlated", func(t *testing.T) {
		lines, same, n := 0, 0, 0
		for _, id := range f.progs {
			// Every program plain and with opcodes; some in JSON and with
			// line numbers too (each run reads kallsyms, which is slow).
			variants := [][]string{nil}
			if n++; n <= 6 {
				variants = append(variants, []string{"opcodes"}, []string{"-j"}, []string{"linum"})
			}
			for _, extra := range variants {
				args := append([]string{"prog", "dump", "xlated", "id", fmt.Sprint(id)}, extra...)
				want, err := runBpftool(t, bpftool, args...)
				if err != nil {
					t.Fatalf("bpftool %s: %v", strings.Join(args, " "), err)
				}
				got := gbpfOK(t, args...)
				wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
				lines += len(wl)
				for i := range wl {
					if i < len(gl) && wl[i] == gl[i] {
						same++
					} else {
						t.Errorf("%s: line %d: bpftool %q, gbpf %q", strings.Join(args, " "), i+1, wl[i], at(gl, i))
						break
					}
				}
			}
		}
		t.Logf("prog dump xlated (plain; opcodes, -j and linum for 6): %d programs, %d of %d lines identical", len(f.progs), same, lines)
	})

	t.Run("prog show -f -j, btf show -j, link show -j", func(t *testing.T) {
		ta := newTally()
		for path, id := range f.progs {
			args := []string{"prog", "show", "id", fmt.Sprint(id), "-f", "-j"}
			want, err := runBpftool(t, bpftool, args...)
			if err != nil {
				t.Fatal(err)
			}
			got := parseJSON(t, "gbpf", gbpfOK(t, args...))
			if pins, _ := got.(map[string]any)["pinned"].([]any); len(pins) != 1 || pins[0] != path {
				t.Errorf("prog %d: pinned %v, want [%s]", id, pins, path)
			}
			ta.compareJSON(t, "prog show -f", fmt.Sprintf("prog %d", id), parseJSON(t, "bpftool", want), got, loadedAtClose)
			p, err := ebpf.NewProgramFromID(ebpf.ProgramID(id))
			if err != nil {
				t.Fatal(err)
			}
			info, err := readProgInfo(p.FD())
			p.Close()
			if err != nil || info.btfID == 0 {
				continue
			}
			args = []string{"btf", "show", "id", fmt.Sprint(info.btfID), "-j"}
			want, err = runBpftool(t, bpftool, args...)
			if err != nil {
				t.Fatal(err)
			}
			// Only this fixture's programs and maps use its BTF objects,
			// so their prog_ids and map_ids hold still between the runs.
			ta.compareJSON(t, "btf show", fmt.Sprintf("btf %d", info.btfID), parseJSON(t, "bpftool", want), parseJSON(t, "gbpf", gbpfOK(t, args...)), nil)
		}
		// A link: tp_hist's program on its tracepoint.
		var tp *ebpf.Program
		for path, id := range f.progs {
			if strings.Contains(path, "gb_tp_hist") {
				var err error
				if tp, err = ebpf.NewProgramFromID(ebpf.ProgramID(id)); err != nil {
					t.Fatal(err)
				}
				defer tp.Close()
			}
		}
		if tp == nil {
			t.Fatal("tp_hist is not loaded")
		}
		l, err := link.Tracepoint("syscalls", "sys_exit_read", tp, nil)
		if err != nil {
			testutil.SkipWithoutKernel(t, fmt.Sprintf("attaching to a tracepoint: %v", err))
		}
		defer l.Close()
		li, err := l.Info()
		if err != nil {
			t.Fatal(err)
		}
		for _, extra := range [][]string{{"-j"}, nil} {
			args := append([]string{"link", "show", "id", fmt.Sprint(li.ID)}, extra...)
			want, err := runBpftool(t, bpftool, args...)
			if err != nil {
				t.Fatal(err)
			}
			got := gbpfOK(t, args...)
			if extra == nil {
				// pids: bpftool built without its BPF skeletons does not list them.
				got = regexp.MustCompile(`\n\tpids [^\n]*`).ReplaceAllString(got, "")
				if got != want {
					t.Errorf("link show: bpftool %q, gbpf %q", want, got)
				}
				continue
			}
			ta.compareJSON(t, "link show", fmt.Sprintf("link %d", li.ID), parseJSON(t, "bpftool", want), parseJSON(t, "gbpf", got), nil)
		}
		ta.report(t, "prog show -f -j, btf show -j, link show -j")
	})

	t.Run("feature probe", func(t *testing.T) {
		want, err := runBpftool(t, bpftool, "feature", "probe")
		if err != nil {
			t.Fatal(err)
		}
		got := gbpfOK(t, "feature", "probe")
		// The helper lists differ: bpftool 7.1's probe takes a
		// helper the kernel refuses for a program type as available when
		// the refusal's wording is newer than it; cilium/ebpf's probe
		// does not. Everything else must match.
		drop := func(s string) []string {
			var out []string
			for _, line := range strings.Split(s, "\n") {
				if !strings.HasPrefix(line, "\t- ") {
					out = append(out, line)
				}
			}
			return out
		}
		wl, gl := drop(want), drop(got)
		same := 0
		for i := range wl {
			if i < len(gl) && wl[i] == gl[i] {
				same++
			} else {
				t.Errorf("feature probe: line %d: bpftool %q, gbpf %q", i+1, wl[i], at(gl, i))
				break
			}
		}
		t.Logf("feature probe: %d of %d lines other than helper lists identical", same, len(wl))
	})

	t.Run("map show and lookup", func(t *testing.T) {
		ta := newTally()
		for path, id := range f.maps {
			args := []string{"map", "show", "id", fmt.Sprint(id), "-j"}
			want, err := runBpftool(t, bpftool, args...)
			if err != nil {
				t.Fatal(err)
			}
			ta.compareJSON(t, "map show", filepath.Base(path), parseJSON(t, "bpftool", want), parseJSON(t, "gbpf", gbpfOK(t, args...)), nil)
			if filepath.Base(path) == "sources" {
				for _, extra := range [][]string{nil, {"-j"}} {
					args := append([]string{"map", "lookup", "id", fmt.Sprint(id), "key", "1", "2", "3", "4"}, extra...)
					want, _ := runBpftool(t, bpftool, args...)
					if got := gbpfOK(t, args...); got != want {
						t.Errorf("%s: bpftool %q, gbpf %q", strings.Join(args, " "), want, got)
					}
				}
			}
		}
		ta.report(t, "map show -j")
	})
}

// loadedAtClose accepts loaded_at fields a second apart: the wall clock
// second of the load time is computed from two clock readings, which the
// two tools take at different moments.
func loadedAtClose(path string, a, b any) bool {
	x, ok1 := a.(float64)
	y, ok2 := b.(float64)
	return strings.HasSuffix(path, ".loaded_at") && ok1 && ok2 && (x-y)*(x-y) <= 1
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end)"
}

// TestKernelVerbsWithoutBpftool checks the kernel forms end to end on
// their own: load, show, update, lookup, getnext, delete, pin.
func TestKernelVerbs(t *testing.T) {
	requireBPF(t)
	dir, err := os.MkdirTemp("/sys/fs/bpf", "gbpf-verbs-")
	if err != nil {
		testutil.SkipWithoutKernel(t, err.Error())
	}
	defer os.RemoveAll(dir)
	prog := filepath.Join(dir, "prog")
	gbpfOK(t, "prog", "load", exampleObject("hash_counter"), prog, "pinmaps", filepath.Join(dir, "maps"))
	out := gbpfOK(t, "prog", "show", "pinned", prog)
	if !strings.Contains(out, ": xdp  name count_sources  tag ") || !strings.Contains(out, "  gpl\n") {
		t.Errorf("prog show pinned: %q", out)
	}
	if runtime.GOARCH == "amd64" {
		out = gbpfOK(t, "prog", "dump", "jited", "pinned", prog)
		if !strings.HasPrefix(out, "int count_sources(struct xdp_md * ctx):\nbpf_prog_") || !strings.Contains(out, "\n; int count_sources(struct xdp_md *ctx)\n   0:\t") {
			t.Errorf("prog dump jited: %q", out[:min(len(out), 300)])
		}
		var insns []struct {
			Name  string
			Insns []struct{ PC, Operation string }
		}
		if err := json.Unmarshal([]byte(gbpfOK(t, "prog", "dump", "jited", "pinned", prog, "-j")), &insns); err != nil || len(insns) != 1 || len(insns[0].Insns) == 0 || insns[0].Insns[0].PC != "0x0" {
			t.Errorf("prog dump jited -j: %v %+v", err, insns)
		}
	}
	m := filepath.Join(dir, "maps", "sources")
	gbpfOK(t, "map", "update", "pinned", m, "key", "1", "0", "0", "0", "value", "hex", "02", "00", "00", "00", "00", "00", "00", "00", "10", "00", "00", "00", "00", "00", "00", "00")
	if got := gbpfOK(t, "map", "lookup", "pinned", m, "key", "1", "0", "0", "0", "-j"); !strings.Contains(got, `"formatted":{"key":1,"value":{"packets":2,"bytes":16}}`) {
		t.Errorf("lookup: %s", got)
	}
	if got := gbpfOK(t, "map", "dump", "pinned", m); got != "[{\n        \"key\": 1,\n        \"value\": {\n            \"packets\": 2,\n            \"bytes\": 16\n        }\n    }\n]\n" {
		t.Errorf("dump: %q", got)
	}
	if got := gbpfOK(t, "map", "getnext", "pinned", m); got != "key: None\nnext key:\n01 00 00 00\n" {
		t.Errorf("getnext: %q", got)
	}
	if _, err := execGbpf(t, "map", "update", "pinned", m, "key", "1", "0", "0", "0", "value", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "noexist"); err == nil {
		t.Error("update noexist of an existing key: no error")
	}
	if _, err := execGbpf(t, "map", "update", "pinned", m, "key", "1", "0", "0"); err == nil || !strings.Contains(err.Error(), "key expected 4 bytes got 3") {
		t.Errorf("short key: %v", err)
	}
	gbpfOK(t, "map", "pin", "pinned", m, filepath.Join(dir, "again"))
	gbpfOK(t, "map", "delete", "pinned", filepath.Join(dir, "again"), "key", "1", "0", "0", "0")
	out, err = execGbpf(t, "map", "lookup", "pinned", m, "key", "1", "0", "0", "0")
	if !errors.Is(err, errNotFound) || out != "key:\n01 00 00 00\n\nNot found\n" {
		t.Errorf("lookup after delete: %q, %v", out, err)
	}
	if _, err := execGbpf(t, "map", "frobnicate", "pinned", m); err == nil {
		t.Error("unknown map verb: no error")
	}
	if _, err := execGbpf(t, "prog", "show", "id", "notanumber"); err == nil {
		t.Error("prog show id notanumber: no error")
	}
}
