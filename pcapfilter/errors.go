package pcapfilter

import "fmt"

// Error is a compilation error: the message reads like tcpdump's, Offset
// is the byte offset in the expression where the problem was found.
type Error struct {
	Offset int
	Msg    string
}

// Error returns the message followed by the offset.
func (e *Error) Error() string {
	return fmt.Sprintf("%s (at offset %d)", e.Msg, e.Offset)
}

func errorf(pos int, format string, args ...any) *Error {
	return &Error{Offset: pos, Msg: fmt.Sprintf(format, args...)}
}

// syntaxError is the parser's error, worded as libpcap's.
func syntaxError(pos int) *Error {
	return &Error{Offset: pos, Msg: "can't parse filter expression: syntax error"}
}
