package helpers

import (
	"bytes"
	"strconv"
	"unsafe"

	"github.com/gbpf/gbpf/internal/engine"
)

// maxPrintfArgs is the most arguments of bpf_snprintf (MAX_BPF_PRINTF_VARARGS).
const maxPrintfArgs = 12

// maxTracePrintkArgs is the most arguments of bpf_trace_printk.
const maxTracePrintkArgs = 3

// maxPrintfString bounds what one %s copies (the kernel's per-call buffer).
const maxPrintfString = 512

// unsafeString views b as a string without copying; b must not change while
// the string is used.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// tracePrintk is bpf_trace_printk(fmt, fmt_size, a1, a2, a3): it formats
// with the kernel's rules and writes one line to the State's Trace writer.
// It returns the number of bytes of the message.
func tracePrintk(env *engine.Env, r1, r2, r3, r4, r5 uint64) uint64 {
	fb, ok := arg(env, r1, r2, false)
	if !ok || r2 == 0 {
		return errnoEINVAL
	}
	// The format ends at its first NUL, which must lie within fmt_size.
	end := bytes.IndexByte(fb, 0)
	if end < 0 {
		return errnoEINVAL
	}
	fb = fb[:end+1]
	s := state(env)
	if s == nil {
		return errnoEINVAL
	}
	args := [maxTracePrintkArgs]uint64{r3, r4, r5}
	out, err := bprintf(env, s.buf[:0], fb[:len(fb)-1], args[:])
	s.buf = out[:0]
	if err != 0 {
		return err
	}
	n := len(out)
	if s.Trace != nil {
		if n == 0 || out[n-1] != '\n' {
			out = append(out, '\n')
			s.buf = out[:0]
		}
		_, _ = s.Trace.Write(out)
	}
	return uint64(n)
}

// snprintf is bpf_snprintf(str, str_size, fmt, data, data_len): it formats
// the u64 arguments in data into str, always NUL-terminated, and returns
// the length of the whole result including its NUL (which may exceed
// str_size, like snprintf).
func snprintf(env *engine.Env, r1, r2, r3, r4, r5 uint64) uint64 {
	if r5%8 != 0 || r5/8 > maxPrintfArgs {
		return errnoEINVAL
	}
	dst, ok := arg(env, r1, r2, true)
	if !ok {
		return errnoEFAULT
	}
	data, ok := arg(env, r4, r5, false)
	if !ok {
		return errnoEFAULT
	}
	format, ok := cstring(env, r3, 1<<16)
	if !ok {
		return errnoEINVAL
	}
	var args [maxPrintfArgs]uint64
	for i := range int(r5 / 8) {
		args[i] = engine.Load64(engine.Addr(data[8*i:]))
	}
	s := state(env)
	var buf []byte
	if s != nil {
		buf = s.buf[:0]
	}
	out, err := bprintf(env, buf, unsafe.Slice(unsafe.StringData(format), len(format)), args[:r5/8])
	if s != nil {
		s.buf = out[:0]
	}
	if err != 0 {
		return err
	}
	if len(dst) > 0 {
		n := copy(dst[:len(dst)-1], out)
		dst[n] = 0
	}
	return uint64(len(out) + 1)
}

// bprintf formats format with args under the kernel's bpf_bprintf_prepare
// rules, appending to out. Conversions: %d %i %u %x %X with an optional l
// or ll (8 bytes; 4 without), %c, %s, %p, %px, %pK, %pks, %pus, %pi4, %pI4,
// %pi6, %pI6 and %%, each with optional flags "0+- " and a width. Any other
// conversion, more conversions than args, or a non-printable byte is
// -EINVAL.
func bprintf(env *engine.Env, out, format []byte, args []uint64) ([]byte, uint64) {
	next := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if (c < 0x20 || c > 0x7e) && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f' {
			return out, errnoEINVAL
		}
		if c != '%' {
			out = append(out, c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			out = append(out, '%')
			i++
			continue
		}
		if next >= len(args) {
			return out, errnoEINVAL
		}
		v := args[next]
		next++
		i++
		var sp spec
		for ; i < len(format); i++ {
			switch format[i] {
			case '0':
				sp.zero = true
				continue
			case '+':
				sp.plus = true
				continue
			case '-':
				sp.left = true
				continue
			case ' ':
				sp.space = true
				continue
			}
			break
		}
		for i < len(format) && format[i] >= '0' && format[i] <= '9' {
			sp.width = sp.width*10 + int(format[i]-'0')
			if sp.width > 1000 {
				return out, errnoEINVAL
			}
			i++
		}
		if i >= len(format) {
			return out, errnoEINVAL
		}
		switch format[i] {
		case 'p':
			var err uint64
			out, i, err = formatPointer(env, out, format, i, v, sp)
			if err != 0 {
				return out, err
			}
			continue
		case 'c':
			out = sp.pad(out, []byte{byte(v)}, false)
			continue
		case 's':
			str, _ := cstring(env, v, maxPrintfString)
			if v == 0 {
				str = "(null)"
			}
			out = sp.pad(out, unsafe.Slice(unsafe.StringData(str), len(str)), false)
			continue
		}
		long := false
		if format[i] == 'l' {
			long = true
			i++
			if i < len(format) && format[i] == 'l' {
				i++
			}
		}
		if i >= len(format) {
			return out, errnoEINVAL
		}
		var num [24]byte
		var digits []byte
		neg := false
		switch format[i] {
		case 'd', 'i':
			n := int64(v)
			if !long {
				n = int64(int32(v))
			}
			if n < 0 {
				neg = true
				digits = strconv.AppendUint(num[:0], uint64(-n), 10)
			} else {
				digits = strconv.AppendUint(num[:0], uint64(n), 10)
			}
		case 'u':
			if !long {
				v = uint64(uint32(v))
			}
			digits = strconv.AppendUint(num[:0], v, 10)
		case 'x', 'X':
			if !long {
				v = uint64(uint32(v))
			}
			digits = strconv.AppendUint(num[:0], v, 16)
			if format[i] == 'X' {
				for j, d := range digits {
					if d >= 'a' {
						digits[j] = d - 'a' + 'A'
					}
				}
			}
		default:
			return out, errnoEINVAL
		}
		sign := ""
		switch {
		case neg:
			sign = "-"
		case sp.plus && (format[i] == 'd' || format[i] == 'i'):
			sign = "+"
		case sp.space && (format[i] == 'd' || format[i] == 'i'):
			sign = " "
		}
		out = sp.padNumber(out, sign, digits)
	}
	return out, 0
}

