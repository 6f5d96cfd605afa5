package pcapfilter

import "github.com/gbpf/gbpf/cbpf"

// The intermediate form follows libpcap's: a flow graph of basic blocks,
// each a list of statements ending in a conditional jump. While the code
// is generated, the still unresolved exits of an expression are chained
// through their jump fields ("sense" tells which one), and gen_and /
// gen_or / backpatch resolve them.

// nop is the code of a deleted statement (libpcap's NOP).
const nop = -1

type stmt struct {
	code   int
	jt, jf *slist // block-local jump targets (unused by this generator)
	k      uint32
}

type slist struct {
	s    stmt
	next *slist
}

type edge struct {
	id   int
	code int
	edom bitset
	succ *block
	pred *block
	next *edge
}

type block struct {
	id      int
	stmts   *slist
	s       stmt
	mark    int
	longjt  int
	longjf  int
	level   int
	offset  int
	sense   bool
	et, ef  edge
	head    *block
	link    *block
	dom     bitset
	inEdges *edge
	def     atomset
	kill    atomset
	inUse   atomset
	outUse  atomset
	oval    uint32
	val     [nAtoms]uint32
}

func jt(b *block) *block { return b.et.succ }
func jf(b *block) *block { return b.ef.succ }

func setJT(b, t *block) { b.et.succ = t }
func setJF(b, t *block) { b.ef.succ = t }

func newStmt(code int, k uint32) *slist { return &slist{s: stmt{code: code, k: k}} }

func newBlock(code int) *block {
	b := &block{s: stmt{code: code}}
	b.head = b
	return b
}

func jmp(c int) int { return cbpf.ClassJMP | c | cbpf.SrcK }

// sappend appends s1 to the statement list s0.
func sappend(s0, s1 *slist) {
	for s0.next != nil {
		s0 = s0.next
	}
	s0.next = s1
}

// backpatch points every unresolved exit on list at target.
func backpatch(list, target *block) {
	for list != nil {
		var next *block
		if !list.sense {
			next = jt(list)
			setJT(list, target)
		} else {
			next = jf(list)
			setJF(list, target)
		}
		list = next
	}
}

// merge appends the exit list b1 to the exit list b0.
func merge(b0, b1 *block) {
	p := b0
	for {
		var nx *block
		if !p.sense {
			nx = jt(p)
		} else {
			nx = jf(p)
		}
		if nx == nil {
			break
		}
		p = nx
	}
	if !p.sense {
		setJT(p, b1)
	} else {
		setJF(p, b1)
	}
}

func genAnd(b0, b1 *block) {
	backpatch(b0, b1.head)
	b0.sense = !b0.sense
	b1.sense = !b1.sense
	merge(b1, b0)
	b1.sense = !b1.sense
	b1.head = b0.head
}

func genOr(b0, b1 *block) {
	b0.sense = !b0.sense
	backpatch(b0, b1.head)
	b0.sense = !b0.sense
	merge(b1, b0)
	b1.head = b0.head
}

func genNot(b *block) { b.sense = !b.sense }
