package asm

import "fmt"

// Error is an assembler error at a position of the source text. Line and
// Col count from 1; Col counts bytes.
type Error struct {
	Line int
	Col  int
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}
