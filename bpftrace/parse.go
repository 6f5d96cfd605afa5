package bpftrace

import (
	"strings"
)

// Parse parses a script; name is used in error messages ("stdin" for -e
// programs, as bpftrace does).
func Parse(name, text string) (*Program, error) {
	src := &source{name: name, text: text}
	p := &parser{src: src, lex: newLexer(src)}
	prog, err := p.program()
	if err != nil {
		return nil, err
	}
	return prog, nil
}

type parser struct {
	src *source
	lex *lexer
	tok token
	// predDepth is the parenthesis depth inside a /predicate/, where a
	// '/' at depth 0 closes the predicate.
	inPred    bool
	predDepth int
	depth     int
}

func (p *parser) next() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) is(op string) bool { return p.tok.kind == tOp && p.tok.text == op }

func (p *parser) unexpected() error {
	what := p.tok.text
	switch p.tok.kind {
	case tEOF:
		return p.src.errorf(p.tok.span, "syntax error, unexpected end of file")
	case tString:
		what = "string"
	case tInt:
		what = "integer"
	}
	return p.src.errorf(p.tok.span, "syntax error, unexpected %s", what)
}

func (p *parser) expect(op string) error {
	if !p.is(op) {
		return p.unexpected()
	}
	return p.next()
}

func (p *parser) program() (*Program, error) {
	prog := &Program{}
	for {
		t, err := p.lex.attach()
		if err != nil {
			return nil, err
		}
		if t.kind == tEOF {
			break
		}
		p.tok = t
		pr, err := p.probe()
		if err != nil {
			return nil, err
		}
		prog.Probes = append(prog.Probes, pr)
	}
	if len(prog.Probes) == 0 {
		return nil, p.src.errorf(Span{Pos{Line: 1, Col: 1}, Pos{Line: 1, Col: 2, Off: 1}}, "no probes: the program is empty")
	}
	return prog, nil
}

func (p *parser) probe() (*Probe, error) {
	pr := &Probe{Span: Span{Start: p.tok.span.Start}}
	for {
		if p.tok.kind != tAttach {
			return nil, p.unexpected()
		}
		ap, err := p.attachPoint(p.tok)
		if err != nil {
			return nil, err
		}
		pr.Points = append(pr.Points, ap)
		if err := p.next(); err != nil {
			return nil, err
		}
		if !p.is(",") {
			break
		}
		t, err := p.lex.attach()
		if err != nil {
			return nil, err
		}
		p.tok = t
	}
	if p.is("/") {
		if err := p.next(); err != nil {
			return nil, err
		}
		p.inPred, p.predDepth = true, 0
		e, err := p.expr()
		p.inPred = false
		if err != nil {
			return nil, err
		}
		pr.Pred = e
		if err := p.expect("/"); err != nil {
			return nil, err
		}
	}
	body, err := p.block()
	if err != nil {
		return nil, err
	}
	pr.Body = body
	pr.Span.End = p.tok.span.End
	return pr, nil
}

// attachPoint splits one attach point into its provider and fields.
func (p *parser) attachPoint(t token) (*AttachPoint, error) {
	ap := &AttachPoint{Span: t.span, Raw: t.text}
	parts := strings.Split(t.text, ":")
	prov := parts[0]
	switch prov {
	case "BEGIN", "END":
		if len(parts) != 1 {
			return nil, p.src.errorf(t.span, "%s probe type requires 0 arguments", prov)
		}
	case "tracepoint", "t":
		prov = "tracepoint"
		if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
			return nil, p.src.errorf(t.span, "tracepoint probe type requires 2 arguments")
		}
	case "interval", "i":
		prov = "interval"
		if len(parts) != 3 {
			return nil, p.src.errorf(t.span, "interval probe type requires 2 arguments")
		}
	case "uprobe", "u", "uretprobe", "ur":
		prov = map[string]string{"u": "uprobe", "ur": "uretprobe"}[prov] + ""
		if prov == "" {
			prov = parts[0]
		}
		if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
			return nil, p.src.errorf(t.span, "%s probe type requires 2 arguments", prov)
		}
	case "hook":
		if len(parts) != 2 || parts[1] == "" {
			return nil, p.src.errorf(t.span, "hook probe type requires 1 argument")
		}
		parts = append(parts, "")
	default:
		return nil, p.src.errorf(t.span, "Invalid probe type: %s", prov)
	}
	ap.Provider = prov
	if len(parts) > 1 {
		ap.Target = parts[1]
	}
	if len(parts) > 2 {
		ap.Func = parts[2]
	}
	return ap, nil
}

