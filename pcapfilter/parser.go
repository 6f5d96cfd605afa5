package pcapfilter

import "github.com/gbpf/gbpf/cbpf"

// parser is a recursive-descent parser for libpcap's grammar. It builds an
// AST without side effects, so it may back up and try another
// alternative where libpcap's LALR parser would decide by lookahead.
type parser struct {
	toks []token
	i    int
	// done lists the primitives in the order they were completed, for
	// reporting their semantic errors ahead of a later syntax error, as
	// libpcap does (its parser generates code as it reduces).
	done []any
	// inHead is set while parsing the id of "head id", where a number
	// can only be an id.
	inHead bool
}

// complete records a finished primitive (a node or an arth).
func (p *parser) complete(x any) { p.done = append(p.done, x) }

// parseError aborts parsing; it carries the first error.
type parseError struct{ err *Error }

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekN(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) fail(t token) {
	if t.kind == tError && t.err != "" {
		panic(parseError{&Error{Offset: t.pos, Msg: t.err}})
	}
	panic(parseError{syntaxError(t.pos)})
}

func (p *parser) isPunct(c byte) bool {
	t := p.peek()
	return t.kind == tPunct && t.ch == c
}

func (p *parser) expectPunct(c byte) {
	if !p.isPunct(c) {
		p.fail(p.peek())
	}
	p.next()
}

// try runs f and reports whether it parsed; on failure the position is
// restored.
func (p *parser) try(f func()) (ok bool) {
	save, saveDone := p.i, len(p.done)
	defer func() {
		if r := recover(); r != nil {
			if _, isParse := r.(parseError); !isParse {
				panic(r)
			}
			p.i = save
			p.done = p.done[:saveDone]
			ok = false
		}
	}()
	f()
	return true
}

// parse parses a whole expression; an empty expression gives a nil node.
// On a syntax error it also returns the primitives completed before it.
func parse(expr string) (n node, done []any, err error) {
	p := &parser{toks: lex(expr)}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			n, done, err = nil, p.done, pe.err
		}
	}()
	// A lexical error anywhere is reported first, as the scanner would
	// when the parser reaches it; report it at its position.
	if p.peek().kind == tEOF {
		return nil, nil, nil
	}
	n, _ = p.expr(qerr)
	if p.peek().kind != tEOF {
		p.fail(p.peek())
	}
	return n, nil, nil
}

func isAndOr(t token) bool { return t.kind == tAnd || t.kind == tOr }

// isTermEnd reports whether t may follow a complete term.
func isTermEnd(t token) bool {
	return isAndOr(t) || t.kind == tEOF || (t.kind == tPunct && t.ch == ')')
}

// expr: term | expr and term | expr and id | expr or term | expr or id.
func (p *parser) expr(ctx qual) (node, qual) {
	n, q := p.term(ctx)
	for isAndOr(p.peek()) {
		op := p.next()
		var r node
		var rq qual
		save, saveDone := p.i, len(p.done)
		if p.try(func() { r, rq = p.id(q) }) {
			if isTermEnd(p.peek()) {
				n = &nBin{and: op.kind == tAnd, l: n, r: r, pos: op.pos}
				q = rq
				continue
			}
			// Not an id after all, or an id followed by an error: the
			// id's primitives were complete (libpcap reduces them
			// before it sees the error), so keep them if the
			// alternative fails too.
			idEnd, idDone := p.i, append([]any(nil), p.done[saveDone:]...)
			p.i, p.done = save, p.done[:saveDone]
			if !p.try(func() { r, rq = p.term(q) }) {
				p.i, p.done = idEnd, append(p.done, idDone...)
				p.fail(p.peek())
			}
		} else {
			r, rq = p.term(q)
		}
		n = &nBin{and: op.kind == tAnd, l: n, r: r, pos: op.pos}
		q = rq
	}
	return n, q
}

// term: rterm | not term.
func (p *parser) term(ctx qual) (node, qual) {
	if t := p.peek(); t.kind == tNot {
		p.next()
		x, q := p.term(ctx)
		return &nNot{x: x, pos: t.pos}, q
	}
	return p.rterm(ctx)
}

func isHeadQual(t token) bool {
	if t.kind == tOtherKeyword {
		_, ok := dirKeywords[t.text]
		return ok
	}
	switch t.kind {
	case tSrc, tDst, tHost, tNet, tPort, tPortrange, tProto, tProtochain, tGateway:
		return true
	}
	return false
}

