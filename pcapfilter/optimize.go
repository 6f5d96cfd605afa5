package pcapfilter

import (
	"errors"
	"math/bits"

	"github.com/gbpf/gbpf/cbpf"
)

// The optimiser follows libpcap's optimize.c: value numbering with
// constant propagation inside blocks, peephole rewrites, dead store
// elimination, jump threading along dominating edges, and/or pull-ups,
// and finally merging of identical blocks. It must make the same
// decisions in the same order for the listing to equal tcpdump's.

const valUnknown = 0

const axAtom = nAtoms

type valKey struct {
	code   int
	v0, v1 uint32
}

type vmapInfo struct {
	isConst  bool
	constVal uint32
}

type optState struct {
	done                       bool
	nonBranchMovementPerformed bool
	blocks                     []*block
	edges                      []*edge
	levels                     []*block
	nodewords, edgewords       int
	hash                       map[valKey]uint32
	curval                     uint32
	vmap                       []vmapInfo
}

type optError struct{ msg string }

func (o *optState) fail(msg string) { panic(optError{msg}) }

// optimize runs libpcap's optimiser on the flow graph.
func optimize(ic *icode) (err error) {
	defer func() {
		if r := recover(); r != nil {
			oe, ok := r.(optError)
			if !ok {
				panic(r)
			}
			err = errors.New(oe.msg)
		}
	}()
	o := &optState{}
	o.init(ic)
	o.loop(ic, false)
	o.loop(ic, true)
	o.internBlocks(ic)
	optRoot(&ic.root)
	return nil
}

func (o *optState) init(ic *icode) {
	ic.unMarkAll()
	o.blocks = nil
	o.numberBlocks(ic, ic.root)
	n := len(o.blocks)
	o.edges = make([]*edge, 2*n)
	o.levels = make([]*block, n)
	o.edgewords = 2*n/32 + 1
	o.nodewords = n/32 + 1
	for i, b := range o.blocks {
		b.dom = make(bitset, o.nodewords)
		b.et.edom = make(bitset, o.edgewords)
		b.ef.edom = make(bitset, o.edgewords)
		b.et.id = i
		o.edges[i] = &b.et
		b.ef.id = n + i
		o.edges[n+i] = &b.ef
		b.et.pred = b
		b.ef.pred = b
	}
}

func (o *optState) numberBlocks(ic *icode, p *block) {
	if p == nil || ic.isMarked(p) {
		return
	}
	ic.mark(p)
	p.id = len(o.blocks)
	o.blocks = append(o.blocks, p)
	o.numberBlocks(ic, jt(p))
	o.numberBlocks(ic, jf(p))
}

func (o *optState) loop(ic *icode, doStmts bool) {
	loopCount := 0
	for {
		o.done = true
		o.nonBranchMovementPerformed = false
		o.findLevels(ic)
		o.findDom(ic.root)
		o.findUD(ic.root)
		o.findEdom(ic.root)
		o.optBlks(ic, doStmts)
		if o.done {
			break
		}
		if o.nonBranchMovementPerformed {
			loopCount = 0
		} else {
			loopCount++
			if loopCount >= 100 {
				o.done = true
				break
			}
		}
	}
}

func (o *optState) findLevelsR(ic *icode, b *block) {
	if ic.isMarked(b) {
		return
	}
	ic.mark(b)
	b.link = nil
	level := 0
	if jt(b) != nil {
		o.findLevelsR(ic, jt(b))
		o.findLevelsR(ic, jf(b))
		level = max(jt(b).level, jf(b).level) + 1
	}
	b.level = level
	b.link = o.levels[level]
	o.levels[level] = b
}

func (o *optState) findLevels(ic *icode) {
	clear(o.levels)
	ic.unMarkAll()
	o.findLevelsR(ic, ic.root)
}

