package amd64

import "github.com/gbpf/gbpf/isa"

// Budget charges. A charge point is an instruction that subtracts from
// the countdown: a backward jump (taken or not) or a local call; every
// cycle of the control flow passes through one. The charge of a backward
// jump is the fewest instructions that can run since the previous charge
// point: the length of the shortest path that reaches it from a function
// entry or from the successor of another charge point without crossing one,
// found by a breadth-first search backwards. Function entries are slot 0,
// the targets of local calls and of lddw of functions, and every slot that
// nothing jumps or falls into: engine.Env.CallFunc may enter a callback
// there even when a loader has turned its lddw into a plain constant. So
// the sum of the charges never exceeds the instructions that ran, and a run
// that executes at most env.Budget instructions never fails with
// engine.ErrBudget. A local call charges one, unless it is inlined (which
// charges nothing, and counts as one instruction on its caller's path). The
// search gives up (charging one) after maxWeightSearch slots.

const maxWeightSearch = 1024

// chargeWeights works out the charge of every backward jump.
func (c *compiler) chargeWeights() {
	n := len(c.insns)
	c.weights = make([]int32, n)
	charge := make([]bool, n)
	entry := make([]bool, n)
	entry[0] = true
	// Predecessor lists in compressed form: preds[start[x]:start[x+1]].
	count := make([]int32, n+1)
	var edges [][2]int32
	addEdge := func(from, to int) {
		if to >= 0 && to < n {
			edges = append(edges, [2]int32{int32(from), int32(to)})
			count[to+1]++
		}
	}
	for pc := 0; pc < n; pc++ {
		ins := c.insns[pc]
		next := pc + 1
		if ins.IsLdImm64() {
			next++
		}
		cls := ins.Op.Class()
		switch {
		case ins.IsLdImm64() && ins.Src == isa.PseudoFunc:
			entry[ins.JumpTarget(pc)] = true
			addEdge(pc, next)
		case !cls.IsJump():
			addEdge(pc, next)
		case ins.IsLocalCall():
			// An inlined call is not a charge point: it cannot recurse.
			charge[pc] = c.funcs.inlined[ins.JumpTarget(pc)] == 0
			entry[ins.JumpTarget(pc)] = true
			addEdge(pc, next)
		case ins.Op.JumpOp() == isa.Call:
			addEdge(pc, next)
		case ins.Op.JumpOp() == isa.Exit:
		default:
			t := ins.JumpTarget(pc)
			charge[pc] = t <= pc
			addEdge(pc, t)
			if ins.Op.JumpOp() != isa.Ja {
				addEdge(pc, next)
			}
		}
		if ins.IsLdImm64() {
			pc++
		}
	}
	for pc := 0; pc < n; pc++ {
		if count[pc+1] == 0 {
			entry[pc] = true // no predecessor: only a callback starts here
		}
	}
	for i := 1; i <= n; i++ {
		count[i] += count[i-1]
	}
	preds := make([]int32, len(edges))
	fill := make([]int32, n)
	for _, e := range edges {
		preds[count[e[1]]+fill[e[1]]] = e[0]
		fill[e[1]]++
	}

	seen := make([]int32, n) // search number + 1 that visited the slot
	type node struct{ slot, dist int }
	var queue []node
	for pc := 0; pc < n; pc++ {
		if !charge[pc] || c.insns[pc].IsLocalCall() {
			// A local call charges one; an inlined one is no charge point.
			continue
		}
		weight := 1
		queue = append(queue[:0], node{pc, 1})
		seen[pc] = int32(pc + 1)
	search:
		for head := 0; head < len(queue) && head < maxWeightSearch; head++ {
			x := queue[head]
			if entry[x.slot] {
				weight = x.dist
				break
			}
			for _, q := range preds[count[x.slot]:count[x.slot+1]] {
				if charge[q] {
					// x can be the first instruction after a charge.
					weight = x.dist
					break search
				}
				if seen[q] != int32(pc+1) {
					seen[q] = int32(pc + 1)
					queue = append(queue, node{int(q), x.dist + 1})
				}
			}
		}
		c.weights[pc] = int32(weight)
	}
}
