package kernel

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Format is the record layout of a tracepoint, as its tracefs format file
// gives it.
type Format struct {
	// Group is the tracepoint's system, such as "block"; ParseFormat leaves
	// it empty, since format files do not name it.
	Group string
	// Name is the event name, such as "block_rq_issue".
	Name string
	// ID is the tracepoint id, the config of its perf event.
	ID uint64
	// Fields lists the fields in file order, the common_ ones first.
	Fields []Field
	// PrintFmt is the event's "print fmt:" line, unparsed.
	PrintFmt string
}

// Field is one field of a tracepoint record.
type Field struct {
	// Name is the field name, such as "bytes" or "comm".
	Name string
	// Type is the C declaration less the name, such as "unsigned int",
	// "char[16]" or "__data_loc char[]".
	Type string
	// Offset and Size locate the field in the record, in bytes.
	Offset, Size int
	// Signed says whether an integer field is signed.
	Signed bool
	// ArrayLen is the element count of a fixed array field, such as 16 for
	// char comm[16]; 0 for scalars.
	ArrayLen int
	// DataLoc marks a __data_loc field: a u32 whose low 16 bits are the
	// offset of the data in the record and whose high 16 bits its length.
	// RelLoc marks a __rel_loc field, whose offset counts from the end of
	// the field itself.
	DataLoc, RelLoc bool
}

// Field returns the field called name, or nil.
func (f *Format) Field(name string) *Field {
	for i := range f.Fields {
		if f.Fields[i].Name == name {
			return &f.Fields[i]
		}
	}
	return nil
}

// Size returns the size of the fixed part of a record: the end of its last
// field.
func (f *Format) Size() int {
	n := 0
	for _, fl := range f.Fields {
		n = max(n, fl.Offset+fl.Size)
	}
	return n
}

// ParseFormat parses a tracefs format file. Errors name the line.
func ParseFormat(b []byte) (*Format, error) {
	f := &Format{}
	haveName, haveID := false, false
	for n, line := range strings.Split(string(b), "\n") {
		lineNo := n + 1
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed == "format:":
		case strings.HasPrefix(trimmed, "name:"):
			f.Name = strings.TrimSpace(strings.TrimPrefix(trimmed, "name:"))
			haveName = true
		case strings.HasPrefix(trimmed, "ID:"):
			id, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(trimmed, "ID:")), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("format line %d: bad ID: %v", lineNo, err)
			}
			f.ID, haveID = id, true
		case strings.HasPrefix(trimmed, "field:"):
			fl, err := parseField(trimmed)
			if err != nil {
				return nil, fmt.Errorf("format line %d: %v", lineNo, err)
			}
			f.Fields = append(f.Fields, fl)
		case strings.HasPrefix(trimmed, "print fmt:"):
			f.PrintFmt = strings.TrimSpace(strings.TrimPrefix(trimmed, "print fmt:"))
		default:
			return nil, fmt.Errorf("format line %d: unexpected %q", lineNo, trimmed)
		}
	}
	switch {
	case !haveName:
		return nil, fmt.Errorf("format: no name: line")
	case !haveID:
		return nil, fmt.Errorf("format: no ID: line")
	case len(f.Fields) == 0:
		return nil, fmt.Errorf("format: no fields")
	}
	return f, nil
}

// parseField parses "field:unsigned int bytes;\toffset:28;\tsize:4;\tsigned:0;".
func parseField(line string) (Field, error) {
	var fl Field
	parts := strings.Split(line, ";")
	seen := map[string]bool{}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		key, val, ok := strings.Cut(p, ":")
		if !ok {
			return fl, fmt.Errorf("field part %q has no colon", p)
		}
		seen[key] = true
		var err error
		switch key {
		case "field":
			err = fl.parseDecl(strings.TrimSpace(val))
		case "offset":
			fl.Offset, err = parseSmall(val)
		case "size":
			fl.Size, err = parseSmall(val)
		case "signed":
			var s int
			s, err = parseSmall(val)
			fl.Signed = s != 0
		}
		if err != nil {
			return fl, fmt.Errorf("field %q: %s: %v", fl.Name, key, err)
		}
	}
	for _, k := range []string{"field", "offset", "size"} {
		if !seen[k] {
			return fl, fmt.Errorf("field %q: no %s", fl.Name, k)
		}
	}
	if fl.Size <= 0 {
		return fl, fmt.Errorf("field %q: size %d", fl.Name, fl.Size)
	}
	if (fl.DataLoc || fl.RelLoc) && fl.Size != 4 {
		return fl, fmt.Errorf("field %q: dynamic field of size %d, want 4", fl.Name, fl.Size)
	}
	return fl, nil
}

func parseSmall(s string) (int, error) {
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
	return int(v), err
}