func (o *optState) findDom(root *block) {
	for _, b := range o.blocks {
		b.dom.fill()
	}
	root.dom.zero()
	for level := root.level; level >= 0; level-- {
		for b := o.levels[level]; b != nil; b = b.link {
			b.dom.set(b.id)
			if jt(b) == nil {
				continue
			}
			jt(b).dom.and(b.dom)
			jf(b).dom.and(b.dom)
		}
	}
}

func propedom(ep *edge) {
	ep.edom.set(ep.id)
	if ep.succ != nil {
		ep.succ.et.edom.and(ep.edom)
		ep.succ.ef.edom.and(ep.edom)
	}
}

func (o *optState) findEdom(root *block) {
	for _, e := range o.edges {
		e.edom.fill()
	}
	root.et.edom.zero()
	root.ef.edom.zero()
	for level := root.level; level >= 0; level-- {
		for b := o.levels[level]; b != nil; b = b.link {
			propedom(&b.et)
			propedom(&b.ef)
		}
	}
}

func atomuse(s *stmt) int {
	c := s.code
	if c == nop {
		return -1
	}
	switch cbpf.Class(uint16(c)) {
	case cbpf.ClassRET:
		switch cbpf.RVal(uint16(c)) {
		case cbpf.SrcA:
			return aAtom
		case cbpf.SrcX:
			return xAtom
		}
		return -1
	case cbpf.ClassLD, cbpf.ClassLDX:
		switch cbpf.Mode(uint16(c)) {
		case cbpf.ModeIND:
			return xAtom
		case cbpf.ModeMEM:
			return int(s.k)
		}
		return -1
	case cbpf.ClassST:
		return aAtom
	case cbpf.ClassSTX:
		return xAtom
	case cbpf.ClassJMP, cbpf.ClassALU:
		if cbpf.Src(uint16(c)) == cbpf.SrcX {
			return axAtom
		}
		return aAtom
	case cbpf.ClassMISC:
		if cbpf.MiscOp(uint16(c)) == cbpf.MiscTXA {
			return xAtom
		}
		return aAtom
	}
	return -1
}

func atomdef(s *stmt) int {
	if s.code == nop {
		return -1
	}
	switch cbpf.Class(uint16(s.code)) {
	case cbpf.ClassLD, cbpf.ClassALU:
		return aAtom
	case cbpf.ClassLDX:
		return xAtom
	case cbpf.ClassST, cbpf.ClassSTX:
		return int(s.k)
	case cbpf.ClassMISC:
		if cbpf.MiscOp(uint16(s.code)) == cbpf.MiscTAX {
			return xAtom
		}
		return aAtom
	}
	return -1
}

func addUse(atom int, def atomset, use *atomset) {
	if atom < 0 {
		return
	}
	if atom == axAtom {
		if !def.has(xAtom) {
			*use |= atomMask(xAtom)
		}
		if !def.has(aAtom) {
			*use |= atomMask(aAtom)
		}
	} else if atom < nAtoms && !def.has(atom) {
		*use |= atomMask(atom)
	}
}

func computeLocalUD(b *block) {
	var def, use, killed atomset
	for s := b.stmts; s != nil; s = s.next {
		if s.s.code == nop {
			continue
		}
		addUse(atomuse(&s.s), def, &use)
		if atom := atomdef(&s.s); atom >= 0 {
			if !use.has(atom) {
				killed |= atomMask(atom)
			}
			def |= atomMask(atom)
		}
	}
	if cbpf.Class(uint16(b.s.code)) == cbpf.ClassJMP {
		addUse(atomuse(&b.s), def, &use)
	}
	b.def, b.kill, b.inUse = def, killed, use
}

func (o *optState) findUD(root *block) {
	maxlevel := root.level
	for i := maxlevel; i >= 0; i-- {
		for p := o.levels[i]; p != nil; p = p.link {
			computeLocalUD(p)
			p.outUse = 0
		}
	}
	for i := 1; i <= maxlevel; i++ {
		for p := o.levels[i]; p != nil; p = p.link {
			p.outUse |= jt(p).inUse | jf(p).inUse
			p.inUse |= p.outUse &^ p.kill
		}
	}
}

