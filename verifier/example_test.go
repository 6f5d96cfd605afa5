package verifier_test

import (
	"errors"
	"fmt"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

// A map lookup must be checked for NULL before the value is used.
func ExampleVerify() {
	counters := &maps.Spec{Name: "counters", Type: maps.Array, KeySize: 4, ValueSize: 8, MaxEntries: 4, SpinLockOffset: -1}
	src := `
    ldxw %r2, [%r1+0]          # key: the packet length, unchecked
    stxw [%r10-4], %r2
    mov %r2, %r10
    add %r2, -4
    lddw %r1, map_idx 0
    call 1                     # bpf_map_lookup_elem
    mov %r1, 1
    lock add [%r0+0], %r1      # NULL is not checked
    mov %r0, 0
    exit`
	p, err := asm.Assemble(src)
	if err != nil {
		panic(err)
	}
	_, err = verifier.Verify(p, verifier.Options{Type: progtype.SocketFilter, Maps: []*maps.Spec{counters}})
	var ve *verifier.Error
	if errors.As(err, &ve) {
		fmt.Printf("insn %d: %s\n", ve.Insn, ve.Msg)
	}
	// Output: insn 8: R0 invalid mem access 'map_value_or_null'
}