// parseDecl splits a C declaration such as "char comm[16]" or
// "__data_loc char[] cmd" into name, type and array length.
func (fl *Field) parseDecl(decl string) error {
	i := strings.LastIndexAny(decl, " \t*")
	if i < 0 || i == len(decl)-1 {
		return fmt.Errorf("declaration %q has no name", decl)
	}
	name, typ := decl[i+1:], strings.TrimSpace(decl[:i+1])
	if open := strings.IndexByte(name, '['); open >= 0 {
		if !strings.HasSuffix(name, "]") {
			return fmt.Errorf("declaration %q: bad array", decl)
		}
		dim := name[open+1 : len(name)-1]
		name = name[:open]
		n, err := strconv.ParseUint(dim, 10, 16)
		if err != nil {
			// Dimensions can be macros (TASK_COMM_LEN); the size gives the
			// room, so keep the text.
			n = 0
		}
		fl.ArrayLen = int(n)
		typ += "[" + dim + "]"
	}
	if name == "" {
		return fmt.Errorf("declaration %q has no name", decl)
	}
	fl.Name, fl.Type = name, typ
	fl.DataLoc = strings.HasPrefix(typ, "__data_loc ")
	fl.RelLoc = strings.HasPrefix(typ, "__rel_loc ")
	return nil
}

// Raw returns the field's bytes in rec: the fixed bytes, or the data a
// dynamic (__data_loc, __rel_loc) field points to. It does not copy.
func (fl *Field) Raw(rec []byte) ([]byte, error) {
	end := fl.Offset + fl.Size
	if end > len(rec) {
		return nil, fmt.Errorf("field %s: bytes [%d, %d) past the %d-byte record", fl.Name, fl.Offset, end, len(rec))
	}
	if !fl.DataLoc && !fl.RelLoc {
		return rec[fl.Offset:end], nil
	}
	loc := binary.LittleEndian.Uint32(rec[fl.Offset:])
	off, n := int(loc&0xffff), int(loc>>16)
	if fl.RelLoc {
		off += end
	}
	if off+n > len(rec) {
		return nil, fmt.Errorf("field %s: data [%d, %d) past the %d-byte record", fl.Name, off, off+n, len(rec))
	}
	return rec[off : off+n], nil
}

// Uint returns an integer field of 1, 2, 4 or 8 bytes, zero-extended.
func (fl *Field) Uint(rec []byte) (uint64, error) {
	b, err := fl.Raw(rec)
	if err != nil {
		return 0, err
	}
	switch len(b) {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), nil
	case 8:
		return binary.LittleEndian.Uint64(b), nil
	}
	return 0, fmt.Errorf("field %s: %d bytes is not an integer", fl.Name, len(b))
}

// Int returns an integer field, sign-extended when the field is signed.
func (fl *Field) Int(rec []byte) (int64, error) {
	v, err := fl.Uint(rec)
	if err != nil || !fl.Signed {
		return int64(v), err
	}
	shift := 64 - 8*uint(fl.Size)
	return int64(v<<shift) >> shift, nil
}

// String returns a character field (char[N] or __data_loc char[]) up to
// its first NUL.
func (fl *Field) String(rec []byte) (string, error) {
	b, err := fl.Raw(rec)
	if err != nil {
		return "", err
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b), nil
}

// Value returns a field in its natural Go type: string for character
// arrays and __data_loc strings, int64 for signed and uint64 for unsigned
// integers, []byte for anything else.
func (fl *Field) Value(rec []byte) (any, error) {
	isChar := strings.HasPrefix(strings.TrimPrefix(strings.TrimPrefix(fl.Type, "__data_loc "), "__rel_loc "), "char")
	switch {
	case isChar && (fl.ArrayLen > 0 || fl.DataLoc || fl.RelLoc || strings.HasSuffix(fl.Type, "]")):
		return fl.String(rec)
	case fl.ArrayLen == 0 && !fl.DataLoc && !fl.RelLoc && (fl.Size == 1 || fl.Size == 2 || fl.Size == 4 || fl.Size == 8):
		if fl.Signed {
			return fl.Int(rec)
		}
		return fl.Uint(rec)
	}
	b, err := fl.Raw(rec)
	return append([]byte(nil), b...), err
}

// Decode returns every field of rec by name, in its natural Go type (see
// Field.Value). It is meant for inspection and tests; hot paths read the
// fields they need with Field.Uint or Field.Raw.
func (f *Format) Decode(rec []byte) (map[string]any, error) {
	out := make(map[string]any, len(f.Fields))
	for i := range f.Fields {
		v, err := f.Fields[i].Value(rec)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		out[f.Fields[i].Name] = v
	}
	return out, nil
}