func (o *optState) initVal() {
	o.curval = 0
	o.hash = make(map[valKey]uint32)
	o.vmap = o.vmap[:0]
	o.vmap = append(o.vmap, vmapInfo{})
}

// f returns the value number of an operation on operands.
func (o *optState) f(code int, v0, v1 uint32) uint32 {
	key := valKey{code, v0, v1}
	if v, ok := o.hash[key]; ok {
		return v
	}
	o.curval++
	val := o.curval
	info := vmapInfo{}
	if cbpf.Mode(uint16(code)) == cbpf.ModeIMM && (cbpf.Class(uint16(code)) == cbpf.ClassLD || cbpf.Class(uint16(code)) == cbpf.ClassLDX) {
		info = vmapInfo{isConst: true, constVal: v0}
	}
	o.vmap = append(o.vmap, info)
	o.hash[key] = val
	return val
}

func (o *optState) k(i uint32) uint32 { return o.f(cbpf.ClassLD|cbpf.ModeIMM|cbpf.SizeW, i, 0) }

func vstore(s *stmt, valp *uint32, newval uint32, alter bool) {
	if alter && newval != valUnknown && *valp == newval {
		s.code = nop
	} else {
		*valp = newval
	}
}

func (o *optState) changed() {
	o.nonBranchMovementPerformed = true
	o.done = false
}

func (o *optState) foldOp(s *stmt, v0, v1 uint32) {
	a := o.vmap[v0].constVal
	b := o.vmap[v1].constVal
	switch cbpf.Op(uint16(s.code)) {
	case cbpf.AluADD:
		a += b
	case cbpf.AluSUB:
		a -= b
	case cbpf.AluMUL:
		a *= b
	case cbpf.AluDIV:
		if b == 0 {
			o.fail("division by zero")
		}
		a /= b
	case cbpf.AluMOD:
		if b == 0 {
			o.fail("modulus by zero")
		}
		a %= b
	case cbpf.AluAND:
		a &= b
	case cbpf.AluOR:
		a |= b
	case cbpf.AluXOR:
		a ^= b
	case cbpf.AluLSH:
		if b < 32 {
			a <<= b
		} else {
			a = 0
		}
	case cbpf.AluRSH:
		if b < 32 {
			a >>= b
		} else {
			a = 0
		}
	}
	s.k = a
	s.code = cbpf.ClassLD | cbpf.ModeIMM
	o.changed()
}

func thisOp(s *slist) *slist {
	for s != nil && s.s.code == nop {
		s = s.next
	}
	return s
}

func optNot(b *block) {
	b.et.succ, b.ef.succ = b.ef.succ, b.et.succ
}

