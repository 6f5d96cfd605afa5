package asm

import (
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/isa"
)

// encoder assembles one mnemonic. operands is the number of operand words
// it takes, or -1 when fn checks the count itself.
type encoder struct {
	operands int
	fn       func(a *assembler, num int, m token, ops []token) error
}

// mnemonics maps every mnemonic of the dialect to its encoder.
var mnemonics = make(map[string]encoder)

// aluNames are the binary ALU operations; the signed division and modulo
// set Off to 1.
var aluNames = []struct {
	name string
	op   isa.ALUOp
	off  int16
}{
	{"add", isa.Add, 0}, {"sub", isa.Sub, 0}, {"mul", isa.Mul, 0},
	{"div", isa.Div, 0}, {"sdiv", isa.Div, 1}, {"or", isa.Or, 0},
	{"and", isa.And, 0}, {"lsh", isa.LSh, 0}, {"rsh", isa.RSh, 0},
	{"mod", isa.Mod, 0}, {"smod", isa.Mod, 1}, {"xor", isa.Xor, 0},
	{"mov", isa.Mov, 0}, {"arsh", isa.ArSh, 0},
}

// jumpNames are the conditional jumps.
var jumpNames = []struct {
	name string
	op   isa.JumpOp
}{
	{"jeq", isa.JEq}, {"jgt", isa.JGT}, {"jge", isa.JGE}, {"jset", isa.JSet},
	{"jne", isa.JNE}, {"jsgt", isa.JSGT}, {"jsge", isa.JSGE}, {"jlt", isa.JLT},
	{"jle", isa.JLE}, {"jslt", isa.JSLT}, {"jsle", isa.JSLE},
}

// sizeNames are the access widths as mnemonic suffixes.
var sizeNames = []struct {
	name string
	size isa.Size
}{
	{"b", isa.SizeB}, {"h", isa.SizeH}, {"w", isa.SizeW}, {"dw", isa.SizeDW},
}

// lddwKinds are the pseudo sources of lddw by their keyword.
var lddwKinds = map[string]isa.Register{
	"map_fd":        isa.PseudoMapFD,
	"map_value":     isa.PseudoMapValue,
	"btf_id":        isa.PseudoBTFID,
	"func":          isa.PseudoFunc,
	"map_idx":       isa.PseudoMapIdx,
	"map_idx_value": isa.PseudoMapIdxValue,
}

