package verifier

import (
	"testing"

	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// TestLinuxHelpers checks calls of helpers gbpf has Linux's prototype of
// but no implementation: they verify in the types Linux offers them to,
// and are refused in the others and where their arguments are wrong.
func TestLinuxHelpers(t *testing.T) {
	// bpf_xdp_adjust_head(ctx, delta).
	adjust := mustAssemble(t, "mov %r2, 0\ncall 44\nmov %r0, 2\nexit")
	if _, err := Verify(adjust, Options{Type: progtype.XDP}); err != nil {
		t.Errorf("xdp_adjust_head in XDP: %v", err)
	}
	_, err := Verify(adjust, Options{Type: progtype.SocketFilter})
	wantError(t, err, 1, "program of this type cannot use helper bpf_xdp_adjust_head#44")
	// bpf_skb_store_bytes(skb, off, from, len, flags): tc may, socket
	// filters may not.
	store := mustAssemble(t, "stdw [%r10-8], 0\nmov %r2, 0\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 8\nmov %r5, 0\ncall 9\nmov %r0, 0\nexit")
	if _, err := Verify(store, Options{Type: progtype.SchedCLS}); err != nil {
		t.Errorf("skb_store_bytes in tc: %v", err)
	}
	_, err = Verify(store, Options{Type: progtype.SocketFilter})
	wantError(t, err, 6, "program of this type cannot use helper bpf_skb_store_bytes#9")
	// Its memory argument is read-only and must be initialized.
	unset := mustAssemble(t, "mov %r2, 0\nmov %r3, %r10\nadd %r3, -8\nmov %r4, 8\nmov %r5, 0\ncall 9\nmov %r0, 0\nexit")
	_, err = Verify(unset, Options{Type: progtype.SchedCLS})
	wantError(t, err, 5, "invalid read from stack R3 off=-8 size=8")
	// bpf_tcp_raw_gen_syncookie_ipv4(iph, th, th_len): iph is 20 fixed
	// bytes.
	const syncookie = "mov %r1, %r10\nadd %r1, -24\nmov %r2, %r10\nadd %r2, -24\nmov %r3, 20\ncall 204\nmov %r0, 2\nexit"
	init20 := "stdw [%r10-24], 0\nstdw [%r10-16], 0\nstw [%r10-8], 0\n"
	if _, err := Verify(mustAssemble(t, init20+syncookie), Options{Type: progtype.XDP}); err != nil {
		t.Errorf("tcp_raw_gen_syncookie_ipv4: %v", err)
	}
	short := "stdw [%r10-24], 0\nstdw [%r10-16], 0\n"
	_, err = Verify(mustAssemble(t, short+syncookie), Options{Type: progtype.XDP})
	wantError(t, err, 7, "invalid read from stack R1 off -24+16 size 20")
	// A helper returning a kernel object is refused with the reason.
	task := mustAssemble(t, "call 158\nmov %r0, 0\nexit")
	_, err = Verify(task, Options{Type: progtype.Kprobe, Privileged: true})
	wantError(t, err, 0, "bpf_get_current_task_btf#158 returns a kernel object (ptr_to_btf_id), which gbpf's verifier does not track yet")
}

// TestHelperPacketAccess: a packet pointer may be a helper's memory
// argument only if the kernel's prototype says pkt_access, as for
// bpf_map_lookup_elem's key, and not bpf_perf_event_output's data.
func TestHelperPacketAccess(t *testing.T) {
	arr := []*maps.Spec{{Name: "arr", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4, SpinLockOffset: -1}}
	perf := []*maps.Spec{{Name: "events", Type: maps.PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: 2, SpinLockOffset: -1}}
	const bounds = "ldxw %r2, [%r1+0]\nldxw %r3, [%r1+4]\nmov %r4, %r2\nadd %r4, 8\njgt %r4, %r3, out\n"
	lookup := mustAssemble(t, bounds+"lddw %r1, map_idx 0\ncall 1\nout:\nmov %r0, 2\nexit")
	if _, err := Verify(lookup, Options{Type: progtype.XDP, Maps: arr}); err != nil {
		t.Errorf("a packet key for map_lookup_elem: %v", err)
	}
	output := mustAssemble(t, bounds+"mov %r6, %r1\nmov %r4, %r2\nmov %r5, 8\nmov %r1, %r6\nlddw %r2, map_idx 0\nmov %r3, 0\ncall 25\nout:\nmov %r0, 2\nexit")
	_, err := Verify(output, Options{Type: progtype.XDP, Maps: perf})
	wantError(t, err, 12, "helper access to the packet is not allowed")
}
