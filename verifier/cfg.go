package verifier

import (
	"errors"
	"fmt"
	"sort"

	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
)

// checkCFG finds the functions, checks that jumps stay inside their
// function, that every instruction is reachable and that no function calls
// itself (check_cfg), and marks the prune points.
func (v *verifier) checkCFG() error {
	insns := v.prog
	n := len(insns)
	if n == 0 {
		return v.errorf(-1, "empty program")
	}
	if n > MaxInsns {
		return v.errorf(-1, "BPF program is too large. Processed %d insn", n)
	}
	if err := isa.Validate(isa.Program{Insns: insns}); err != nil {
		var ie *isa.Error
		if errors.As(err, &ie) {
			return v.errorf(ie.Index, "%s", ie.Reason)
		}
		return v.errorf(-1, "%v", err)
	}
	// Functions start at 0 and at every target of a local call or of an
	// lddw of a function address.
	starts := map[int]bool{0: true}
	for i := 0; i < n; i++ {
		ins := insns[i]
		switch {
		case ins.IsLocalCall():
			starts[ins.JumpTarget(i)] = true
		case ins.IsLdImm64() && ins.Src == isa.PseudoFunc:
			t := i + int(ins.Imm) + 1
			if t < 0 || t >= n {
				return v.errorf(i, "invalid func address: insn %d out of range", t)
			}
			starts[t] = true
		case ins.Op.Class() == isa.ClassJMP && ins.Op.JumpOp() == isa.Call && ins.Src == isa.PseudoCallKfunc:
			return v.errorf(i, "calling kernel functions is not supported")
		case ins.Op == isa.OpCallX:
			return v.errorf(i, "unknown opcode %02x", uint8(ins.Op))
		}
		if ins.IsLdImm64() {
			i++
		}
	}
	for s := range starts {
		v.subprogs = append(v.subprogs, s)
	}
	sort.Ints(v.subprogs)
	v.subprogOf = make([]int, n)
	for k, s := range v.subprogs {
		end := n
		if k+1 < len(v.subprogs) {
			end = v.subprogs[k+1]
		}
		for i := s; i < end; i++ {
			v.subprogOf[i] = k
		}
		last := insns[end-1]
		if end-2 >= s && insns[end-2].IsLdImm64() {
			return v.errorf(end-1, "last insn is not an exit or jmp")
		}
		if c := last.Op.Class(); !(c == isa.ClassJMP || c == isa.ClassJMP32) ||
			!(last.Op.JumpOp() == isa.Exit || last.Op.JumpOp() == isa.Ja) {
			return v.errorf(end-1, "last insn is not an exit or jmp")
		}
	}
	v.stackDepth = make([]int, len(v.subprogs))
	v.prune = make([]bool, n)
	for _, s := range v.subprogs {
		v.prune[s] = true
	}
	// Jumps stay within their function.
	for i := 0; i < n; i++ {
		ins := insns[i]
		if ins.IsLdImm64() {
			i++
			continue
		}
		c := ins.Op.Class()
		if !(c == isa.ClassJMP || c == isa.ClassJMP32) {
			continue
		}
		op := ins.Op.JumpOp()
		if op == isa.Exit {
			continue
		}
		if op == isa.Call {
			if ins.IsLocalCall() {
				v.prune[i+1] = true
			}
			continue
		}
		t := ins.JumpTarget(i)
		if v.subprogOf[t] != v.subprogOf[i] {
			return v.errorf(i, "jump out of range from insn %d to %d", i, t)
		}
		v.prune[t] = true
		if op != isa.Ja && i+1 < n {
			v.prune[i+1] = true
		}
	}
	return v.walkCFG()
}