func (o *optState) peep(b *block) {
	s := b.stmts
	if s == nil {
		return
	}
	last := s
	var next *slist
	for ; ; s = next {
		s = thisOp(s)
		if s == nil {
			break
		}
		next = thisOp(s.next)
		if next == nil {
			break
		}
		last = next
		if s.s.code == cbpf.ClassST && next.s.code == cbpf.ClassLDX|cbpf.ModeMEM && s.s.k == next.s.k {
			o.changed()
			next.s.code = cbpf.ClassMISC | cbpf.MiscTAX
		}
		if s.s.code == cbpf.ClassLD|cbpf.ModeIMM && next.s.code == cbpf.ClassMISC|cbpf.MiscTAX {
			s.s.code = cbpf.ClassLDX | cbpf.ModeIMM
			next.s.code = cbpf.ClassMISC | cbpf.MiscTXA
			o.changed()
		}
		if s.s.code == cbpf.ClassLD|cbpf.ModeIMM {
			if b.outUse.has(xAtom) {
				continue
			}
			var add *slist
			if next.s.code != cbpf.ClassLDX|cbpf.ModeMSH|cbpf.SizeB {
				add = next
			} else {
				add = thisOp(next.next)
			}
			if add == nil || add.s.code != cbpf.ClassALU|cbpf.AluADD|cbpf.SrcX {
				continue
			}
			tax := thisOp(add.next)
			if tax == nil || tax.s.code != cbpf.ClassMISC|cbpf.MiscTAX {
				continue
			}
			ild := thisOp(tax.next)
			if ild == nil || cbpf.Class(uint16(ild.s.code)) != cbpf.ClassLD || cbpf.Mode(uint16(ild.s.code)) != cbpf.ModeIND {
				continue
			}
			ild.s.k += s.s.k
			s.s.code = nop
			add.s.code = nop
			tax.s.code = nop
			o.changed()
		}
	}
	if b.s.code == cbpf.ClassJMP|cbpf.JmpJEQ|cbpf.SrcK && !b.outUse.has(aAtom) {
		if last.s.code == cbpf.ClassALU|cbpf.AluSUB|cbpf.SrcX {
			val := b.val[xAtom]
			if o.vmap[val].isConst {
				b.s.k += o.vmap[val].constVal
				last.s.code = nop
				o.changed()
			} else if b.s.k == 0 {
				last.s.code = nop
				b.s.code = cbpf.ClassJMP | cbpf.JmpJEQ | cbpf.SrcX
				o.changed()
			}
		} else if last.s.code == cbpf.ClassALU|cbpf.AluSUB|cbpf.SrcK {
			last.s.code = nop
			b.s.k += last.s.k
			o.changed()
		} else if last.s.code == cbpf.ClassALU|cbpf.AluAND|cbpf.SrcK && b.s.k == 0 {
			b.s.k = last.s.k
			b.s.code = cbpf.ClassJMP | cbpf.SrcK | cbpf.JmpJSET
			last.s.code = nop
			o.changed()
			optNot(b)
		}
	}
	if b.s.code == cbpf.ClassJMP|cbpf.SrcK|cbpf.JmpJSET {
		if b.s.k == 0 {
			setJT(b, jf(b))
		}
		if b.s.k == 0xffffffff {
			setJF(b, jt(b))
		}
	}
	val := b.val[xAtom]
	if o.vmap[val].isConst && cbpf.Src(uint16(b.s.code)) == cbpf.SrcX {
		b.s.code &^= cbpf.SrcX
		b.s.k = o.vmap[val].constVal
	}
	val = b.val[aAtom]
	if o.vmap[val].isConst && cbpf.Src(uint16(b.s.code)) == cbpf.SrcK {
		v := o.vmap[val].constVal
		var r bool
		switch cbpf.Op(uint16(b.s.code)) {
		case cbpf.JmpJEQ:
			r = v == b.s.k
		case cbpf.JmpJGT:
			r = v > b.s.k
		case cbpf.JmpJGE:
			r = v >= b.s.k
		case cbpf.JmpJSET:
			r = v&b.s.k != 0
		default:
			o.fail("internal error: bad branch opcode")
		}
		if jf(b) != jt(b) {
			o.changed()
		}
		if r {
			setJF(b, jt(b))
		} else {
			setJT(b, jf(b))
		}
	}
}