func init() {
	for _, alu := range aluNames {
		for _, v := range []struct {
			suffix string
			class  isa.Class
		}{{"", isa.ClassALU64}, {"64", isa.ClassALU64}, {"32", isa.ClassALU}} {
			mnemonics[alu.name+v.suffix] = encoder{2, aluEncoder(v.class, alu.op, alu.off)}
		}
	}
	mnemonics["neg"] = encoder{1, negEncoder(isa.ClassALU64)}
	mnemonics["neg64"] = encoder{1, negEncoder(isa.ClassALU64)}
	mnemonics["neg32"] = encoder{1, negEncoder(isa.ClassALU)}
	for _, bits := range []int16{8, 16, 32} {
		mnemonics[fmt.Sprintf("movsx%d64", bits)] = encoder{2, movsxEncoder(isa.ClassALU64, bits)}
		if bits < 32 {
			mnemonics[fmt.Sprintf("movsx%d32", bits)] = encoder{2, movsxEncoder(isa.ClassALU, bits)}
		}
	}
	for _, bits := range []int32{16, 32, 64} {
		mnemonics[fmt.Sprintf("le%d", bits)] = encoder{1, endEncoder(isa.ClassALU, isa.ToLE, bits)}
		mnemonics[fmt.Sprintf("be%d", bits)] = encoder{1, endEncoder(isa.ClassALU, isa.ToBE, bits)}
		mnemonics[fmt.Sprintf("swap%d", bits)] = encoder{1, endEncoder(isa.ClassALU64, isa.ToLE, bits)}
		mnemonics[fmt.Sprintf("bswap%d", bits)] = encoder{1, endEncoder(isa.ClassALU64, isa.ToLE, bits)}
	}
	for _, s := range sizeNames {
		mnemonics["ldx"+s.name] = encoder{2, ldxEncoder(isa.MemOpcode(isa.ClassLDX, isa.ModeMEM, s.size))}
		mnemonics["st"+s.name] = encoder{2, stEncoder(isa.MemOpcode(isa.ClassST, isa.ModeMEM, s.size))}
		mnemonics["stx"+s.name] = encoder{2, stxEncoder(isa.MemOpcode(isa.ClassSTX, isa.ModeMEM, s.size))}
		if s.size != isa.SizeDW {
			mnemonics["ldxs"+s.name] = encoder{2, ldxEncoder(isa.MemOpcode(isa.ClassLDX, isa.ModeMEMSX, s.size))}
			mnemonics["ldabs"+s.name] = encoder{1, ldAbsEncoder(isa.MemOpcode(isa.ClassLD, isa.ModeABS, s.size))}
			mnemonics["ldind"+s.name] = encoder{2, ldIndEncoder(isa.MemOpcode(isa.ClassLD, isa.ModeIND, s.size))}
		}
	}
	mnemonics["lddw"] = encoder{-1, encodeLddw}
	for _, j := range jumpNames {
		mnemonics[j.name] = encoder{3, jumpEncoder(isa.ClassJMP, j.op)}
		mnemonics[j.name+"32"] = encoder{3, jumpEncoder(isa.ClassJMP32, j.op)}
	}
	mnemonics["ja"] = encoder{1, encodeJa}
	mnemonics["ja32"] = encoder{1, encodeJa32}
	mnemonics["gotol"] = encoder{1, encodeJa32}
	mnemonics["call"] = encoder{-1, encodeCall}
	mnemonics["callx"] = encoder{1, func(a *assembler, num int, m token, ops []token) error {
		return encodeCall(a, num, m, []token{{"helper", ops[0].col}, ops[0]})
	}}
	mnemonics["exit"] = encoder{0, func(a *assembler, _ int, _ token, _ []token) error {
		a.emit(isa.Instruction{Op: isa.OpExit})
		return nil
	}}
	mnemonics["lock"] = encoder{-1, encodeLock}
}

func aluEncoder(c isa.Class, op isa.ALUOp, off int16) func(*assembler, int, token, []token) error {
	return func(a *assembler, num int, _ token, ops []token) error {
		dst, err := register(num, ops[0])
		if err != nil {
			return err
		}
		ins := isa.Instruction{Dst: dst, Off: off}
		if isRegister(ops[1]) {
			ins.Op = isa.ALUOpcode(c, op, isa.SourceX)
			ins.Src, err = register(num, ops[1])
		} else {
			ins.Op = isa.ALUOpcode(c, op, isa.SourceK)
			ins.Imm, err = imm32(num, ops[1])
		}
		if err != nil {
			return err
		}
		a.emit(ins)
		return nil
	}
}

func negEncoder(c isa.Class) func(*assembler, int, token, []token) error {
	return func(a *assembler, num int, _ token, ops []token) error {
		dst, err := register(num, ops[0])
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Op: isa.ALUOpcode(c, isa.Neg, isa.SourceK), Dst: dst})
		return nil
	}
}

func movsxEncoder(c isa.Class, bits int16) func(*assembler, int, token, []token) error {
	return func(a *assembler, num int, m token, ops []token) error {
		dst, err := register(num, ops[0])
		if err != nil {
			return err
		}
		if !isRegister(ops[1]) {
			return &Error{num, ops[1].col, m.text + " takes a source register, not an immediate"}
		}
		src, err := register(num, ops[1])
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Op: isa.ALUOpcode(c, isa.Mov, isa.SourceX), Dst: dst, Src: src, Off: bits})
		return nil
	}
}

