package verifier

import (
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/isa"
)

// logger builds the verifier log. At level 1 the text of a path that ended
// well is dropped when the next path starts, so an error's log shows the
// path that failed; level 2 keeps everything.
type logger struct {
	level int
	b     strings.Builder
	// marks[i] is the log length when pending state i was pushed.
	marks []int
}

func (l *logger) init(level int) { l.level = level }

func (l *logger) printf(format string, args ...any) {
	fmt.Fprintf(&l.b, format, args...)
}

func (l *logger) String() string { return l.b.String() }

// mark remembers the log position of pending state i.
func (l *logger) mark(i int) {
	if l.level == 0 {
		return
	}
	for len(l.marks) <= i {
		l.marks = append(l.marks, 0)
	}
	l.marks[i] = l.b.Len()
}

// rewind drops, at level 1, what was logged since pending state i was
// pushed: that path was proven safe.
func (l *logger) rewind(i int) {
	if l.level != 1 || i >= len(l.marks) {
		return
	}
	s := l.b.String()[:l.marks[i]]
	l.b.Reset()
	l.b.WriteString(s)
}

func (l *logger) printInsn(prog []isa.Instruction, pc int) {
	l.printf("%d: (%02x) %s\n", pc, uint8(prog[pc].Op), disasm(prog, pc))
}

func (l *logger) printRegs(s *state) {
	f := s.cur()
	if len(s.frames) > 1 {
		l.printf(" frame%d:", len(s.frames)-1)
	}
	for i := range f.regs {
		r := &f.regs[i]
		if r.typ == notInit {
			continue
		}
		l.printf(" R%d=%s", i, r.String())
	}
	for i := 0; i < len(f.spills); i++ {
		if i*8 >= len(f.stack) {
			break
		}
		t := f.stack[i*8 : i*8+8]
		if t[0] == stackSpill {
			l.printf(" fp%d=%s", -8*(i+1), f.spills[i].String())
			continue
		}
		var b [8]byte
		any := false
		for j := 0; j < 8; j++ {
			c := "?mm0"[t[7-j]]
			if t[7-j] != stackInvalid {
				any = true
			}
			b[j] = c
		}
		if any {
			l.printf(" fp%d=%s", -8*(i+1), string(b[:]))
		}
	}
	l.printf("\n")
}

func (l *logger) printState(pc int, s *state) {
	l.printf("%d:", pc)
	l.printRegs(s)
}

func (v *verifier) printStats(ok bool) {
	if v.log.level == 0 {
		return
	}
	l := &v.log
	if ok {
		l.printf("verification time %d usec\n", v.stats.Time.Microseconds())
		l.printf("stack depth ")
		for i, d := range v.stackDepth {
			if i > 0 {
				l.printf("+")
			}
			l.printf("%d", d)
		}
		l.printf("\n")
	}
	l.printf("processed %d insns (limit %d) max_states_per_insn %d total_states %d peak_states %d mark_read %d\n",
		v.stats.Processed, v.maxInsns, v.stats.MaxStatesPerInsn, v.stats.TotalStates, v.stats.PeakStates, v.stats.MarkRead)
}

func (v *verifier) flushLog() {
	if v.opts.Log != nil && v.log.level > 0 {
		fmt.Fprint(v.opts.Log, v.log.String())
	}
}

var jmpOpStr = map[isa.JumpOp]string{
	isa.JEq: "==", isa.JGT: ">", isa.JGE: ">=", isa.JSet: "&", isa.JNE: "!=",
	isa.JSGT: "s>", isa.JSGE: "s>=", isa.JLT: "<", isa.JLE: "<=", isa.JSLT: "s<", isa.JSLE: "s<=",
}

var sizeStr = map[isa.Size]string{isa.SizeB: "u8", isa.SizeH: "u16", isa.SizeW: "u32", isa.SizeDW: "u64"}

