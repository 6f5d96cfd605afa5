package bpftrace

import (
	"strconv"
	"strings"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tInt
	tString
	tVar    // $name, $1, $#
	tMap    // @name or @
	tOp     // punctuation and operators
	tAttach // a probe's attach point text
)

type token struct {
	kind tokKind
	text string // identifier, operator, variable or map name (with sigil), string value
	ival int64
	span Span
}

// lexer turns a script into tokens. It is driven by the parser, which
// asks for attach points where a probe header starts.
type lexer struct {
	src  *source
	s    string
	off  int
	line int
	col  int
}

func newLexer(src *source) *lexer {
	return &lexer{src: src, s: src.text, line: 1, col: 1}
}

func (l *lexer) pos() Pos { return Pos{Line: l.line, Col: l.col, Off: l.off} }

func (l *lexer) advance(n int) {
	for i := 0; i < n && l.off < len(l.s); i++ {
		if l.s[l.off] == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
		l.off++
	}
}

// skip passes over white space and comments.
func (l *lexer) skip() error {
	for l.off < len(l.s) {
		c := l.s[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			l.advance(1)
		case strings.HasPrefix(l.s[l.off:], "//"):
			for l.off < len(l.s) && l.s[l.off] != '\n' {
				l.advance(1)
			}
		case strings.HasPrefix(l.s[l.off:], "/*"):
			start := l.pos()
			end := strings.Index(l.s[l.off+2:], "*/")
			if end < 0 {
				return l.src.errorf(Span{start, l.endOf(start, 2)}, "unterminated comment")
			}
			l.advance(end + 4)
		case c == '#' && l.off == 0 && strings.HasPrefix(l.s, "#!"):
			for l.off < len(l.s) && l.s[l.off] != '\n' {
				l.advance(1)
			}
		default:
			return nil
		}
	}
	return nil
}

func (l *lexer) endOf(p Pos, n int) Pos { return Pos{Line: p.Line, Col: p.Col + n, Off: p.Off + n} }

// attach reads the text of one attach point, or returns a token of
// another kind when none starts here.
func (l *lexer) attach() (token, error) {
	if err := l.skip(); err != nil {
		return token{}, err
	}
	start := l.pos()
	i := l.off
	path := false // inside a field that is a file path, such as a uprobe's
	for i < len(l.s) {
		c := l.s[i]
		if c == '/' && i > l.off && l.s[i-1] == ':' {
			path = true
		}
		if c == ':' {
			path = false
		}
		if isIdent(c) || c == ':' || c == '*' || c == '?' || c == '.' || c == '-' || c == '+' || c == '[' || c == ']' ||
			c == '/' && path {
			i++
			continue
		}
		break
	}
	if i == l.off {
		return l.next()
	}
	text := l.s[l.off:i]
	l.advance(i - l.off)
	return token{kind: tAttach, text: text, span: Span{start, l.pos()}}, nil
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

var ops = []string{
	"<<=", ">>=", "->", "++", "--", "&&", "||", "==", "!=", "<=", ">=", "<<", ">>",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
	"{", "}", "(", ")", "[", "]", ",", ";", ":", "/", "?", ".", "+", "-", "*", "%",
	"&", "|", "^", "!", "~", "<", ">", "=",
}

// next reads one token.
func (l *lexer) next() (token, error) {
	if err := l.skip(); err != nil {
		return token{}, err
	}
	start := l.pos()
	if l.off >= len(l.s) {
		return token{kind: tEOF, span: Span{start, start}}, nil
	}
	c := l.s[l.off]
	tok := func(k tokKind, text string, n int) (token, error) {
		l.advance(n)
		return token{kind: k, text: text, span: Span{start, l.pos()}}, nil
	}
	switch {
	case c >= '0' && c <= '9':
		i := l.off
		for i < len(l.s) && (isIdent(l.s[i])) {
			i++
		}
		text := l.s[l.off:i]
		v, err := parseIntLit(text)
		if err != nil {
			l.advance(i - l.off)
			return token{}, l.src.errorf(Span{start, l.pos()}, "invalid integer: %s", text)
		}
		t, _ := tok(tInt, text, i-l.off)
		t.ival = v
		return t, nil
	case isIdent(c):
		i := l.off
		for i < len(l.s) && isIdent(l.s[i]) {
			i++
		}
		return tok(tIdent, l.s[l.off:i], i-l.off)
	case c == '$' || c == '@':
		i := l.off + 1
		if c == '$' && i < len(l.s) && l.s[i] == '#' {
			i++
		} else {
			for i < len(l.s) && isIdent(l.s[i]) {
				i++
			}
		}
		if c == '$' && i == l.off+1 {
			l.advance(1)
			return token{}, l.src.errorf(Span{start, l.pos()}, "syntax error, unexpected $")
		}
		k := tVar
		if c == '@' {
			k = tMap
		}
		return tok(k, l.s[l.off:i], i-l.off)
	case c == '"':
		return l.str(start)
	}
	for _, op := range ops {
		if strings.HasPrefix(l.s[l.off:], op) {
			return tok(tOp, op, len(op))
		}
	}
	l.advance(1)
	return token{}, l.src.errorf(Span{start, l.pos()}, "invalid character '%s'", string(c))
}

func parseIntLit(text string) (int64, error) {
	t := strings.ReplaceAll(text, "_", "")
	mult := int64(1)
	// bpftrace accepts 1e6 style and 64-bit hex.
	if i := strings.IndexAny(t, "eE"); i > 0 && !strings.HasPrefix(t, "0x") && !strings.HasPrefix(t, "0X") {
		exp, err := strconv.Atoi(t[i+1:])
		if err != nil || exp > 18 {
			return 0, strconv.ErrSyntax
		}
		for range exp {
			mult *= 10
		}
		t = t[:i]
	}
	u, err := strconv.ParseUint(t, 0, 64)
	if err != nil {
		return 0, err
	}
	return int64(u) * mult, nil
}

func (l *lexer) str(start Pos) (token, error) {
	var b strings.Builder
	i := l.off + 1
	for {
		if i >= len(l.s) || l.s[i] == '\n' {
			l.advance(i - l.off)
			return token{}, l.src.errorf(Span{start, l.pos()}, "unterminated string")
		}
		c := l.s[i]
		if c == '"' {
			i++
			break
		}
		if c == '\\' && i+1 < len(l.s) {
			i++
			switch e := l.s[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\', '"', '\'':
				b.WriteByte(e)
			case '0', '1', '2', '3', '4', '5', '6', '7':
				j := i
				for j < len(l.s) && j < i+3 && l.s[j] >= '0' && l.s[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(l.s[i:j], 8, 8)
				b.WriteByte(byte(v))
				i = j - 1
			case 'x':
				j := i + 1
				for j < len(l.s) && j < i+3 && strings.IndexByte("0123456789abcdefABCDEF", l.s[j]) >= 0 {
					j++
				}
				v, err := strconv.ParseUint(l.s[i+1:j], 16, 8)
				if err != nil {
					l.advance(j - l.off)
					return token{}, l.src.errorf(Span{start, l.pos()}, "invalid escape sequence")
				}
				b.WriteByte(byte(v))
				i = j - 1
			default:
				l.advance(i + 1 - l.off)
				return token{}, l.src.errorf(Span{start, l.pos()}, "invalid escape character '\\%c'", e)
			}
			i++
			continue
		}
		b.WriteByte(c)
		i++
	}
	l.advance(i - l.off)
	return token{kind: tString, text: b.String(), span: Span{start, l.pos()}}, nil
}