// walkCFG does a depth-first walk over the control flow graph with call
// edges: a back-edge through a call is recursion; an instruction no walk
// reaches is dead code.
func (v *verifier) walkCFG() error {
	insns := v.prog
	n := len(insns)
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, n)
	type item struct {
		pc   int
		next int // index into the successor list
	}
	succs := func(pc int) (out [3]int, isCall [3]bool, k int) {
		ins := insns[pc]
		add := func(t int, call bool) {
			out[k], isCall[k] = t, call
			k++
		}
		if ins.IsLdImm64() {
			if ins.Src == isa.PseudoFunc {
				add(pc+int(ins.Imm)+1, true)
			}
			add(pc+2, false)
			return
		}
		c := ins.Op.Class()
		if c != isa.ClassJMP && c != isa.ClassJMP32 {
			add(pc+1, false)
			return
		}
		switch ins.Op.JumpOp() {
		case isa.Exit:
		case isa.Call:
			if ins.IsLocalCall() {
				add(ins.JumpTarget(pc), true)
			}
			add(pc+1, false)
		case isa.Ja:
			add(ins.JumpTarget(pc), false)
		default:
			add(pc+1, false)
			add(ins.JumpTarget(pc), false)
		}
		return
	}
	stack := []item{{0, 0}}
	color[0] = grey
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		out, isCall, k := succs(top.pc)
		if top.next >= k {
			color[top.pc] = black
			stack = stack[:len(stack)-1]
			continue
		}
		t, call := out[top.next], isCall[top.next]
		top.next++
		if t >= n {
			continue // Validate guarantees this does not happen on a real path
		}
		switch color[t] {
		case white:
			color[t] = grey
			stack = append(stack, item{t, 0})
		case grey:
			if call {
				return v.errorf(top.pc, "back-edge from insn %d to %d", top.pc, t)
			}
			v.prune[t] = true // a loop head
		}
	}
	for i := 0; i < n; i++ {
		if color[i] == white {
			return v.errorf(i, "unreachable insn %d", i)
		}
		if insns[i].IsLdImm64() {
			i++
		}
	}
	return nil
}

// computeLiveness finds, for every instruction, the registers R0-R9 that
// some path from it reads before writing (static, per function).
func (v *verifier) computeLiveness() {
	insns := v.prog
	n := len(insns)
	use := make([]uint16, n)
	def := make([]uint16, n)
	type edge struct{ from, to int32 }
	edges := make([]edge, 0, 2*n)
	const r0to9 = 0x3ff // r10 is never live: it cannot change
	addEdge := func(from, to int) {
		if to >= 0 && to < n {
			edges = append(edges, edge{int32(from), int32(to)})
		}
	}
	for pc := 0; pc < n; pc++ {
		ins := insns[pc]
		reads, writes := ins.Regs()
		use[pc], def[pc] = reads&r0to9, writes&r0to9
		if ins.IsHelperCall() {
			// A helper reads only the arguments it declares.
			if p, ok := v.helpers.Prototype(helpers.ID(ins.Imm)); ok {
				use[pc] = uint16(1<<(p.NumArgs()+1)-1) &^ 1
			}
		}
		switch {
		case ins.IsLdImm64():
			addEdge(pc, pc+2)
			pc++
			continue
		case !ins.Op.Class().IsJump():
		case ins.Op.JumpOp() == isa.Exit:
			continue
		case ins.Op.JumpOp() == isa.Ja:
			addEdge(pc, ins.JumpTarget(pc))
			continue
		case ins.Op.JumpOp() != isa.Call:
			addEdge(pc, ins.JumpTarget(pc))
		}
		// Fall through, unless into the next function.
		if pc+1 < n && v.subprogOf[pc+1] == v.subprogOf[pc] {
			addEdge(pc, pc+1)
		}
	}
	// Predecessor lists in one array: preds of pc are
	// predList[predStart[pc]:predStart[pc+1]].
	predStart := make([]int32, n+1)
	for _, e := range edges {
		predStart[e.to+1]++
	}
	for i := 1; i <= n; i++ {
		predStart[i] += predStart[i-1]
	}
	predList := make([]int32, len(edges))
	fill := append([]int32(nil), predStart[:n]...)
	for _, e := range edges {
		predList[fill[e.to]] = e.from
		fill[e.to]++
	}
	live := make([]uint16, n)
	work := make([]int32, 0, n)
	inWork := make([]bool, n)
	for pc := n - 1; pc >= 0; pc-- {
		work = append(work, int32(pc))
		inWork[pc] = true
	}
	// succLive[pc] is the union of live-in of successors, rebuilt from
	// predecessor pushes.
	out := make([]uint16, n)
	for len(work) > 0 {
		pc := work[len(work)-1]
		work = work[:len(work)-1]
		inWork[pc] = false
		in := use[pc] | out[pc]&^def[pc]
		if in == live[pc] {
			continue
		}
		live[pc] = in
		for _, p := range predList[predStart[pc]:predStart[pc+1]] {
			if nout := out[p] | in; nout != out[p] {
				out[p] = nout
				if !inWork[p] {
					inWork[p] = true
					work = append(work, p)
				}
			}
		}
	}
	v.live = live
}