// spec is the flags and width of one conversion.
type spec struct {
	zero, plus, left, space bool
	width                   int
}

// pad appends s padded to the width with spaces (or zeros when numeric).
func (sp spec) pad(out, s []byte, numeric bool) []byte {
	fill := sp.width - len(s)
	if !sp.left {
		c := byte(' ')
		if sp.zero && numeric {
			c = '0'
		}
		for ; fill > 0; fill-- {
			out = append(out, c)
		}
	}
	out = append(out, s...)
	for ; fill > 0; fill-- {
		out = append(out, ' ')
	}
	return out
}

// padNumber appends sign and digits, zero-padding between them when the
// 0 flag is set.
func (sp spec) padNumber(out []byte, sign string, digits []byte) []byte {
	n := len(sign) + len(digits)
	fill := sp.width - n
	switch {
	case sp.left:
		out = append(out, sign...)
		out = append(out, digits...)
		for ; fill > 0; fill-- {
			out = append(out, ' ')
		}
	case sp.zero:
		out = append(out, sign...)
		for ; fill > 0; fill-- {
			out = append(out, '0')
		}
		out = append(out, digits...)
	default:
		for ; fill > 0; fill-- {
			out = append(out, ' ')
		}
		out = append(out, sign...)
		out = append(out, digits...)
	}
	return out
}

// formatPointer handles the %p family at format[i] == 'p'; it returns the
// index of the conversion's last byte.
func formatPointer(env *engine.Env, out, format []byte, i int, v uint64, sp spec) ([]byte, int, uint64) {
	var mod0, mod1 byte
	if i+1 < len(format) {
		mod0 = format[i+1]
	}
	if i+2 < len(format) {
		mod1 = format[i+2]
	}
	switch {
	case mod0 == 'x' || mod0 == 'K' || mod0 == 'B':
		i++
	case (mod0 == 'k' || mod0 == 'u') && mod1 == 's':
		str, _ := cstring(env, v, maxPrintfString)
		out = sp.pad(out, unsafe.Slice(unsafe.StringData(str), len(str)), false)
		return out, i + 2, 0
	case (mod0 == 'i' || mod0 == 'I') && (mod1 == '4' || mod1 == '6'):
		n := uint64(4)
		if mod1 == '6' {
			n = 16
		}
		b, ok := runBytes(env, v, n)
		if !ok || uint64(len(b)) < n {
			return out, i, errnoEFAULT
		}
		var tmp [48]byte
		t := tmp[:0]
		if mod1 == '4' {
			for j, x := range b {
				if j > 0 {
					t = append(t, '.')
				}
				if mod0 == 'i' {
					t = append(t, '0'+x/100, '0'+x/10%10, '0'+x%10)
				} else {
					t = strconv.AppendUint(t, uint64(x), 10)
				}
			}
		} else {
			const hex = "0123456789abcdef"
			for j, x := range b {
				if j > 0 && j%2 == 0 && mod0 == 'I' {
					t = append(t, ':')
				}
				t = append(t, hex[x>>4], hex[x&15])
			}
		}
		return sp.pad(out, t, false), i + 2, 0
	}
	// A plain pointer: sixteen hex digits, as Linux prints %px.
	var tmp [16]byte
	const hex = "0123456789abcdef"
	for j := range tmp {
		tmp[15-j] = hex[v>>(4*j)&15]
	}
	return sp.pad(out, tmp[:], false), i, 0
}
