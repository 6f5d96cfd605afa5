package loader

import (
	"slices"
	"strings"
	"testing"

	gmaps "github.com/gbpf/gbpf/maps"
)

func hasNote(cs *CollectionSpec, parts ...string) bool {
	for _, n := range cs.Notes {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(n, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestUnlinkedProgramFailsAlone loads an object one of whose programs calls
// a kernel function (kfunc): that program fails with a clear error, the
// others load.
func TestUnlinkedProgramFailsAlone(t *testing.T) {
	cs, err := LoadCollectionSpec("testdata/tolerant/unlinked.o")
	if err != nil {
		t.Fatal(err)
	}
	err = cs.Unlinked["needs_kfunc"]
	if err == nil || !strings.Contains(err.Error(), "kfunc call bpf_gbpf_missing_kfunc") {
		t.Errorf("needs_kfunc: %v, want the kfunc named", err)
	}
	if cs.Programs["needs_kfunc"] != nil {
		t.Error("an unlinked program is in Programs")
	}
	if cs.Programs["plain"] == nil {
		t.Errorf("the object's other program did not load: %v", cs.ProgramNames())
	}
	if !hasNote(cs, "needs_kfunc", "other programs load") {
		t.Errorf("no note of the unlinked program in %q", cs.Notes)
	}
	if !hasNote(cs, "plain", "no license section") {
		t.Errorf("no note of the missing license in %q", cs.Notes)
	}
	if c := cs.Copy(); c.Unlinked["needs_kfunc"] == nil || len(c.Notes) != len(cs.Notes) {
		t.Error("Copy lost Unlinked or Notes")
	}
	// When no program links, the object fails with the first reason.
	if _, err := LoadCollectionSpec("testdata/realprogs/xdp-tools/xdp_flowtable_sample.o"); err == nil ||
		!strings.Contains(err.Error(), "kfunc call bpf_xdp_flow_lookup") {
		t.Errorf("an object of unlinkable programs: %v", err)
	}
}

// TestPinnedMaps loads an object of xdp-tools whose maps are pinned by
// name: it loads, naming the pinned maps.
func TestPinnedMaps(t *testing.T) {
	cs, err := LoadCollectionSpec("testdata/realprogs/xdp-tools/xdpfilt_alw_all.o")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cs.Pinned(), "filter_ethernet") || !hasNote(cs, "filter_ethernet", "pinned by name") {
		t.Errorf("pinned %v, notes %q: want filter_ethernet", cs.Pinned(), cs.Notes)
	}
}

// TestPerfEventArrayZeroEntries: libbpf-tools leave max_entries of their
// perf event arrays at 0; the loader sizes them for the possible CPUs.
func TestPerfEventArrayZeroEntries(t *testing.T) {
	cs, err := LoadCollectionSpec("testdata/realprogs/libbpf-tools/execsnoop.o")
	if err != nil {
		t.Fatal(err)
	}
	m := cs.Maps["events"]
	if m == nil || m.Type != gmaps.PerfEventArray || int(m.MaxEntries) != possibleCPUs() {
		t.Fatalf("events = %v, want a perf event array of %d entries", m, possibleCPUs())
	}
	if !hasNote(cs, "events", "possible CPUs") {
		t.Errorf("no note in %q", cs.Notes)
	}
}

func TestParseCPURange(t *testing.T) {
	for in, want := range map[string]int{"0": 1, "0-3": 4, "0-3,5": 6, "0,2-7": 8, "": 0, "x": 0, "0-x": 0} {
		if got := parseCPURange(in); got != want {
			t.Errorf("parseCPURange(%q) = %d, want %d", in, got, want)
		}
	}
}

// TestLibcallFailsAlone loads an object one of whose programs calls memset,
// which BPF cannot call: that program fails naming it, the other loads.
func TestLibcallFailsAlone(t *testing.T) {
	cs, err := LoadCollectionSpec("testdata/tolerant/libcall.o")
	if err != nil {
		t.Fatal(err)
	}
	err = cs.Unlinked["needs_memset"]
	if err == nil || !strings.Contains(err.Error(), `symbol "memset"`) || !strings.Contains(err.Error(), "libcall") {
		t.Errorf("needs_memset: %v, want memset named as a libcall", err)
	}
	if cs.Programs["plain"] == nil {
		t.Errorf("the object's other program did not load: %v", cs.ProgramNames())
	}
}

// TestCtxSizeFromBTF: only a structure of a known size gives the context's
// size; a flexible array at its end or a pointer to a number does not.
func TestCtxSizeFromBTF(t *testing.T) {
	for _, c := range []struct {
		obj, prog string
		want      int
	}{
		// struct syscall_trace_enter ends in args[].
		{"libbpf-tools/execsnoop.o", "tracepoint__syscalls__sys_enter_execve", 0},
		// struct trace_event_raw_sys_exit: 24 bytes.
		{"libbpf-tools/execsnoop.o", "tracepoint__syscalls__sys_exit_execve", 24},
		// BPF_PROG's unsigned long long *ctx.
		{"libbpf-tools/klockstat.o", "kprobe_sock_do_ioctl", 0},
	} {
		cs, err := LoadCollectionSpec("testdata/realprogs/" + c.obj)
		if err != nil {
			t.Fatal(err)
		}
		if p := cs.Programs[c.prog]; p == nil || p.CtxSize != c.want {
			t.Errorf("%s %s: %v, want context size %d", c.obj, c.prog, p, c.want)
		}
	}
}
