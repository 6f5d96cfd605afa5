package verifier

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/testutil"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// TestSandboxLeaks verifies the pointer-leak findings F4-F9 of the shared
// sandbox folder: each turns an address into data the program or its host
// can read, so the default (unprivileged) mode rejects it with the rule
// Linux applies, and the privileged mode, like Linux for root, accepts it.
// The corpus (testdata/unpriv_kernel.s, and unpriv.s for F6) holds a copy
// of each.
func TestSandboxLeaks(t *testing.T) {
	dir := testutil.SharedDir(t, "sandbox")
	array := func() *maps.Spec {
		return &maps.Spec{Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1, SpinLockOffset: -1}
	}
	hash := &maps.Spec{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 16, SpinLockOffset: -1}
	tests := []struct {
		id, file string
		maps     []*maps.Spec
		msg      string
	}{
		{"F4", "leak_ptrcmp.s", nil, "insn 3: R10 pointer comparison prohibited"},
		{"F5", "leak_partial_spill.s", nil, "insn 1: attempt to corrupt spilled pointer on stack"},
		{"F6", "leak_varoff_read.s", nil, "insn 7: R4 variable stack access prohibited for !root"},
		{"F7", "leak_atomic_fetch.s", nil, "insn 2: leaking pointer from stack off -8"},
		// The file names its map by index: map 0 is where the stack
		// address would land.
		{"F8", "leak_helper_stack.s", []*maps.Spec{hash}, "insn 9: invalid read from stack R3 off -8+0 size 8"},
		// Two single-element arrays: lddw map_idx_value needs them.
		{"F9", "leak_ptr_sub.s", []*maps.Spec{array(), array()}, "insn 4: R1 pointer -= pointer prohibited"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Skip(err)
			}
			p := mustAssemble(t, string(src))
			opts := Options{Type: progtype.SocketFilter, Maps: tt.maps}
			_, err = Verify(p, opts)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("%s: %v, want %q", tt.file, err, tt.msg)
			}
			opts.Privileged = true
			if _, err := Verify(p, opts); err != nil {
				t.Errorf("%s as root: %v", tt.file, err)
			}
		})
	}
}

// TestPrivilegedUninitStackDepth checks that the stack root may read
// without writing counts in the frame's depth, so that engines allocate it.
func TestPrivilegedUninitStackDepth(t *testing.T) {
	hash := &maps.Spec{Type: maps.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 16, SpinLockOffset: -1}
	for _, tt := range []struct {
		src   string
		maps  []*maps.Spec
		depth int
	}{
		{"ldxdw %r0, [%r10-256]\nexit", nil, 256},
		{"lddw %r1, map_idx 0\nmov %r2, %r10\nadd %r2, -100\ncall 1\nmov %r0, 0\nexit", []*maps.Spec{hash}, 104},
	} {
		p := mustAssemble(t, tt.src)
		res, err := Verify(p, Options{Type: progtype.SocketFilter, Maps: tt.maps, Privileged: true})
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		if res.StackDepth[0] != tt.depth {
			t.Errorf("%q: stack depth %d, want %d", tt.src, res.StackDepth[0], tt.depth)
		}
	}
}