func (o *optState) stmt(s *stmt, val *[nAtoms]uint32, alter bool) {
	switch s.code {
	case cbpf.ClassLD | cbpf.ModeABS | cbpf.SizeW, cbpf.ClassLD | cbpf.ModeABS | cbpf.SizeH, cbpf.ClassLD | cbpf.ModeABS | cbpf.SizeB:
		v := o.f(s.code, s.k, 0)
		vstore(s, &val[aAtom], v, alter)
	case cbpf.ClassLD | cbpf.ModeIND | cbpf.SizeW, cbpf.ClassLD | cbpf.ModeIND | cbpf.SizeH, cbpf.ClassLD | cbpf.ModeIND | cbpf.SizeB:
		v := val[xAtom]
		if alter && o.vmap[v].isConst {
			s.code = cbpf.ClassLD | cbpf.ModeABS | int(cbpf.Size(uint16(s.code)))
			s.k += o.vmap[v].constVal
			v = o.f(s.code, s.k, 0)
			o.changed()
		} else {
			v = o.f(s.code, s.k, v)
		}
		vstore(s, &val[aAtom], v, alter)
	case cbpf.ClassLD | cbpf.ModeLEN:
		v := o.f(s.code, 0, 0)
		vstore(s, &val[aAtom], v, alter)
	case cbpf.ClassLD | cbpf.ModeIMM:
		vstore(s, &val[aAtom], o.k(s.k), alter)
	case cbpf.ClassLDX | cbpf.ModeIMM:
		vstore(s, &val[xAtom], o.k(s.k), alter)
	case cbpf.ClassLDX | cbpf.ModeMSH | cbpf.SizeB:
		v := o.f(s.code, s.k, 0)
		vstore(s, &val[xAtom], v, alter)
	case cbpf.ClassALU | cbpf.AluNEG:
		if alter && o.vmap[val[aAtom]].isConst {
			s.code = cbpf.ClassLD | cbpf.ModeIMM
			s.k = 0 - o.vmap[val[aAtom]].constVal
			val[aAtom] = o.k(s.k)
		} else {
			val[aAtom] = o.f(s.code, val[aAtom], 0)
		}
	case cbpf.ClassALU | cbpf.AluADD | cbpf.SrcK, cbpf.ClassALU | cbpf.AluSUB | cbpf.SrcK,
		cbpf.ClassALU | cbpf.AluMUL | cbpf.SrcK, cbpf.ClassALU | cbpf.AluDIV | cbpf.SrcK,
		cbpf.ClassALU | cbpf.AluMOD | cbpf.SrcK, cbpf.ClassALU | cbpf.AluAND | cbpf.SrcK,
		cbpf.ClassALU | cbpf.AluOR | cbpf.SrcK, cbpf.ClassALU | cbpf.AluXOR | cbpf.SrcK,
		cbpf.ClassALU | cbpf.AluLSH | cbpf.SrcK, cbpf.ClassALU | cbpf.AluRSH | cbpf.SrcK:
		op := cbpf.Op(uint16(s.code))
		if alter {
			if s.k == 0 {
				switch op {
				case cbpf.AluADD, cbpf.AluLSH, cbpf.AluRSH, cbpf.AluOR, cbpf.AluXOR:
					s.code = nop
					return
				case cbpf.AluMUL, cbpf.AluAND:
					s.code = cbpf.ClassLD | cbpf.ModeIMM
					val[aAtom] = o.k(s.k)
					return
				case cbpf.AluDIV:
					o.fail("division by zero")
				case cbpf.AluMOD:
					o.fail("modulus by zero")
				}
			}
			if o.vmap[val[aAtom]].isConst {
				o.foldOp(s, val[aAtom], o.k(s.k))
				val[aAtom] = o.k(s.k)
				return
			}
		}
		val[aAtom] = o.f(s.code, val[aAtom], o.k(s.k))
	case cbpf.ClassALU | cbpf.AluADD | cbpf.SrcX, cbpf.ClassALU | cbpf.AluSUB | cbpf.SrcX,
		cbpf.ClassALU | cbpf.AluMUL | cbpf.SrcX, cbpf.ClassALU | cbpf.AluDIV | cbpf.SrcX,
		cbpf.ClassALU | cbpf.AluMOD | cbpf.SrcX, cbpf.ClassALU | cbpf.AluAND | cbpf.SrcX,
		cbpf.ClassALU | cbpf.AluOR | cbpf.SrcX, cbpf.ClassALU | cbpf.AluXOR | cbpf.SrcX,
		cbpf.ClassALU | cbpf.AluLSH | cbpf.SrcX, cbpf.ClassALU | cbpf.AluRSH | cbpf.SrcX:
		op := cbpf.Op(uint16(s.code))
		if alter && o.vmap[val[xAtom]].isConst {
			if o.vmap[val[aAtom]].isConst {
				o.foldOp(s, val[aAtom], val[xAtom])
				val[aAtom] = o.k(s.k)
			} else {
				s.code = cbpf.ClassALU | cbpf.SrcK | int(op)
				s.k = o.vmap[val[xAtom]].constVal
				if (op == cbpf.AluLSH || op == cbpf.AluRSH) && s.k > 31 {
					o.fail("shift by more than 31 bits")
				}
				o.changed()
				val[aAtom] = o.f(s.code, val[aAtom], o.k(s.k))
			}
			return
		}
		if alter && o.vmap[val[aAtom]].isConst && o.vmap[val[aAtom]].constVal == 0 {
			switch op {
			case cbpf.AluADD, cbpf.AluOR, cbpf.AluXOR:
				s.code = cbpf.ClassMISC | cbpf.MiscTXA
				vstore(s, &val[aAtom], val[xAtom], alter)
				return
			case cbpf.AluMUL, cbpf.AluDIV, cbpf.AluMOD, cbpf.AluAND, cbpf.AluLSH, cbpf.AluRSH:
				s.code = cbpf.ClassLD | cbpf.ModeIMM
				s.k = 0
				vstore(s, &val[aAtom], o.k(s.k), alter)
				return
			}
		}
		val[aAtom] = o.f(s.code, val[aAtom], val[xAtom])
	case cbpf.ClassMISC | cbpf.MiscTXA:
		vstore(s, &val[aAtom], val[xAtom], alter)
	case cbpf.ClassLD | cbpf.ModeMEM, cbpf.ClassLDX | cbpf.ModeMEM:
		// A load of a scratch slot that holds a known constant becomes
		// an immediate load of it, into A or X alike.
		class := int(cbpf.Class(uint16(s.code)))
		dst := &val[aAtom]
		if class == cbpf.ClassLDX {
			dst = &val[xAtom]
		}
		v := val[s.k]
		if alter && o.vmap[v].isConst {
			s.code = class | cbpf.ModeIMM
			s.k = o.vmap[v].constVal
			o.changed()
		}
		vstore(s, dst, v, alter)
	case cbpf.ClassMISC | cbpf.MiscTAX:
		vstore(s, &val[xAtom], val[aAtom], alter)
	case cbpf.ClassST:
		vstore(s, &val[s.k], val[aAtom], alter)
	case cbpf.ClassSTX:
		vstore(s, &val[s.k], val[xAtom], alter)
	}
}