func endEncoder(c isa.Class, order isa.Source, bits int32) func(*assembler, int, token, []token) error {
	return func(a *assembler, num int, _ token, ops []token) error {
		dst, err := register(num, ops[0])
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Op: isa.ALUOpcode(c, isa.End, order), Dst: dst, Imm: bits})
		return nil
	}
}

func ldxEncoder(op isa.Opcode) func(*assembler, int, token, []token) error {
	return func(a *assembler, num int, _ token, ops []token) error {
		dst, err := register(num, ops[0])
		if err != nil {
			return err
		}
		src, off, err := memory(num, ops[1])
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Op: op, Dst: dst, Src: src, Off: off})
		return nil
	}
}

func stEncoder(op isa.Opcode) func(*assembler, int, token, []token) error {
	return func(a *assembler, num int, _ token, ops []token) error {
		dst, off, err := memory(num, ops[0])
		if err != nil {
			return err
		}
		imm, err := imm32(num, ops[1])
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Op: op, Dst: dst, Off: off, Imm: imm})
		return nil
	}
}

func stxEncoder(op isa.Opcode) func(*assembler, int, token, []token) error {
	return func(a *assembler, num int, _ token, ops []token) error {
		dst, off, err := memory(num, ops[0])
		if err != nil {
			return err
		}
		src, err := register(num, ops[1])
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Op: op, Dst: dst, Src: src, Off: off})
		return nil
	}
}

func ldAbsEncoder(op isa.Opcode) func(*assembler, int, token, []token) error {
	return func(a *assembler, num int, _ token, ops []token) error {
		imm, err := imm32(num, ops[0])
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Op: op, Imm: imm})
		return nil
	}
}

func ldIndEncoder(op isa.Opcode) func(*assembler, int, token, []token) error {
	return func(a *assembler, num int, _ token, ops []token) error {
		src, err := register(num, ops[0])
		if err != nil {
			return err
		}
		imm, err := imm32(num, ops[1])
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Op: op, Src: src, Imm: imm})
		return nil
	}
}

// encodeLddw assembles "lddw %rD, IMM64" and the pseudo forms
// "lddw %rD, KIND IMM[, IMM2]".
func encodeLddw(a *assembler, num int, m token, ops []token) error {
	if len(ops) < 2 || len(ops) > 4 {
		return &Error{num, m.col, fmt.Sprintf("Invalid number of operands for lddw: want 2, got %d", len(ops))}
	}
	dst, err := register(num, ops[0])
	if err != nil {
		return err
	}
	if len(ops) == 2 {
		v, err := imm64(num, ops[1])
		if err != nil {
			return err
		}
		ld := isa.LdImm64(dst, v)
		a.emit(ld[0], ld[1])
		return nil
	}
	kind, ok := lddwKinds[ops[1].text]
	if !ok {
		return &Error{num, ops[1].col, "Invalid lddw source: " + ops[1].text + " (want map_fd, map_value, btf_id, func, map_idx or map_idx_value)"}
	}
	first := isa.Instruction{Op: isa.OpLdImm64, Dst: dst, Src: kind}
	if kind == isa.PseudoFunc {
		first.Imm, err = a.target(num, ops[2], true)
	} else {
		first.Imm, err = imm32(num, ops[2])
	}
	if err != nil {
		return err
	}
	var second isa.Instruction
	if len(ops) == 4 {
		if second.Imm, err = imm32(num, ops[3]); err != nil {
			return err
		}
	}
	a.emit(first, second)
	return nil
}

func jumpEncoder(c isa.Class, op isa.JumpOp) func(*assembler, int, token, []token) error {
	return func(a *assembler, num int, _ token, ops []token) error {
		dst, err := register(num, ops[0])
		if err != nil {
			return err
		}
		ins := isa.Instruction{Dst: dst}
		if isRegister(ops[1]) {
			ins.Op = isa.JumpOpcode(c, op, isa.SourceX)
			ins.Src, err = register(num, ops[1])
		} else {
			ins.Op = isa.JumpOpcode(c, op, isa.SourceK)
			ins.Imm, err = imm32(num, ops[1])
		}
		if err != nil {
			return err
		}
		off, err := a.target(num, ops[2], false)
		if err != nil {
			return err
		}
		ins.Off = int16(off)
		a.emit(ins)
		return nil
	}
}

