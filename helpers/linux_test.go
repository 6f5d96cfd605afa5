package helpers

import (
	"errors"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/abi"
)

// TestLinuxTable checks the generated table: an entry for every id of
// Linux's enum bpf_func_id, each well formed and named as ids.go names it.
func TestLinuxTable(t *testing.T) {
	if len(linuxProtos) != int(MaxID) {
		t.Fatalf("generated table has %d entries, ids.go knows %d", len(linuxProtos), MaxID)
	}
	for id := Unspec + 1; id < MaxID; id++ {
		lp := linuxProtos[id]
		if lp.ID != id || lp.Name != Name(id) {
			t.Errorf("entry %d is %d %q, want %q", id, lp.ID, lp.Name, Name(id))
		}
		if lp.Source == "" {
			t.Errorf("%v: no kernel definition", id)
		}
		if err := lp.Check(); err != nil {
			t.Errorf("%v: %v", id, err)
		}
	}
}

// TestBuiltinMatchesLinux checks the hand-written prototypes of the helpers
// gbpf implements against the ones generated from the kernel's sources.
func TestBuiltinMatchesLinux(t *testing.T) {
	// Where gbpf's kinds say more than the kernel's definition.
	known := map[ID]string{
		// The kernel declares the format as readable memory and checks
		// it is a constant string in the helper; gbpf checks in the
		// verifier.
		Snprintf: "format is ptr_to_const_str",
		// The kernel's bpf_for_each_map_elem and bpf_loop take the
		// callback context as ptr_to_stack_or_null too.
	}
	for _, id := range BuiltinIDs() {
		b, _ := Builtin(id)
		g := linuxProtos[id].Prototype
		if _, ok := known[id]; ok {
			continue
		}
		if b.Args != g.Args || b.Ret != g.Ret {
			t.Errorf("%v: builtin %v -> %v, kernel's %s %v -> %v", id, b.Args, b.Ret, linuxProtos[id].Source, g.Args, g.Ret)
		}
	}
}

// TestLinuxSetVerifiesEveryHelper checks that Linux holds every helper of
// Linux, and that calling one gbpf does not implement ends the run with an
// error naming it.
func TestLinuxSetVerifiesEveryHelper(t *testing.T) {
	s := Linux()
	for id := Unspec + 1; id < MaxID; id++ {
		if _, ok := s.Prototype(id); !ok {
			t.Errorf("Linux() lacks %v", id)
		}
		if s.Func(id) == nil {
			t.Errorf("Linux() has no function for %v", id)
		}
	}
	fn := s.Func(FIBLookup)
	var st State
	env := &abi.Env{Host: &st}
	if r0 := fn(env, 0, 0, 0, 0, 0); r0 != errnoEOPNOTSUPP {
		t.Errorf("unimplemented helper returned %#x", r0)
	}
	if stopped, _ := env.Stopped(); !stopped {
		t.Error("unimplemented helper did not stop the run")
	}
	if err := st.Err(); !errors.Is(err, ErrNotImplemented) || !strings.Contains(err.Error(), "bpf_fib_lookup") {
		t.Errorf("run error %v, want one naming bpf_fib_lookup", err)
	}
	bare := &abi.Env{}
	fn(bare, 0, 0, 0, 0, 0)
	if stopped, r0 := bare.Stopped(); !stopped || r0 != errnoEOPNOTSUPP {
		t.Errorf("without a State: stopped=%v r0=%#x, want the run ended with -EOPNOTSUPP", stopped, r0)
	}
}

// TestLinuxAllows checks the generated per-type helper sets against facts
// of the kernel's func_proto functions.
func TestLinuxAllows(t *testing.T) {
	const (
		socketFilter = 1
		kprobe       = 2
		schedCLS     = 3
		xdp          = 6
		tracing      = 26
	)
	for _, c := range []struct {
		typ   uint32
		id    ID
		allow bool
	}{
		{socketFilter, MapLookupElem, true}, {socketFilter, SKBLoadBytes, true}, {socketFilter, GetSocketCookie, true},
		{socketFilter, SKBStoreBytes, false}, {socketFilter, Redirect, false}, {socketFilter, XDPAdjustHead, false},
		{xdp, XDPAdjustHead, true}, {xdp, RedirectMap, true}, {xdp, FIBLookup, true}, {xdp, CsumDiff, true},
		{xdp, SKBStoreBytes, false}, {xdp, GetCurrentPidTgid, false},
		{kprobe, GetCurrentPidTgid, true}, {kprobe, GetStackid, true}, {kprobe, PerfEventOutput, true},
		{kprobe, ProbeReadKernel, true}, {kprobe, OverrideReturn, true}, {kprobe, XDPAdjustHead, false},
		{kprobe, SKBStoreBytes, false},
		{schedCLS, SKBStoreBytes, true}, {schedCLS, Redirect, true}, {schedCLS, L3CsumReplace, true},
		{schedCLS, FIBLookup, true}, {schedCLS, XDPAdjustHead, false},
		{tracing, GetCurrentTaskBTF, true}, {tracing, DPath, true}, {tracing, MapLookupElem, true},
	} {
		got, known := LinuxAllows(c.typ, c.id)
		if !known || got != c.allow {
			t.Errorf("type %d, %v: allowed %v (known %v), want %v", c.typ, c.id, got, known, c.allow)
		}
	}
	if _, known := LinuxAllows(0x67627066, MapLookupElem); known {
		t.Error("a type Linux does not have is known")
	}
	if ok, known := LinuxAllows(xdp, MaxID+3); ok || known {
		t.Error("a host's helper id is Linux's")
	}
}