func (o *optState) deadstmt(s *stmt, last *[nAtoms]*stmt) {
	if atom := atomuse(s); atom >= 0 {
		if atom == axAtom {
			last[xAtom] = nil
			last[aAtom] = nil
		} else {
			last[atom] = nil
		}
	}
	if atom := atomdef(s); atom >= 0 {
		if last[atom] != nil {
			o.changed()
			last[atom].code = nop
		}
		last[atom] = s
	}
}

func (o *optState) deadstores(b *block) {
	var last [nAtoms]*stmt
	for s := b.stmts; s != nil; s = s.next {
		o.deadstmt(&s.s, &last)
	}
	o.deadstmt(&b.s, &last)
	for atom := 0; atom < nAtoms; atom++ {
		if last[atom] != nil && !b.outUse.has(atom) {
			last[atom].code = nop
			o.changed()
		}
	}
}

func (o *optState) blk(b *block, doStmts bool) {
	p := b.inEdges
	if p == nil {
		b.val = [nAtoms]uint32{}
	} else {
		b.val = p.pred.val
		for p = p.next; p != nil; p = p.next {
			for i := 0; i < nAtoms; i++ {
				if b.val[i] != p.pred.val[i] {
					b.val[i] = 0
				}
			}
		}
	}
	aval := b.val[aAtom]
	xval := b.val[xAtom]
	for s := b.stmts; s != nil; s = s.next {
		o.stmt(&s.s, &b.val, doStmts)
	}
	if doStmts && ((b.outUse == 0 && aval != valUnknown && b.val[aAtom] == aval &&
		xval != valUnknown && b.val[xAtom] == xval) ||
		cbpf.Class(uint16(b.s.code)) == cbpf.ClassRET) {
		if b.stmts != nil {
			b.stmts = nil
			o.changed()
		}
	} else {
		o.peep(b)
		o.deadstores(b)
	}
	if cbpf.Src(uint16(b.s.code)) == cbpf.SrcK {
		b.oval = o.k(b.s.k)
	} else {
		b.oval = b.val[xAtom]
	}
	b.et.code = b.s.code
	b.ef.code = -b.s.code
}

