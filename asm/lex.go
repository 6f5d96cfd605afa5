package asm

import (
	"fmt"
	"strings"
)

// token is one word of a source line: a mnemonic, a keyword, an operand or
// a label definition. A memory operand "[%r1 + 8]" is one token.
type token struct {
	text string
	col  int // 1-based byte column
}

// line is one source line split into words; the first nlabels words are
// label definitions (without their colon), the rest an instruction.
type line struct {
	num     int
	words   []token
	nlabels int
}

func (l *line) labels() []token      { return l.words[:l.nlabels] }
func (l *line) instruction() []token { return l.words[l.nlabels:] }

// splitLine splits the text of source line num. Words are separated by
// blanks or by a comma; "#" ends the line. The words are appended to
// buf[:0], which the caller may reuse for the next line.
func splitLine(num int, text string, buf []token) (line, error) {
	l := line{num: num, words: buf[:0]}
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[:i]
	}
	comma := -1 // column of a comma not yet followed by a word
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == ',':
			if comma >= 0 || len(l.words) == 0 {
				return l, &Error{num, i + 1, "Unexpected comma"}
			}
			comma = i + 1
			i++
			continue
		}
		start := i
		if c == '[' {
			end := strings.IndexByte(text[i:], ']')
			if end < 0 {
				return l, &Error{num, i + 1, "Unterminated memory operand: missing ]"}
			}
			i += end + 1
		} else {
			for i < len(text) && !isSeparator(text[i]) {
				i++
			}
			if i == start { // a stray ']'
				return l, &Error{num, i + 1, fmt.Sprintf("Unexpected %q", text[i])}
			}
		}
		l.words = append(l.words, token{text[start:i], start + 1})
		comma = -1
	}
	if comma >= 0 {
		return l, &Error{num, comma, "Unexpected comma at the end of the line"}
	}
	for l.nlabels < len(l.words) && strings.HasSuffix(l.words[l.nlabels].text, ":") {
		lab := &l.words[l.nlabels]
		lab.text = strings.TrimSuffix(lab.text, ":")
		if !isIdent(lab.text) {
			return l, &Error{num, lab.col, fmt.Sprintf("Invalid label name %q", lab.text)}
		}
		l.nlabels++
	}
	return l, nil
}

func isSeparator(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\f', '\v', ',', '[', ']':
		return true
	}
	return false
}

// isIdent reports whether s can name a label: a letter, '_' or '.'
// followed by letters, digits, '_' and '.'.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '.':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