func (p *parser) block() ([]Stmt, error) {
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	p.depth++
	if p.depth > 64 {
		return nil, p.src.errorf(p.tok.span, "blocks nested too deeply")
	}
	defer func() { p.depth-- }()
	var stmts []Stmt
	for !p.is("}") {
		if p.tok.kind == tEOF {
			return nil, p.unexpected()
		}
		if p.is(";") {
			if err := p.next(); err != nil {
				return nil, err
			}
			continue
		}
		s, err := p.stmt()
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, s)
		if _, ok := s.(*IfStmt); ok {
			continue
		}
		if !p.is(";") && !p.is("}") {
			return nil, p.unexpected()
		}
	}
	return stmts, nil // the caller consumes "}" when it reads on
}

// closeBlock consumes the "}" that block left.
func (p *parser) closeBlock() error { return p.expect("}") }

func (p *parser) stmt() (Stmt, error) {
	start := p.tok.span.Start
	if p.tok.kind == tIdent && p.tok.text == "if" {
		return p.ifStmt()
	}
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tOp {
		switch op := p.tok.text; op {
		case "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=":
			switch x.(type) {
			case *MapExpr, *VarExpr:
			default:
				return nil, p.unexpected()
			}
			if err := p.next(); err != nil {
				return nil, err
			}
			rhs, err := p.expr()
			if err != nil {
				return nil, err
			}
			return &AssignStmt{Span: Span{start, rhs.span().End}, Op: op, LHS: x, RHS: rhs}, nil
		case "++", "--":
			switch x.(type) {
			case *MapExpr, *VarExpr:
			default:
				return nil, p.unexpected()
			}
			end := p.tok.span.End
			if err := p.next(); err != nil {
				return nil, err
			}
			return &IncStmt{Span: Span{start, end}, X: x, Dec: op == "--"}, nil
		}
	}
	return &ExprStmt{X: x}, nil
}