func (p *parser) rterm(ctx qual) (node, qual) {
	t := p.peek()
	switch t.kind {
	case tPunct:
		switch t.ch {
		case '(':
			// A parenthesised arithmetic expression is followed by an
			// operator or a comparison; anything else is (expr).
			if p.afterParenIsArith() {
				return p.relation(), qerr
			}
			p.next()
			e, _ := p.expr(ctx)
			p.expectPunct(')')
			return e, ctx
		case '-':
			return p.relation(), qerr
		}
	case tNum, tLen:
		return p.relation(), qerr
	case tPname:
		nt := p.peekN(1)
		switch {
		case nt.kind == tPunct && nt.ch == '[':
			return p.relation(), qerr
		case isHeadQual(nt):
			return p.head()
		case nt.kind == tBroadcast || nt.kind == tMulticast:
			p.next()
			p.next()
			return p.other(&nOther{kind: nt.kind, proto: int(t.val), pos: t.pos}), qerr
		}
		p.next()
		a := &nAbbrev{proto: int(t.val), pos: t.pos}
		if isTermEnd(p.peek()) {
			// Otherwise libpcap's parser cannot yet tell a protocol
			// abbreviation from a qualifier, and fails first.
			p.complete(a)
		}
		return a, qerr
	case tBroadcast, tMulticast:
		p.next()
		return p.other(&nOther{kind: t.kind, proto: qDefault, pos: t.pos}), qerr
	case tLess, tGreater:
		p.next()
		n := p.next()
		if n.kind != tNum {
			p.fail(n)
		}
		return p.other(&nOther{kind: t.kind, n1: n.val, pos: t.pos}), qerr
	case tByte:
		p.next()
		idx := p.next()
		if idx.kind != tNum {
			p.fail(idx)
		}
		op := p.next()
		var c byte
		switch {
		case op.kind == tPunct && (op.ch == '&' || op.ch == '|' || op.ch == '<' || op.ch == '>' || op.ch == '='):
			c = op.ch
		default:
			p.fail(op)
		}
		v := p.next()
		if v.kind != tNum {
			p.fail(v)
		}
		return p.other(&nOther{kind: tByte, n1: idx.val, op: c, n2: v.val, pos: t.pos}), qerr
	case tVlan, tMpls, tPppoes:
		p.next()
		o := &nOther{kind: t.kind, pos: t.pos}
		var v uint32
		if p.try(func() { v = p.pnum() }) {
			o.n1, o.has = v, true
		}
		return p.other(o), qerr
	case tPppoed:
		p.next()
		return p.other(&nOther{kind: t.kind, pos: t.pos}), qerr
	case tInbound, tOutbound, tIfindex, tGeneve:
		p.next()
		o := &nOther{kind: t.kind, pos: t.pos}
		if t.kind == tIfindex {
			n := p.next()
			if n.kind != tNum {
				p.fail(n)
			}
			o.n1 = n.val
		}
		if t.kind == tGeneve {
			var v uint32
			if p.try(func() { v = p.pnum() }) {
				o.n1, o.has = v, true
			}
		}
		return p.other(o), qerr
	case tOtherKeyword:
		if t.text == "llc" {
			p.next()
			o := &nOther{kind: tLLC, pos: t.pos}
			if n := p.peek(); n.kind == tID || (n.kind == tOtherKeyword && (n.text == "rnr" || n.text == "rulenum")) {
				p.next()
				o.name = n.name
				if n.kind == tOtherKeyword {
					o.name = "rnr"
				}
				o.has = true
			}
			return p.other(o), qerr
		}
		if isHeadQual(t) {
			return p.head()
		}
	default:
		if isHeadQual(t) {
			return p.head()
		}
	}
	p.fail(t)
	return nil, qerr
}

// afterParenIsArith reports whether the token after the parenthesis that
// matches the current '(' is an arithmetic or comparison operator.
func (p *parser) afterParenIsArith() bool {
	depth := 0
	for j := p.i; j < len(p.toks); j++ {
		t := p.toks[j]
		if t.kind == tPunct && t.ch == '(' {
			depth++
		} else if t.kind == tPunct && t.ch == ')' {
			depth--
			if depth == 0 {
				if j+1 >= len(p.toks) {
					return false
				}
				n := p.toks[j+1]
				if _, _, ok := binop(n); ok {
					return true
				}
				switch n.kind {
				case tGEQ, tLEQ, tNEQ:
					return true
				case tPunct:
					return n.ch == '>' || n.ch == '<' || n.ch == '='
				}
				return false
			}
		} else if t.kind == tEOF {
			return false
		}
	}
	return false
}