func useConflict(b, succ *block) bool {
	use := succ.outUse
	if use == 0 {
		return false
	}
	for atom := 0; atom < nAtoms; atom++ {
		if use.has(atom) && b.val[atom] != succ.val[atom] {
			return true
		}
	}
	return false
}

func foldEdge(child *block, ep *edge) *block {
	code := ep.code
	sense := true
	if code < 0 {
		code = -code
		sense = false
	}
	if child.s.code != code {
		return nil
	}
	aval0, oval0 := child.val[aAtom], child.oval
	aval1, oval1 := ep.pred.val[aAtom], ep.pred.oval
	if aval0 != aval1 {
		return nil
	}
	if oval0 == oval1 {
		if sense {
			return jt(child)
		}
		return jf(child)
	}
	if sense && code == cbpf.ClassJMP|cbpf.JmpJEQ|cbpf.SrcK {
		return jf(child)
	}
	return nil
}

func (o *optState) optJ(ep *edge) {
	if jt(ep.succ) == nil {
		return
	}
	if jt(ep.succ) == jf(ep.succ) {
		if !useConflict(ep.pred, jt(ep.succ)) {
			o.changed()
			ep.succ = jt(ep.succ)
		}
	}
top:
	for i := 0; i < o.edgewords; i++ {
		x := ep.edom[i]
		for x != 0 {
			k := bits.TrailingZeros32(x)
			x &^= 1 << uint(k)
			k += i * 32
			target := foldEdge(ep.succ, o.edges[k])
			if target != nil && !useConflict(ep.pred, target) {
				o.done = false
				ep.succ = target
				if jt(target) != nil {
					goto top
				}
				return
			}
		}
	}
}

// succSlot returns the jump field of the first in-edge's predecessor
// that leads to b.
func firstInSlot(b *block) **block {
	pred := b.inEdges.pred
	if jt(pred) == b {
		return &pred.et.succ
	}
	return &pred.ef.succ
}

// orPullup and andPullup move a comparison that repeats the value of the
// block's predecessors up a chain of blocks. They are mirror images: an
// "or" chain shares its true exit and links through false edges, an "and"
// chain shares its false exit and links through true edges.
func (o *optState) orPullup(b *block)  { o.pullup(b, jt, func(p *block) **block { return &p.ef.succ }) }
func (o *optState) andPullup(b *block) { o.pullup(b, jf, func(p *block) **block { return &p.et.succ }) }

// pullup does the work of orPullup and andPullup: exit gives the exit every
// block of the chain shares, link the edge the chain continues through.
func (o *optState) pullup(b *block, exit func(*block) *block, link func(*block) **block) {
	ep := b.inEdges
	if ep == nil {
		return
	}
	val := ep.pred.val[aAtom]
	for ep = ep.next; ep != nil; ep = ep.next {
		if val != ep.pred.val[aAtom] {
			return
		}
	}
	// inChain reports whether p continues the chain below b.
	inChain := func(p *block) bool { return p != nil && exit(p) == exit(b) && p.dom.has(b.id) }
	diffp := firstInSlot(b)
	atTop := true
	for {
		if !inChain(*diffp) {
			return
		}
		if (*diffp).val[aAtom] != val {
			break
		}
		diffp = link(*diffp)
		atTop = false
	}
	samep := link(*diffp)
	for {
		if !inChain(*samep) {
			return
		}
		if (*samep).val[aAtom] == val {
			break
		}
		samep = link(*samep)
	}
	pull := *samep
	*samep = *link(pull)
	*link(pull) = *diffp
	if atTop {
		for ep := b.inEdges; ep != nil; ep = ep.next {
			if jt(ep.pred) == b {
				setJT(ep.pred, pull)
			} else {
				setJF(ep.pred, pull)
			}
		}
	} else {
		*diffp = pull
	}
	o.done = false
}