func (v *verifier) errorf(insn int, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	v.log.printf("%s\n", msg)
	return &Error{Insn: insn, Msg: msg}
}

// succ calls fn with each successor of pc inside its function: a call
// continues at the next instruction.
func (v *verifier) succ(pc int, fn func(int)) {
	ins := v.prog[pc]
	if ins.IsLdImm64() {
		fn(pc + 2)
		return
	}
	c := ins.Op.Class()
	if c == isa.ClassJMP || c == isa.ClassJMP32 {
		switch ins.Op.JumpOp() {
		case isa.Exit:
			return
		case isa.Ja:
			fn(ins.JumpTarget(pc))
			return
		case isa.Call:
		default:
			fn(ins.JumpTarget(pc))
		}
	}
	if pc+1 < len(v.prog) && v.subprogOf[pc+1] == v.subprogOf[pc] {
		fn(pc + 1)
	}
}

// mayPointers finds, for every instruction, the registers that may hold a
// pointer when it runs, over-approximated: the context and frame pointer
// at a function's entry (every argument in a subprogram), map and
// function loads, whatever a load, a call or a fetching atomic leaves, and
// 64-bit additions and subtractions with a pointer operand. Other
// arithmetic on a pointer is refused or gives a number.
func (v *verifier) mayPointers() []uint16 {
	insns := v.prog
	n := len(insns)
	bit := func(r isa.Register) uint16 {
		if r > 10 {
			return 0
		}
		return 1 << r
	}
	in := make([]uint16, n)
	seen := make([]bool, n)
	var work []int
	enter := func(pc int, m uint16) {
		if pc >= n {
			return
		}
		if nm := in[pc] | m; !seen[pc] || nm != in[pc] {
			in[pc], seen[pc] = nm, true
			work = append(work, pc)
		}
	}
	for i, start := range v.subprogs {
		m := bit(isa.R1) | bit(isa.R10)
		if i > 0 {
			m |= bit(isa.R1) | bit(isa.R2) | bit(isa.R3) | bit(isa.R4) | bit(isa.R5)
		}
		enter(start, m)
	}
	for len(work) > 0 {
		pc := work[len(work)-1]
		work = work[:len(work)-1]
		m := in[pc]
		ins := insns[pc]
		c := ins.Op.Class()
		switch {
		case ins.IsLdImm64():
			m &^= bit(ins.Dst)
			if ins.Src != isa.PseudoImm {
				m |= bit(ins.Dst)
			}
		case c == isa.ClassLD:
			m = m&^0x3f | bit(isa.R0)
		case c == isa.ClassLDX:
			m |= bit(ins.Dst)
		case c == isa.ClassSTX && ins.Op.Mode() == isa.ModeATOMIC:
			m |= bit(isa.R0) | bit(ins.Src)
		case c.IsALU():
			op := ins.Op.ALUOp()
			switch {
			case op == isa.Mov && ins.Op.Source() == isa.SourceX && c == isa.ClassALU64 && ins.Off == 0:
				m = m&^bit(ins.Dst) | (m&bit(ins.Src))>>ins.Src<<ins.Dst
			case (op == isa.Add || op == isa.Sub) && c == isa.ClassALU64:
				if ins.Op.Source() == isa.SourceX && m&bit(ins.Src) != 0 {
					m |= bit(ins.Dst)
				}
			default:
				m &^= bit(ins.Dst)
			}
		case (c == isa.ClassJMP || c == isa.ClassJMP32) && ins.Op.JumpOp() == isa.Call:
			m = m&^0x3f | bit(isa.R0)
		}
		v.succ(pc, func(s int) { enter(s, m) })
	}
	return in
}