// disasm prints the instruction at pc the way the kernel's verifier log
// does ("r0 = *(u32 *)(r1 +4)").
func disasm(prog []isa.Instruction, pc int) string {
	ins := prog[pc]
	c := ins.Op.Class()
	r := func(x isa.Register, w bool) string {
		if w {
			return fmt.Sprintf("r%d", x)
		}
		return fmt.Sprintf("w%d", x)
	}
	switch {
	case ins.IsLdImm64():
		var imm uint64
		if pc+1 < len(prog) {
			imm = isa.Program{Insns: prog}.Imm64(pc)
		}
		switch ins.Src {
		case isa.PseudoMapFD, isa.PseudoMapIdx:
			return fmt.Sprintf("r%d = map[id:%d]", ins.Dst, ins.Imm)
		case isa.PseudoMapValue, isa.PseudoMapIdxValue:
			return fmt.Sprintf("r%d = map[id:%d][0]+%d", ins.Dst, ins.Imm, prog[pc+1].Imm)
		case isa.PseudoFunc:
			return fmt.Sprintf("r%d = func#%d", ins.Dst, pc+int(ins.Imm)+1)
		}
		return fmt.Sprintf("r%d = %#x", ins.Dst, imm)
	case c == isa.ClassLD:
		if ins.Op.Mode() == isa.ModeIND {
			return fmt.Sprintf("r0 = *(%s *)skb[r%d + %d]", sizeStr[ins.Op.Size()], ins.Src, ins.Imm)
		}
		return fmt.Sprintf("r0 = *(%s *)skb[%d]", sizeStr[ins.Op.Size()], ins.Imm)
	case c == isa.ClassLDX:
		return fmt.Sprintf("r%d = *(%s *)(r%d %+d)", ins.Dst, sizeStr[ins.Op.Size()], ins.Src, ins.Off)
	case c == isa.ClassST:
		return fmt.Sprintf("*(%s *)(r%d %+d) = %d", sizeStr[ins.Op.Size()], ins.Dst, ins.Off, ins.Imm)
	case c == isa.ClassSTX && ins.Op.Mode() == isa.ModeATOMIC:
		w := ins.Op.Size() == isa.SizeDW
		return fmt.Sprintf("lock *(%s *)(r%d %+d) op %#x %s", sizeStr[ins.Op.Size()], ins.Dst, ins.Off, ins.Imm, r(ins.Src, w))
	case c == isa.ClassSTX:
		return fmt.Sprintf("*(%s *)(r%d %+d) = r%d", sizeStr[ins.Op.Size()], ins.Dst, ins.Off, ins.Src)
	case c.IsALU():
		w := c == isa.ClassALU64
		op := ins.Op.ALUOp()
		d := r(ins.Dst, w)
		switch op {
		case isa.Neg:
			return fmt.Sprintf("%s = -%s", d, d)
		case isa.End:
			kind := "le"
			if ins.Op.Source() == isa.ToBE {
				kind = "be"
			}
			if w {
				kind = "bswap"
			}
			return fmt.Sprintf("r%d = %s%d r%d", ins.Dst, kind, ins.Imm, ins.Dst)
		}
		s := fmt.Sprint(ins.Imm)
		if ins.Op.Source() == isa.SourceX {
			s = r(ins.Src, w)
		}
		if op == isa.Mov && ins.Off != 0 {
			return fmt.Sprintf("%s = (s%d)%s", d, ins.Off, s)
		}
		return fmt.Sprintf("%s %s %s", d, aluOpStr[op], s)
	default:
		w := c == isa.ClassJMP
		switch ins.Op.JumpOp() {
		case isa.Exit:
			return "exit"
		case isa.Call:
			if ins.IsLocalCall() {
				return fmt.Sprintf("call pc%+d", ins.Imm)
			}
			return fmt.Sprintf("call %s#%d", helperName(ins.Imm), ins.Imm)
		case isa.Ja:
			return fmt.Sprintf("goto pc%+d", ins.JumpTarget(pc)-pc-1)
		}
		s := fmt.Sprint(ins.Imm)
		if ins.Op.Source() == isa.SourceX {
			s = r(ins.Src, w)
		}
		return fmt.Sprintf("if %s %s %s goto pc%+d", r(ins.Dst, w), jmpOpStr[ins.Op.JumpOp()], s, ins.Off)
	}
}