func (o *optState) optBlks(ic *icode, doStmts bool) {
	o.initVal()
	maxlevel := ic.root.level
	o.findInedges(ic.root)
	for i := maxlevel; i >= 0; i-- {
		for p := o.levels[i]; p != nil; p = p.link {
			o.blk(p, doStmts)
		}
	}
	if doStmts {
		return
	}
	for i := 1; i <= maxlevel; i++ {
		for p := o.levels[i]; p != nil; p = p.link {
			o.optJ(&p.et)
			o.optJ(&p.ef)
		}
	}
	o.findInedges(ic.root)
	for i := 1; i <= maxlevel; i++ {
		for p := o.levels[i]; p != nil; p = p.link {
			o.orPullup(p)
			o.andPullup(p)
		}
	}
}

func linkInedge(parent *edge, child *block) {
	parent.next = child.inEdges
	child.inEdges = parent
}

func (o *optState) findInedges(root *block) {
	for _, b := range o.blocks {
		b.inEdges = nil
	}
	for level := root.level; level > 0; level-- {
		for b := o.levels[level]; b != nil; b = b.link {
			linkInedge(&b.et, jt(b))
			linkInedge(&b.ef, jf(b))
		}
	}
}

func optRoot(b **block) {
	s := (*b).stmts
	(*b).stmts = nil
	for cbpf.Class(uint16((*b).s.code)) == cbpf.ClassJMP && jt(*b) == jf(*b) {
		*b = jt(*b)
	}
	tmp := (*b).stmts
	if tmp != nil {
		if s == nil {
			s = tmp
		} else {
			sappend(s, tmp)
		}
	}
	(*b).stmts = s
	if cbpf.Class(uint16((*b).s.code)) == cbpf.ClassRET {
		(*b).stmts = nil
	}
}

func makeMarks(ic *icode, p *block) {
	if !ic.isMarked(p) {
		ic.mark(p)
		if cbpf.Class(uint16(p.s.code)) != cbpf.ClassRET {
			makeMarks(ic, jt(p))
			makeMarks(ic, jf(p))
		}
	}
}

func eqSlist(x, y *slist) bool {
	for {
		for x != nil && x.s.code == nop {
			x = x.next
		}
		for y != nil && y.s.code == nop {
			y = y.next
		}
		if x == nil {
			return y == nil
		}
		if y == nil {
			return false
		}
		if x.s.code != y.s.code || x.s.k != y.s.k {
			return false
		}
		x, y = x.next, y.next
	}
}

func eqBlk(b0, b1 *block) bool {
	return b0.s.code == b1.s.code && b0.s.k == b1.s.k && b0.et.succ == b1.et.succ &&
		b0.ef.succ == b1.ef.succ && eqSlist(b0.stmts, b1.stmts)
}

func (o *optState) internBlocks(ic *icode) {
	n := len(o.blocks)
	for {
		done := true
		for _, b := range o.blocks {
			b.link = nil
		}
		ic.unMarkAll()
		makeMarks(ic, ic.root)
		for i := n - 1; i != 0; {
			i--
			if !ic.isMarked(o.blocks[i]) {
				continue
			}
			for j := i + 1; j < n; j++ {
				if !ic.isMarked(o.blocks[j]) {
					continue
				}
				if eqBlk(o.blocks[i], o.blocks[j]) {
					if o.blocks[j].link != nil {
						o.blocks[i].link = o.blocks[j].link
					} else {
						o.blocks[i].link = o.blocks[j]
					}
					break
				}
			}
		}
		for _, p := range o.blocks {
			if jt(p) == nil {
				continue
			}
			if jt(p).link != nil {
				done = false
				setJT(p, jt(p).link)
			}
			if jf(p).link != nil {
				done = false
				setJF(p, jf(p).link)
			}
		}
		if done {
			break
		}
	}
}