// computePrecision finds, for every instruction, the registers whose exact
// value may matter for the safety of some path from it: values that flow
// into a branch condition, a memory access address, a helper argument, an
// operand of pointer arithmetic, a store (which may be a spill read back
// later) or a checked return value. Pruning compares only these scalars
// exactly; the others only need to be scalars. This is a static stand-in
// for the kernel's precision marking (mark_chain_precision).
func (v *verifier) computePrecision() {
	insns := v.prog
	n := len(insns)
	ptrs := v.mayPointers()
	bit := func(r isa.Register) uint16 {
		if r >= 10 {
			return 0
		}
		return 1 << r
	}
	// transfer computes needed-in from needed-out for instruction pc.
	transfer := func(pc int, out uint16) uint16 {
		ins := insns[pc]
		c := ins.Op.Class()
		switch {
		case ins.IsLdImm64():
			return out &^ bit(ins.Dst)
		case c == isa.ClassLD:
			in := out&^0x3f | 1<<6
			if ins.Op.Mode() == isa.ModeIND {
				in |= bit(ins.Src)
			}
			return in
		case c == isa.ClassLDX:
			return out&^bit(ins.Dst) | bit(ins.Src)
		case c == isa.ClassST:
			return out | bit(ins.Dst)
		case c == isa.ClassSTX:
			in := out | bit(ins.Dst) | bit(ins.Src)
			if ins.Op.Mode() == isa.ModeATOMIC && isa.AtomicOp(ins.Imm) == isa.AtomicCmpXchg {
				in |= 1
			}
			return in
		case c.IsALU():
			op := ins.Op.ALUOp()
			src := uint16(0)
			if ins.Op.Source() == isa.SourceX && op != isa.End && op != isa.Neg {
				src = bit(ins.Src)
			}
			if op == isa.Mov {
				if out&bit(ins.Dst) != 0 {
					return out&^bit(ins.Dst) | src
				}
				return out &^ bit(ins.Dst)
			}
			if (op == isa.Add || op == isa.Sub) && c == isa.ClassALU64 && src != 0 &&
				ptrs[pc]&(bit(ins.Dst)|src) != 0 {
				// Pointer arithmetic, perhaps: the scalar operand
				// bounds the pointer's offset and is always needed.
				return out | src | bit(ins.Dst)
			}
			// Arithmetic on numbers: its operands matter only if its
			// result does.
			if out&bit(ins.Dst) == 0 {
				return out
			}
			return out | src | bit(ins.Dst)
		}
		switch ins.Op.JumpOp() {
		case isa.Exit:
			if v.subprogOf[pc] != 0 || v.info.RetChecked {
				return 1
			}
			return 0
		case isa.Call:
			return out&^0x3f | 0x3e
		case isa.Ja:
			return out
		}
		in := out | bit(ins.Dst)
		if ins.Op.Source() == isa.SourceX {
			in |= bit(ins.Src)
		}
		return in
	}
	succ := v.succ
	need := make([]uint16, n)
	changed := true
	for changed {
		changed = false
		for pc := n - 1; pc >= 0; pc-- {
			if pc > 0 && insns[pc-1].IsLdImm64() {
				continue
			}
			var out uint16
			succ(pc, func(s int) {
				if s < n {
					out |= need[s]
				}
			})
			if in := transfer(pc, out); in != need[pc] {
				need[pc] = in
				changed = true
			}
		}
	}
	v.needed = need
}
