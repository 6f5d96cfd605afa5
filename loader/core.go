package loader

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gbpf/gbpf/isa"
)

// ErrNoKernelTypes means a program needs CO-RE relocations but there is no
// target BTF: the host has no /sys/kernel/btf/vmlinux and the caller gave
// none.
var ErrNoKernelTypes = errors.New("no target BTF for CO-RE relocations")

// KernelTypes returns the BTF of the running kernel, from
// /sys/kernel/btf/vmlinux. The error wraps ErrNoKernelTypes when the
// kernel provides none.
func KernelTypes() (*btf.Spec, error) {
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoKernelTypes, err)
	}
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return nil, fmt.Errorf("kernel BTF: %w", err)
	}
	return spec, nil
}

// NeedsCORE reports whether any program of cs has CO-RE relocations left.
func (cs *CollectionSpec) NeedsCORE() bool {
	for _, p := range cs.Programs {
		if len(p.CORE) > 0 {
			return true
		}
	}
	return false
}

// RelocateCORE applies the CO-RE relocations of every program against
// target, the BTF of the kernel the programs are written for. A nil target
// means the running kernel's (KernelTypes). Relocations that cannot be
// satisfied poison their instruction, as libbpf does: the program fails
// verification or faults if it reaches it.
func (cs *CollectionSpec) RelocateCORE(target *btf.Spec) error {
	if !cs.NeedsCORE() {
		return nil
	}
	if target == nil {
		var err error
		if target, err = KernelTypes(); err != nil {
			return err
		}
	}
	for _, name := range cs.ProgramNames() {
		if err := cs.Programs[name].relocateCORE(target); err != nil {
			return fmt.Errorf("program %s: %w", name, err)
		}
	}
	return nil
}

// relocateCORE applies the program's CO-RE relocations.
func (ps *ProgramSpec) relocateCORE(target *btf.Spec) error {
	if len(ps.CORE) == 0 {
		return nil
	}
	relos := make([]*btf.CORERelocation, len(ps.CORE))
	for i, s := range ps.CORE {
		relos[i] = s.Relocation
	}
	b, err := btf.NewBuilder(nil, nil)
	if err != nil {
		return err
	}
	fixups, err := btf.CORERelocate(relos, []*btf.Spec{target}, binary.LittleEndian, b.Add)
	if err != nil {
		return fmt.Errorf("CO-RE: %w", err)
	}
	insns := ps.Instructions.Insns
	for i, f := range fixups {
		slot := ps.CORE[i].Index
		if slot < 0 || slot >= len(insns) {
			return fmt.Errorf("CO-RE relocation at instruction %d: outside the program", slot)
		}
		ins := toAsm(ps.Instructions, slot)
		if err := f.Apply(&ins); err != nil {
			return fmt.Errorf("instruction %d: CO-RE %s: %w", slot, relos[i], err)
		}
		fromAsm(insns, slot, ins)
	}
	ps.CORE = nil
	return nil
}

// toAsm converts slot i of p (both slots for an lddw) to cilium/ebpf's form.
func toAsm(p isa.Program, i int) asm.Instruction {
	in := p.Insns[i]
	ins := asm.Instruction{
		OpCode:   asm.OpCode(in.Op),
		Dst:      asm.Register(in.Dst),
		Src:      asm.Register(in.Src),
		Offset:   in.Off,
		Constant: int64(in.Imm),
	}
	if in.IsLdImm64() && i+1 < len(p.Insns) {
		ins.Constant = int64(p.Imm64(i))
	}
	return ins
}

// fromAsm writes ins back into slot i (and i+1 for an lddw).
func fromAsm(insns []isa.Instruction, i int, ins asm.Instruction) {
	insns[i] = isa.Instruction{
		Op:  isa.Opcode(ins.OpCode),
		Dst: isa.Register(ins.Dst),
		Src: isa.Register(ins.Src),
		Off: ins.Offset,
		Imm: int32(ins.Constant),
	}
	if ins.OpCode.IsDWordLoad() && i+1 < len(insns) {
		insns[i+1] = isa.Instruction{Imm: int32(uint64(ins.Constant) >> 32)}
	}
}
