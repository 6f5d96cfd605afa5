package cbpf

import (
	"errors"
	"fmt"
)

// ErrInvalidProgram is wrapped by every error Check returns, so callers can
// test with errors.Is; the kernel answers such programs with EINVAL.
var ErrInvalidProgram = errors.New("invalid classic BPF program")

// CheckError describes the instruction that failed the checker.
type CheckError struct {
	Index  int    // instruction index, or -1 for the program as a whole
	Reason string // what is wrong
}

// Error formats the error with the instruction index.
func (e *CheckError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("%s: %s", ErrInvalidProgram, e.Reason)
	}
	return fmt.Sprintf("%s: instruction %d: %s", ErrInvalidProgram, e.Index, e.Reason)
}

// Unwrap returns ErrInvalidProgram.
func (e *CheckError) Unwrap() error { return ErrInvalidProgram }

func checkErr(i int, format string, args ...any) error {
	return &CheckError{Index: i, Reason: fmt.Sprintf(format, args...)}
}

// Check applies the Linux kernel's classic BPF checker rules to prog: its
// length is 1..MaxInstructions, every opcode is known, jumps go forward and
// stay in the program, the last instruction is a RET, there is no division
// or modulo by constant 0, constant shifts are below 32, scratch word
// indices are below MemWords, and no scratch word is read before it is
// written on some path to the read.
func Check(prog []Instruction) error { return check(prog, false) }

// check is Check; with backward it also accepts unconditional jumps to
// an earlier instruction.
func check(prog []Instruction, backward bool) error {
	n := len(prog)
	if n == 0 {
		return checkErr(-1, "empty program")
	}
	if n > MaxInstructions {
		return checkErr(-1, "program has %d instructions, more than %d", n, MaxInstructions)
	}
	for pc, ins := range prog {
		if !ValidOpcode(ins.Op) {
			return checkErr(pc, "unknown opcode %#x", ins.Op)
		}
		switch ins.Op {
		case ClassALU | AluDIV | SrcK, ClassALU | AluMOD | SrcK:
			if ins.K == 0 {
				return checkErr(pc, "division by constant zero")
			}
		case ClassALU | AluLSH | SrcK, ClassALU | AluRSH | SrcK:
			if ins.K >= 32 {
				return checkErr(pc, "shift by %d is not below 32", ins.K)
			}
		case ClassLD | ModeMEM, ClassLDX | ModeMEM, ClassST, ClassSTX:
			if ins.K >= MemWords {
				return checkErr(pc, "scratch word M[%d] out of range", ins.K)
			}
		case ClassJMP | JmpJA:
			if backward && int32(ins.K) < 0 {
				if t := pc + 1 + int(int32(ins.K)); t < 0 {
					return checkErr(pc, "jump offset %d out of range", int32(ins.K))
				}
				break
			}
			if uint64(ins.K) >= uint64(n-pc-1) {
				return checkErr(pc, "jump offset %d out of range", ins.K)
			}
		default:
			if ins.IsConditionalJump() {
				if pc+int(ins.Jt)+1 >= n {
					return checkErr(pc, "true jump offset %d out of range", ins.Jt)
				}
				if pc+int(ins.Jf)+1 >= n {
					return checkErr(pc, "false jump offset %d out of range", ins.Jf)
				}
			}
		}
	}
	if !prog[n-1].IsReturn() {
		return checkErr(n-1, "last instruction is not a RET")
	}
	return checkLoadsAndStores(prog)
}

// checkLoadsAndStores follows the kernel's check_load_and_stores: a scratch
// word may be read only if every path to the read has written it.
func checkLoadsAndStores(prog []Instruction) error {
	masks := make([]uint16, len(prog))
	for i := range masks {
		masks[i] = 0xffff
	}
	var valid uint16
	for pc, ins := range prog {
		valid &= masks[pc]
		switch {
		case ins.Op == ClassST || ins.Op == ClassSTX:
			valid |= 1 << ins.K
		case ins.Op == ClassLD|ModeMEM || ins.Op == ClassLDX|ModeMEM:
			if valid&(1<<ins.K) == 0 {
				return checkErr(pc, "scratch word M[%d] read before it is written", ins.K)
			}
		case ins.Op == ClassJMP|JmpJA:
			// A backward jump (allowed by NewVMOptions) goes to an
			// instruction already checked.
			if t := pc + 1 + int(int32(ins.K)); t > pc {
				masks[t] &= valid
			}
			valid = 0xffff
		case ins.IsConditionalJump():
			masks[pc+1+int(ins.Jt)] &= valid
			masks[pc+1+int(ins.Jf)] &= valid
			valid = 0xffff
		}
	}
	return nil
}