func encodeJa(a *assembler, num int, _ token, ops []token) error {
	off, err := a.target(num, ops[0], false)
	if err != nil {
		return err
	}
	a.emit(isa.Instruction{Op: isa.OpJa, Off: int16(off)})
	return nil
}

func encodeJa32(a *assembler, num int, _ token, ops []token) error {
	imm, err := a.target(num, ops[0], true)
	if err != nil {
		return err
	}
	a.emit(isa.Instruction{Op: isa.OpJa32, Imm: imm})
	return nil
}

// encodeCall assembles "call N", "call %rN" and "call MODE TARGET" with
// MODE helper, local or runtime.
func encodeCall(a *assembler, num int, m token, ops []token) error {
	switch len(ops) {
	case 1:
		ops = []token{{"helper", ops[0].col}, ops[0]}
	case 2:
	default:
		return &Error{num, m.col, fmt.Sprintf("Invalid number of operands for call: want 1 or 2, got %d", len(ops))}
	}
	mode, target := ops[0], ops[1]
	switch mode.text {
	case "helper":
		if isRegister(target) {
			dst, err := register(num, target)
			if err != nil {
				return err
			}
			a.emit(isa.Instruction{Op: isa.OpCallX, Dst: dst})
			return nil
		}
		imm, err := imm32(num, target)
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Op: isa.OpCall, Src: isa.PseudoCallHelper, Imm: imm})
	case "local":
		imm, err := a.target(num, target, true)
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Op: isa.OpCall, Src: isa.PseudoCallLocal, Imm: imm})
	case "runtime":
		imm, err := imm32(num, target)
		if err != nil {
			return err
		}
		a.emit(isa.Instruction{Op: isa.OpCall, Src: isa.PseudoCallKfunc, Imm: imm})
	default:
		return &Error{num, mode.col, "Invalid call mode: " + mode.text + " (want helper, local or runtime)"}
	}
	return nil
}

// atomicOps are the operations of "lock", by name without the "32" suffix.
var atomicOps = map[string]isa.AtomicOp{
	"add": isa.AtomicAdd, "or": isa.AtomicOr, "and": isa.AtomicAnd, "xor": isa.AtomicXor,
	"xchg": isa.AtomicXchg, "cmpxchg": isa.AtomicCmpXchg,
}

// encodeLock assembles "lock [fetch] OP[32] [%rD+OFF], %rS".
func encodeLock(a *assembler, num int, m token, ops []token) error {
	fetch := len(ops) > 0 && ops[0].text == "fetch"
	if fetch {
		ops = ops[1:]
	}
	if len(ops) != 3 {
		return &Error{num, m.col, "Invalid number of operands for lock: want lock [fetch] OP [%rN+OFFSET], %rM"}
	}
	name := ops[0].text
	size := isa.SizeDW
	if s, ok := strings.CutSuffix(name, "32"); ok {
		name, size = s, isa.SizeW
	}
	op, ok := atomicOps[name]
	if !ok {
		return &Error{num, ops[0].col, "Invalid atomic operation: " + ops[0].text}
	}
	if fetch {
		op |= isa.AtomicFetch // xchg and cmpxchg always fetch
	}
	dst, off, err := memory(num, ops[1])
	if err != nil {
		return err
	}
	src, err := register(num, ops[2])
	if err != nil {
		return err
	}
	a.emit(isa.Instruction{Op: isa.MemOpcode(isa.ClassSTX, isa.ModeATOMIC, size), Dst: dst, Src: src, Off: off, Imm: int32(op)})
	return nil
}
