// Package bpftool renders kernel BPF objects (programs, maps, BTF, links)
// the way bpftool 7.1 prints them: its plain text and its JSON, compact
// (-j) or pretty (-p), with values formatted from BTF.
package bpftool

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// JSONWriter writes JSON in bpftool's layout: compact, or pretty with
// bpftool's placement of newlines and four-space indents (an array's
// scalar elements stay on the line of its opening bracket, its closing
// bracket goes on a line of its own).
type JSONWriter struct {
	w      io.Writer
	pretty bool
	depth  int
	sep    byte // written before the next value: ',' or 0
	err    error
	buf    []byte
}

// NewJSONWriter returns a writer to w.
func NewJSONWriter(w io.Writer, pretty bool) *JSONWriter {
	return &JSONWriter{w: w, pretty: pretty}
}

func (j *JSONWriter) put(s string) {
	if j.err != nil {
		return
	}
	_, j.err = io.WriteString(j.w, s)
}

func (j *JSONWriter) eol() {
	if !j.pretty {
		return
	}
	j.put("\n" + strings.Repeat("    ", j.depth))
}

// eor writes the separator owed before a value.
func (j *JSONWriter) eor() {
	if j.sep != 0 {
		j.put(string(j.sep))
	}
	j.sep = ','
}

func (j *JSONWriter) begin(c string) {
	j.eor()
	j.put(c)
	j.depth++
	j.sep = 0
}

func (j *JSONWriter) end(c string) {
	if j.depth > 0 {
		j.depth--
	}
	if j.sep != 0 {
		j.eol()
	}
	j.put(c)
	j.sep = ','
}

// StartObject opens an object.
func (j *JSONWriter) StartObject() { j.begin("{") }

// EndObject closes an object.
func (j *JSONWriter) EndObject() { j.end("}") }

// StartArray opens an array.
func (j *JSONWriter) StartArray() { j.begin("[") }

// EndArray closes an array.
func (j *JSONWriter) EndArray() { j.end("]") }

// Name writes an object member's name; its value follows.
func (j *JSONWriter) Name(name string) {
	j.eor()
	j.eol()
	j.sep = 0
	j.put(quote(name))
	j.put(":")
	if j.pretty {
		j.put(" ")
	}
}

// Raw writes text as a value, unchanged.
func (j *JSONWriter) Raw(text string) {
	j.eor()
	j.put(text)
}

// Printf writes a formatted value, unchanged.
func (j *JSONWriter) Printf(format string, args ...any) { j.Raw(fmt.Sprintf(format, args...)) }

// String writes a string value.
func (j *JSONWriter) String(s string) { j.Raw(quote(s)) }

// Uint writes an unsigned number.
func (j *JSONWriter) Uint(v uint64) { j.Raw(strconv.FormatUint(v, 10)) }

// Int writes a signed number.
func (j *JSONWriter) Int(v int64) { j.Raw(strconv.FormatInt(v, 10)) }

// Bool writes true or false.
func (j *JSONWriter) Bool(v bool) { j.Raw(strconv.FormatBool(v)) }

// Null writes null.
func (j *JSONWriter) Null() { j.Raw("null") }

// StringField writes a member with a string value.
func (j *JSONWriter) StringField(name, v string) { j.Name(name); j.String(v) }

// UintField writes a member with an unsigned value.
func (j *JSONWriter) UintField(name string, v uint64) { j.Name(name); j.Uint(v) }

// IntField writes a member with a signed value.
func (j *JSONWriter) IntField(name string, v int64) { j.Name(name); j.Int(v) }

// BoolField writes a member with a boolean value.
func (j *JSONWriter) BoolField(name string, v bool) { j.Name(name); j.Bool(v) }

// HexBytes writes b as bpftool writes raw bytes: an array of "0x%02x"
// strings.
func (j *JSONWriter) HexBytes(b []byte) {
	j.StartArray()
	for _, c := range b {
		j.buf = append(j.buf[:0], '"', '0', 'x', hexDigits[c>>4], hexDigits[c&15], '"')
		j.Raw(string(j.buf))
	}
	j.EndArray()
}

const hexDigits = "0123456789abcdef"

// Close ends the document with a newline and returns the first write
// error.
func (j *JSONWriter) Close() error {
	j.put("\n")
	return j.err
}

// quote escapes s as bpftool's writer does: quotes, backslashes and the
// C control escapes; other bytes pass through.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		case '\b':
			b.WriteString(`\b`)
		case '\'':
			b.WriteString(`\'`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
