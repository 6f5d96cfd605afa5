package bpftrace

import (
	"fmt"
	"strings"
)

// Error is an error in a script, at a source range. Its message has
// bpftrace's form: "FILE:LINE:COL-COL: ERROR: message", then the source
// line and a row of '~' under the range.
type Error struct {
	File string
	Span Span
	Msg  string
	// Source is the text of the line the error is on.
	Source string
}

func (e *Error) Error() string {
	var b strings.Builder
	start, end := e.Span.Start, e.Span.End
	fmt.Fprintf(&b, "%s:%d:%d", e.File, start.Line, start.Col)
	endCol := end.Col
	if end.Line != start.Line || endCol <= start.Col {
		endCol = start.Col + 1
		if end.Line != start.Line {
			endCol = len(e.Source) + 1
		}
	}
	fmt.Fprintf(&b, "-%d: ERROR: %s", endCol, e.Msg)
	if e.Source != "" || start.Line > 0 {
		b.WriteString("\n")
		b.WriteString(e.Source)
		b.WriteString("\n")
		// Tabs stay tabs so that the marks line up under them.
		for i := 1; i < start.Col && i-1 < len(e.Source); i++ {
			if e.Source[i-1] == '\t' {
				b.WriteByte('\t')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(strings.Repeat("~", max(1, endCol-start.Col)))
	}
	return b.String()
}

// source is a script with its name, for error messages.
type source struct {
	name string
	text string
}

func (s *source) line(n int) string {
	lines := strings.Split(s.text, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimRight(lines[n-1], "\r")
}

func (s *source) errorf(sp Span, format string, args ...any) *Error {
	return &Error{File: s.name, Span: sp, Msg: fmt.Sprintf(format, args...), Source: s.line(sp.Start.Line)}
}