func (p *parser) ifStmt() (Stmt, error) {
	start := p.tok.span.Start
	if err := p.next(); err != nil {
		return nil, err
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	saved := p.inPred
	p.inPred = false
	cond, err := p.expr()
	p.inPred = saved
	if err != nil {
		return nil, err
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	then, err := p.block()
	if err != nil {
		return nil, err
	}
	s := &IfStmt{Span: Span{start, p.tok.span.End}, Cond: cond, Then: then}
	if err := p.closeBlock(); err != nil {
		return nil, err
	}
	if p.tok.kind == tIdent && p.tok.text == "else" {
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.tok.kind == tIdent && p.tok.text == "if" {
			e, err := p.ifStmt()
			if err != nil {
				return nil, err
			}
			s.Else = []Stmt{e}
			return s, nil
		}
		els, err := p.block()
		if err != nil {
			return nil, err
		}
		s.Else = els
		if err := p.closeBlock(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *parser) expr() (Expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 200 {
		return nil, p.src.errorf(p.tok.span, "expression nested too deeply")
	}
	c, err := p.binary(0)
	if err != nil {
		return nil, err
	}
	if !p.is("?") {
		return c, nil
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	a, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.expect(":"); err != nil {
		return nil, err
	}
	b, err := p.expr()
	if err != nil {
		return nil, err
	}
	return &CondExpr{Span: Span{c.span().Start, b.span().End}, Cond: c, A: a, B: b}, nil
}

// precedence levels, lowest first.
var binLevels = [][]string{
	{"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">="},
	{"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
}

func (p *parser) binary(level int) (Expr, error) {
	if level == len(binLevels) {
		return p.unary()
	}
	x, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		op, ok := "", false
		if p.tok.kind == tOp {
			for _, o := range binLevels[level] {
				if p.tok.text == o {
					op, ok = o, true
				}
			}
		}
		if !ok || op == "/" && p.inPred && p.predDepth == 0 {
			return x, nil
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		y, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		x = &BinaryExpr{Span: Span{x.span().Start, y.span().End}, Op: op, X: x, Y: y}
	}
}

var castTypes = map[string]bool{
	"int8": true, "int16": true, "int32": true, "int64": true,
	"uint8": true, "uint16": true, "uint32": true, "uint64": true,
}

func (p *parser) unary() (Expr, error) {
	start := p.tok.span.Start
	if p.tok.kind == tOp {
		switch op := p.tok.text; op {
		case "-", "!", "~":
			if err := p.next(); err != nil {
				return nil, err
			}
			p.depth++
			defer func() { p.depth-- }()
			if p.depth > 200 {
				return nil, p.src.errorf(p.tok.span, "expression nested too deeply")
			}
			x, err := p.unary()
			if err != nil {
				return nil, err
			}
			if lit, ok := x.(*IntLit); ok && op == "-" {
				return &IntLit{Span: Span{start, lit.Span.End}, V: -lit.V}, nil
			}
			return &UnaryExpr{Span: Span{start, x.span().End}, Op: op, X: x}, nil
		case "(":
			// A cast or a parenthesized expression.
			if err := p.next(); err != nil {
				return nil, err
			}
			if p.tok.kind == tIdent && castTypes[p.tok.text] {
				typ := p.tok.text
				if err := p.next(); err != nil {
					return nil, err
				}
				if err := p.expect(")"); err != nil {
					return nil, err
				}
				x, err := p.unary()
				if err != nil {
					return nil, err
				}
				return &CastExpr{Span: Span{start, x.span().End}, Type: typ, X: x}, nil
			}
			p.predDepth++
			x, err := p.expr()
			p.predDepth--
			if err != nil {
				return nil, err
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			return p.postfix(x)
		}
	}
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	return p.postfix(x)
}

func (p *parser) postfix(x Expr) (Expr, error) {
	for {
		switch {
		case p.is("->") || p.is("."):
			if err := p.next(); err != nil {
				return nil, err
			}
			if p.tok.kind != tIdent {
				return nil, p.unexpected()
			}
			x = &FieldExpr{Span: Span{x.span().Start, p.tok.span.End}, X: x, Field: p.tok.text}
			if err := p.next(); err != nil {
				return nil, err
			}
		default:
			return x, nil
		}
	}
}

func (p *parser) primary() (Expr, error) {
	t := p.tok
	switch t.kind {
	case tInt:
		return &IntLit{Span: t.span, V: t.ival}, p.next()
	case tString:
		return &StrLit{Span: t.span, V: t.text}, p.next()
	case tVar:
		return &VarExpr{Span: t.span, Name: t.text}, p.next()
	case tMap:
		if err := p.next(); err != nil {
			return nil, err
		}
		m := &MapExpr{Span: t.span, Name: t.text[1:]}
		if p.is("[") {
			if err := p.next(); err != nil {
				return nil, err
			}
			args, end, err := p.list("]")
			if err != nil {
				return nil, err
			}
			if len(args) == 0 {
				return nil, p.src.errorf(Span{t.span.Start, end}, "syntax error, unexpected ], expecting map key")
			}
			m.Keys = args
			m.Span.End = end
		}
		return m, nil
	case tIdent:
		if err := p.next(); err != nil {
			return nil, err
		}
		if p.is("(") {
			if err := p.next(); err != nil {
				return nil, err
			}
			args, end, err := p.list(")")
			if err != nil {
				return nil, err
			}
			return &CallExpr{Span: Span{t.span.Start, end}, Name: t.text, Args: args}, nil
		}
		return &Builtin{Span: t.span, Name: t.text}, nil
	}
	return nil, p.unexpected()
}

// list parses comma-separated expressions up to the closing token, which
// it consumes; it returns the end of the closing token.
func (p *parser) list(closing string) ([]Expr, Pos, error) {
	var args []Expr
	saved := p.inPred
	p.inPred = false
	defer func() { p.inPred = saved }()
	for !p.is(closing) {
		e, err := p.expr()
		if err != nil {
			return nil, Pos{}, err
		}
		args = append(args, e)
		if p.is(",") {
			if err := p.next(); err != nil {
				return nil, Pos{}, err
			}
			if p.is(closing) {
				return nil, Pos{}, p.unexpected()
			}
			continue
		}
		if !p.is(closing) {
			return nil, Pos{}, p.unexpected()
		}
	}
	end := p.tok.span.End
	return args, end, p.next()
}
