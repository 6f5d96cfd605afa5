package verifier

import (
	"fmt"
	"strings"

	"github.com/gbpf/gbpf/asm"
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

// disasm prints the instruction at pc the way the kernel's verifier log
// does ("r0 = *(u32 *)(r1 +4)"): the assembler's verifier syntax.
func disasm(prog []isa.Instruction, pc int) string {
	s, _, err := asm.FormatInstruction(isa.Program{Insns: prog}, pc, asm.SyntaxVerifier)
	if err != nil {
		return prog[pc].String() // not well formed; Validate refuses it first
	}
	return s
}
