package bpftrace

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// verb is one conversion of a printf format.
type verb struct {
	flags     string
	width     string
	precision string
	conv      byte
}

func (v verb) check(t Type) error {
	switch v.conv {
	case 's':
		if t.Kind != KindStr {
			return fmt.Errorf("%%s specifier expects a value of type string (%s supplied)", kindName(t))
		}
	default:
		if t.Kind != KindInt {
			return fmt.Errorf("%%%c specifier expects a value of type integer (%s supplied)", v.conv, kindName(t))
		}
	}
	return nil
}

// parseFormat returns the conversions of a printf format.
func parseFormat(f string) ([]verb, error) {
	var vs []verb
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		var v verb
		start := i
		for i < len(f) && strings.IndexByte("-+ 0#", f[i]) >= 0 {
			i++
		}
		v.flags = f[start:i]
		start = i
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			i++
		}
		v.width = f[start:i]
		if i < len(f) && f[i] == '.' {
			i++
			start = i
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
			}
			v.precision = "." + f[start:i]
		}
		for i < len(f) && strings.IndexByte("hlzjt", f[i]) >= 0 {
			i++
		}
		if i >= len(f) {
			return nil, fmt.Errorf("printf: incomplete format specifier at the end of %q", f)
		}
		v.conv = f[i]
		if strings.IndexByte("diuxXocsp", v.conv) < 0 {
			return nil, fmt.Errorf("printf: Unknown format string token: %%%c", v.conv)
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// formatPrintf formats an event of a printf action.
func formatPrintf(a *Action, payload []byte) string {
	if len(a.Args) == 0 {
		return a.Format
	}
	var b strings.Builder
	f := a.Format
	arg, off := 0, 0
	for i := 0; i < len(f); i++ {
		if arg == len(a.Args) {
			// bpftrace prints the text after the last conversion as is.
			b.WriteString(f[i:])
			break
		}
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		start := i
		for i < len(f) && strings.IndexByte("-+ 0#", f[i]) >= 0 {
			i++
		}
		flags := f[start:i]
		start = i
		for i < len(f) && (f[i] >= '0' && f[i] <= '9' || f[i] == '.') {
			i++
		}
		wp := f[start:i]
		for i < len(f) && strings.IndexByte("hlzjt", f[i]) >= 0 {
			i++
		}
		if i >= len(f) || arg >= len(a.Args) {
			break
		}
		conv := f[i]
		t := a.Args[arg]
		n := (t.Size + 7) &^ 7
		if off+n > len(payload) {
			break
		}
		field := payload[off : off+n]
		off += n
		arg++
		if t.Kind == KindStr {
			s := cString(field)
			fmt.Fprintf(&b, "%"+flags+wp+"s", s)
			continue
		}
		v := binary.LittleEndian.Uint64(field)
		switch conv {
		case 'd', 'i':
			fmt.Fprintf(&b, "%"+flags+wp+"d", int64(v))
		case 'u':
			fmt.Fprintf(&b, "%"+flags+wp+"d", v)
		case 'x', 'X', 'o':
			fmt.Fprintf(&b, "%"+flags+wp+string(conv), v)
		case 'c':
			fmt.Fprintf(&b, "%"+flags+wp+"c", rune(byte(v)))
		case 'p':
			fmt.Fprintf(&b, "%"+flags+wp+"s", "0x"+strconv.FormatUint(v, 16))
		}
	}
	return b.String()
}

// cString returns the bytes of b up to its first NUL.
func cString(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		return string(b[:i])
	}
	return string(b)
}

// strftime formats t with a C strftime format.
func strftime(f string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'Y':
			fmt.Fprintf(&b, "%d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'I':
			fmt.Fprintf(&b, "%02d", (t.Hour()+11)%12+1)
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'R':
			b.WriteString(t.Format("15:04"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

// kindName names a type's kind as bpftrace's printf messages do.
func kindName(t Type) string {
	switch t.Kind {
	case KindInt:
		return "integer"
	case KindStr:
		return "string"
	}
	return t.String()
}

// formatJoin prints the strings of a join() event up to the first empty
// one, separated by delim, and a newline.
func formatJoin(delim string, payload []byte) string {
	var parts []string
	for i := 0; i+joinArgSize <= len(payload) && i < joinArgs*joinArgSize; i += joinArgSize {
		s := cString(payload[i : i+joinArgSize])
		if s == "" {
			break
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, delim) + "\n"
}
