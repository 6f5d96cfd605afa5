package interp_test

import (
	"errors"
	"fmt"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/isa"
)

// A program that sums the r2 bytes at r1, run in checked mode on input
// memory owned by the runtime.
func Example() {
	add := isa.ALUOpcode(isa.ClassALU64, isa.Add, isa.SourceX)
	p := isa.Program{Insns: []isa.Instruction{
		{Op: isa.ALUOpcode(isa.ClassALU64, isa.Mov, isa.SourceK), Dst: isa.R0, Imm: 0},
		{Op: isa.JumpOpcode(isa.ClassJMP, isa.JEq, isa.SourceK), Dst: isa.R2, Imm: 0, Off: 5}, // loop: if r2 == 0 goto out
		{Op: isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, isa.SizeB), Dst: isa.R3, Src: isa.R1},   // r3 = *(u8 *)r1
		{Op: add, Dst: isa.R0, Src: isa.R3},
		{Op: isa.ALUOpcode(isa.ClassALU64, isa.Add, isa.SourceK), Dst: isa.R1, Imm: 1},
		{Op: isa.ALUOpcode(isa.ClassALU64, isa.Sub, isa.SourceK), Dst: isa.R2, Imm: 1},
		{Op: isa.OpJa, Off: -6}, // goto loop
		{Op: isa.OpExit},        // out
	}}
	prog, err := interp.Compile(p, interp.Options{Checked: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prog.Close()

	mem, err := engine.Alloc(4)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer mem.Free()
	copy(mem.Bytes(), []byte{1, 2, 3, 4})
	env := &engine.Env{Regions: []engine.Region{mem.Region(false)}}

	r0, err := prog.Run(env, mem.Addr(), 4)
	fmt.Println(r0, err)

	// One byte too many: checked mode stops at the load.
	_, err = prog.Run(env, mem.Addr(), 5)
	fmt.Println(errors.Is(err, engine.ErrMemory))
	// Output:
	// 10 <nil>
	// true
}