// head id, where head is: pqual dqual aqual | pqual dqual | pqual aqual |
// pqual PROTO | pqual PROTOCHAIN | pqual GATEWAY.
func (p *parser) head() (node, qual) {
	q := qual{addr: qaDefault, proto: qDefault, dir: qdDefault}
	if t := p.peek(); t.kind == tPname {
		q.proto = int(t.val)
		p.next()
	}
	t := p.peek()
	switch t.kind {
	case tSrc, tDst:
		p.next()
		q.dir = qdSrc
		if t.kind == tDst {
			q.dir = qdDst
		}
		if c := p.peek(); isAndOr(c) {
			p.next()
			d := p.next()
			if !(d.kind == tSrc || d.kind == tDst) || d.kind == t.kind {
				p.fail(d)
			}
			q.dir = qdOr
			if c.kind == tAnd {
				q.dir = qdAnd
			}
		}
		switch p.peek().kind {
		case tHost, tNet, tPort, tPortrange:
			q.addr = addrQual(p.next().kind)
		}
	case tHost, tNet, tPort, tPortrange:
		q.addr = addrQual(p.next().kind)
	case tOtherKeyword:
		d, ok := dirKeywords[t.text]
		if !ok {
			p.fail(t)
		}
		p.next()
		q.dir = d
		switch p.peek().kind {
		case tHost, tNet, tPort, tPortrange:
			q.addr = addrQual(p.next().kind)
		}
	case tProto:
		p.next()
		q.addr = qaProto
	case tProtochain:
		p.next()
		q.addr = qaProtochain
	case tGateway:
		p.next()
		q.addr = qaGateway
	default:
		p.fail(t)
	}
	saveHead := p.inHead
	p.inHead = true
	defer func() { p.inHead = saveHead }()
	n, _ := p.id(q)
	return n, q
}

func addrQual(k tokKind) int {
	switch k {
	case tHost:
		return qaHost
	case tNet:
		return qaNet
	case tPort:
		return qaPort
	}
	return qaPortrange
}

// id: nid | pnum | paren pid ')'.
func (p *parser) id(ctx qual) (node, qual) {
	t := p.peek()
	switch {
	case t.kind == tNum:
		p.next()
		n := &nID{q: ctx, tok: t, pos: t.pos}
		if p.inHead || isTermEnd(p.peek()) {
			// After and/or a number is an id or the start of
			// arithmetic; libpcap's parser decides by the next token.
			p.complete(n)
		}
		return n, ctx
	case t.kind == tPunct && t.ch == '(':
		p.next()
		n, q := p.pid(ctx)
		p.expectPunct(')')
		return n, q
	}
	return p.nid(ctx)
}

// pid: nid | qid and id | qid or id, where qid is pnum or pid.
func (p *parser) pid(ctx qual) (node, qual) {
	n, q := p.id(ctx)
	for isAndOr(p.peek()) {
		op := p.next()
		r, rq := p.id(q)
		n = &nBin{and: op.kind == tAnd, l: n, r: r, pos: op.pos}
		q = rq
	}
	return n, q
}

func (p *parser) nid(ctx qual) (node, qual) {
	t := p.peek()
	switch t.kind {
	case tNot:
		p.next()
		x, q := p.id(ctx)
		return &nNot{x: x, pos: t.pos}, q
	case tID, tEID:
		p.next()
		n := &nID{q: ctx, tok: t, pos: t.pos}
		p.complete(n)
		return n, ctx
	case tHID, tHID6:
		p.next()
		n := &nID{q: ctx, tok: t, pos: t.pos}
		if p.isPunct('/') {
			p.next()
			m := p.next()
			if m.kind != tNum {
				p.fail(m)
			}
			n.mask, n.slash = &m, true
		} else if t.kind == tHID && p.peek().kind == tMask {
			p.next()
			m := p.next()
			if m.kind != tHID {
				p.fail(m)
			}
			n.mask = &m
		}
		p.complete(n)
		return n, ctx
	}
	p.fail(t)
	return nil, ctx
}

// other records a keyword primitive as completed.
func (p *parser) other(o *nOther) *nOther {
	p.complete(o)
	return o
}

