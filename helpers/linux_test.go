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
