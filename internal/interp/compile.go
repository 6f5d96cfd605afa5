package interp

import (
	"fmt"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// Options select how a program is compiled.
type Options struct {
	// Checked makes every load, store and atomic check its address against
	// the live stack frames and env.Regions. Use it for programs the
	// verifier has not accepted.
	Checked bool
	// Sanitize runs the program in checked mode with the leak sanitizer:
	// the run tracks which values are addresses and ends with an
	// *engine.Fault wrapping engine.ErrLeak at the instruction that turns
	// one into data the program can observe (returns it in r0, stores it
	// outside the stack, passes it to a helper as a scalar or in memory
	// the helper reads, compares it with a scalar, or computes with it
	// other than adding an offset or subtracting an address into the same
	// object). It is for programs verified under the unprivileged rules,
	// which forbid all of that; a sanitized run is several times slower.
	Sanitize bool
	// Helpers holds the prototypes the sanitizer checks helper calls
	// against; nil means gbpf's builtin helpers. Calls to helpers without
	// a prototype are not checked, and return data.
	Helpers *helpers.Set
	// CtxPointers lists the fields of the context (r1 on entry) that hold
	// addresses, for the sanitizer.
	CtxPointers []PtrField
}

// Program is an isa.Program compiled for the interpreter. It implements
// engine.Program and is safe for concurrent use.
type Program struct {
	code    []insn
	checked bool
	san     *sanProgram // set for sanitized programs
	// writes is set when the program may write memory: it has a store,
	// an atomic or a helper call (helpers may write through pointers).
	writes bool
}

var _ engine.Program = (*Program)(nil)

// Compile validates p and translates it into the interpreter's internal
// form. An lddw of a function (isa.PseudoFunc) loads the function's slot
// index, the callback address that engine.Env.CallFunc takes. Instructions
// the interpreter cannot run (an lddw of a map or other pseudo source not
// yet resolved by a loader, a kfunc call) are errors naming the
// instruction.
func Compile(p isa.Program, opts Options) (*Program, error) {
	if err := isa.Validate(p); err != nil {
		return nil, err
	}
	// One more slot than the program holds: the instruction pointer of
	// the run loop points past the last instruction while it runs it.
	code := make([]insn, len(p.Insns), len(p.Insns)+1)
	for i := 0; i < len(p.Insns); i++ {
		ins := p.Insns[i]
		in, err := lower(p, i)
		if err != nil {
			return nil, err
		}
		if opts.Checked || opts.Sanitize {
			in = checked(in)
		}
		code[i] = in
		if ins.IsLdImm64() {
			i++ // the second slot stays opInvalid: lddw skips it
		}
	}
	pr := &Program{code: code, checked: opts.Checked || opts.Sanitize}
	for _, in := range code {
		switch {
		case in.op >= opStB && in.op <= opAtomic64, in.op >= opStBC && in.op <= opChecked,
			in.op == opCallHelper, in.op == opCallX:
			pr.writes = true
		}
	}
	if opts.Sanitize {
		if err := pr.sanitize(opts); err != nil {
			return nil, err
		}
	}
	return pr, nil
}

// Close releases nothing: a Program holds only Go memory.
func (p *Program) Close() error { return nil }

// Checked reports whether p was compiled in checked mode.
func (p *Program) Checked() bool { return p.checked }

func compileError(i int, format string, args ...any) error {
	return &isa.Error{Index: i, Reason: fmt.Sprintf(format, args...)}
}

// checked turns a memory operation into its checked form.
func checked(in insn) insn {
	switch {
	case in.op >= opLdxB && in.op <= opStxDW:
		in.op += opLdxBC - opLdxB
	case in.op == opAtomic32 || in.op == opAtomic64:
		in.sub, in.op = in.op, opChecked
	}
	return in
}

// lower translates the instruction at slot i, which isa.Validate accepted.
func lower(p isa.Program, i int) (insn, error) {
	ins := p.Insns[i]
	in := insn{dst: uint8(ins.Dst), src: uint8(ins.Src), off: int32(ins.Off)}
	switch c := ins.Op.Class(); c {
	case isa.ClassALU64, isa.ClassALU:
		return lowerALU(ins, in)
	case isa.ClassJMP, isa.ClassJMP32:
		return lowerJump(ins, in, i)
	case isa.ClassLD:
		if m := ins.Op.Mode(); m != isa.ModeIMM {
			in.op, in.off, in.k = opLdAbs, ins.Imm, uint64(ins.Op.Size().Bytes())
			if m == isa.ModeIND {
				in.op = opLdInd
			}
			return in, nil
		}
		switch ins.Src {
		case isa.PseudoImm:
			in.op, in.k = opLdImm64, p.Imm64(i)
		case isa.PseudoFunc:
			// A callback's address is its first slot, which helpers
			// such as bpf_loop pass to engine.Env.CallFunc.
			in.op, in.k = opLdImm64, uint64(ins.JumpTarget(i))
		default:
			return in, compileError(i, "lddw with pseudo source %d (%s) must be resolved by a loader first", ins.Src, pseudoName(ins.Src))
		}
		in.src = 0
		return in, nil
	case isa.ClassLDX:
		sx := ins.Op.Mode() == isa.ModeMEMSX
		switch ins.Op.Size() {
		case isa.SizeB:
			in.op = pick(sx, opLdxSB, opLdxB)
		case isa.SizeH:
			in.op = pick(sx, opLdxSH, opLdxH)
		case isa.SizeW:
			in.op = pick(sx, opLdxSW, opLdxW)
		case isa.SizeDW:
			in.op = opLdxDW
		}
		return in, nil
	case isa.ClassST:
		in.k = uint64(int64(ins.Imm))
		in.op = [...]op{isa.SizeW: opStW, isa.SizeH: opStH, isa.SizeB: opStB, isa.SizeDW: opStDW}[ins.Op.Size()]
		return in, nil
	case isa.ClassSTX:
		if ins.Op.Mode() == isa.ModeATOMIC {
			in.k = uint64(uint32(ins.Imm))
			in.op = pick(ins.Op.Size() == isa.SizeDW, opAtomic64, opAtomic32)
			return in, nil
		}
		in.op = [...]op{isa.SizeW: opStxW, isa.SizeH: opStxH, isa.SizeB: opStxB, isa.SizeDW: opStxDW}[ins.Op.Size()]
		return in, nil
	}
	return in, compileError(i, "unknown opcode %#02x", uint8(ins.Op))
}

func pick(cond bool, yes, no op) op {
	if cond {
		return yes
	}
	return no
}

func pseudoName(r isa.Register) string {
	switch r {
	case isa.PseudoMapFD:
		return "map fd"
	case isa.PseudoMapValue:
		return "map value"
	case isa.PseudoBTFID:
		return "BTF id"
	case isa.PseudoFunc:
		return "function address"
	case isa.PseudoMapIdx:
		return "map index"
	case isa.PseudoMapIdxValue:
		return "map index value"
	}
	return "unknown"
}

// aluOps maps an ALU operation to the K form of its 64-bit op; the X form,
// and the 32-bit forms, are at fixed distances in the op table.
var aluOps = map[isa.ALUOp]op{
	isa.Add: opAdd64K, isa.Sub: opSub64K, isa.Mul: opMul64K, isa.Div: opDiv64K,
	isa.Or: opOr64K, isa.And: opAnd64K, isa.LSh: opLsh64K, isa.RSh: opRsh64K,
	isa.Mod: opMod64K, isa.Xor: opXor64K, isa.Mov: opMov64K, isa.ArSh: opArsh64K,
}

const (
	xDist   = opAdd64X - opAdd64K // K form to X form
	a32Dist = opAdd32K - opAdd64K // 64-bit form to 32-bit form
)

func lowerALU(ins isa.Instruction, in insn) (insn, error) {
	is64 := ins.Op.Class() == isa.ClassALU64
	x := ins.Op.Source() == isa.SourceX
	switch a := ins.Op.ALUOp(); a {
	case isa.Neg:
		in.op = pick(is64, opNeg64, opNeg32)
	case isa.End:
		switch {
		case is64 || ins.Op.Source() == isa.ToBE: // bswap, or be on little endian
			in.op = [...]op{16: opBSwap16, 32: opBSwap32, 64: opBSwap64}[ins.Imm]
		case ins.Imm == 16:
			in.op = opLE16
		case ins.Imm == 32:
			in.op = opLE32
		default: // le64 is a no-op on a little-endian machine
			in.op = opMov64X
			in.src = in.dst
		}
	case isa.Mov:
		if x && ins.Off != 0 {
			if is64 {
				in.op = [...]op{8: opMovSX8To64, 16: opMovSX16To64, 32: opMovSX32To64}[ins.Off]
			} else {
				in.op = [...]op{8: opMovSX8To32, 16: opMovSX16To32}[ins.Off]
			}
			break
		}
		fallthrough
	default:
		o := aluOps[a]
		if (a == isa.Div || a == isa.Mod) && ins.Off == 1 {
			o++ // the signed form follows the unsigned one
		}
		if x {
			o += xDist
		}
		if !is64 {
			o += a32Dist
		}
		in.op = o
	}
	if is64 {
		in.k = uint64(int64(ins.Imm))
	} else {
		in.k = uint64(uint32(ins.Imm))
	}
	return in, nil
}

// jumpOps maps a conditional jump to its 64-bit K form.
var jumpOps = map[isa.JumpOp]op{
	isa.JEq: opJeq64K, isa.JNE: opJne64K, isa.JGT: opJgt64K, isa.JGE: opJge64K,
	isa.JLT: opJlt64K, isa.JLE: opJle64K, isa.JSGT: opJsgt64K, isa.JSGE: opJsge64K,
	isa.JSLT: opJslt64K, isa.JSLE: opJsle64K, isa.JSet: opJset64K,
}

const (
	jxDist  = opJeq64X - opJeq64K
	j32Dist = opJeq32K - opJeq64K
)

func lowerJump(ins isa.Instruction, in insn, i int) (insn, error) {
	is64 := ins.Op.Class() == isa.ClassJMP
	switch j := ins.Op.JumpOp(); j {
	case isa.Ja:
		in.op, in.off = opJa, int32(ins.JumpTarget(i))
	case isa.Exit:
		in.op = opExit
	case isa.Call:
		switch {
		case ins.Op.Source() == isa.SourceX:
			in.op = opCallX
		case ins.Src == isa.PseudoCallLocal:
			in.op, in.off = opCallLocal, int32(ins.JumpTarget(i))
		case ins.Src == isa.PseudoCallHelper:
			in.op, in.k = opCallHelper, uint64(int64(ins.Imm))
		default:
			return in, compileError(i, "kfunc calls are not supported")
		}
	default:
		o := jumpOps[j]
		if ins.Op.Source() == isa.SourceX {
			o += jxDist
		}
		if !is64 {
			o += j32Dist
		}
		in.op, in.off = o, int32(ins.JumpTarget(i))
		if is64 {
			in.k = uint64(int64(ins.Imm))
		} else {
			in.k = uint64(uint32(ins.Imm))
		}
	}
	return in, nil
}