// pnum: NUM | paren pnum ')'.
func (p *parser) pnum() uint32 {
	t := p.next()
	if t.kind == tNum {
		return t.val
	}
	if t.kind == tPunct && t.ch == '(' {
		v := p.pnum()
		p.expectPunct(')')
		return v
	}
	p.fail(t)
	return 0
}

// relation: arth relop arth | arth irelop arth.
func (p *parser) relation() node {
	pos := p.peek().pos
	l := p.arith()
	t := p.next()
	var code int
	rev := false
	switch {
	case t.kind == tPunct && t.ch == '>':
		code = cbpf.JmpJGT
	case t.kind == tGEQ:
		code = cbpf.JmpJGE
	case t.kind == tPunct && t.ch == '=':
		code = cbpf.JmpJEQ
	case t.kind == tLEQ:
		code, rev = cbpf.JmpJGT, true
	case t.kind == tPunct && t.ch == '<':
		code, rev = cbpf.JmpJGE, true
	case t.kind == tNEQ:
		code, rev = cbpf.JmpJEQ, true
	default:
		p.fail(t)
	}
	r := p.arith()
	n := &nRel{code: code, reversed: rev, l: l, r: r, pos: pos}
	p.complete(n)
	return n
}

// binop returns the ALU operation and yacc precedence of a binary
// operator token; precedence 0 means none (libpcap's grammar gives '%'
// and '^' none, so bison shifts on them).
func binop(t token) (op, prec int, ok bool) {
	switch t.kind {
	case tLSH:
		return cbpf.AluLSH, 3, true
	case tRSH:
		return cbpf.AluRSH, 3, true
	case tPunct:
		switch t.ch {
		case '|':
			return cbpf.AluOR, 1, true
		case '&':
			return cbpf.AluAND, 2, true
		case '+':
			return cbpf.AluADD, 4, true
		case '-':
			return cbpf.AluSUB, 4, true
		case '*':
			return cbpf.AluMUL, 5, true
		case '/':
			return cbpf.AluDIV, 5, true
		case '%':
			return cbpf.AluMOD, 0, true
		case '^':
			return cbpf.AluXOR, 0, true
		}
	}
	return 0, 0, false
}

// arith parses an arithmetic expression with bison's operator precedence
// resolution: reduce when the operator on the stack has precedence higher
// than the lookahead's, or equal (all are left associative); shift when
// either has none.
func (p *parser) arith() arth {
	type opItem struct {
		op, prec int
		unary    bool
		pos      int
	}
	var vals []arth
	var ops []opItem
	reduce := func() {
		o := ops[len(ops)-1]
		ops = ops[:len(ops)-1]
		if o.unary {
			vals[len(vals)-1] = &aNeg{x: vals[len(vals)-1], pos: o.pos}
			return
		}
		r := vals[len(vals)-1]
		l := vals[len(vals)-2]
		vals = vals[:len(vals)-2]
		b := &aBin{op: o.op, l: l, r: r, pos: o.pos}
		p.complete(b)
		vals = append(vals, b)
	}
	for {
		// Operand, with any unary minus signs before it.
		for p.isPunct('-') {
			ops = append(ops, opItem{unary: true, prec: 6, pos: p.next().pos})
		}
		vals = append(vals, p.primary())
		t := p.peek()
		op, prec, ok := binop(t)
		if !ok {
			break
		}
		for len(ops) > 0 {
			top := ops[len(ops)-1]
			if top.prec == 0 || prec == 0 || top.prec < prec {
				break
			}
			reduce()
		}
		p.next()
		ops = append(ops, opItem{op: op, prec: prec, pos: t.pos})
	}
	for len(ops) > 0 {
		reduce()
	}
	return vals[0]
}

func (p *parser) primary() arth {
	t := p.peek()
	switch t.kind {
	case tNum:
		p.next()
		return &aNum{v: t.val, pos: t.pos}
	case tLen:
		p.next()
		return &aLen{pos: t.pos}
	case tPname:
		p.next()
		p.expectPunct('[')
		idx := p.arith()
		size := uint32(1)
		if p.isPunct(':') {
			p.next()
			n := p.next()
			if n.kind != tNum {
				p.fail(n)
			}
			size = n.val
		}
		p.expectPunct(']')
		ld := &aLoad{proto: int(t.val), idx: idx, size: size, pos: t.pos}
		p.complete(ld)
		return ld
	case tPunct:
		if t.ch == '(' {
			p.next()
			a := p.arith()
			p.expectPunct(')')
			return a
		}
	}
	p.fail(t)
	return nil
}
