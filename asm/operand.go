package asm

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/isa"
)

// isRegister reports whether an operand is written as a register rather
// than an immediate or a label.
func isRegister(t token) bool {
	return strings.HasPrefix(t.text, "%") || parseRegNum(t.text) >= 0
}

// parseRegNum returns the number of "rN" (N 0..15 without leading zeros),
// or -1.
func parseRegNum(s string) int {
	if len(s) < 2 || len(s) > 3 || s[0] != 'r' {
		return -1
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil || n < 0 || n > 15 || strconv.Itoa(n) != s[1:] {
		return -1
	}
	return n
}

// register parses "%rN" or "rN", N from 0 to 10.
func register(num int, t token) (isa.Register, error) {
	n := parseRegNum(strings.TrimPrefix(t.text, "%"))
	if n < 0 || n > int(isa.MaxRegister) {
		return 0, &Error{num, t.col, "Invalid register: " + t.text}
	}
	return isa.Register(n), nil
}

// number splits an optionally signed decimal or 0x-prefixed hex number
// into its sign and magnitude.
func number(s string) (neg, hex bool, mag uint64, ok bool) {
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	base := 10
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		hex, base, s = true, 16, s[2:]
	}
	if s == "" || s[0] == '+' || s[0] == '-' || s[0] == '_' {
		return false, false, 0, false
	}
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return false, false, 0, false
	}
	return neg, hex, v, true
}

// signedValue applies the sign and checks that the value fits in a field
// of the given bits: decimal numbers are signed, positive hex numbers may
// use the whole unsigned range (and wrap), negative hex numbers are signed.
func signedValue(neg, hex bool, mag uint64, bits uint) (int64, bool) {
	if bits == 64 {
		if neg {
			if mag > 1<<63 {
				return 0, false
			}
			return int64(-mag), true
		}
		// Any unsigned 64-bit value, hex or decimal, as in upstream.
		return int64(mag), true
	}
	minMag := uint64(1) << (bits - 1) // magnitude of the minimum
	switch {
	case neg:
		if mag > minMag {
			return 0, false
		}
		return -int64(mag), true
	case hex:
		if mag >= 1<<bits {
			return 0, false
		}
		// Wrap into the signed range.
		v := int64(mag)
		if mag >= minMag {
			v -= 1 << bits
		}
		return v, true
	default:
		if mag >= minMag {
			return 0, false
		}
		return int64(mag), true
	}
}

// imm32 parses a 32-bit immediate.
func imm32(num int, t token) (int32, error) {
	v, err := fieldValue(num, t, 32, "immediate")
	return int32(v), err
}

// imm64 parses the 64-bit immediate of lddw.
func imm64(num int, t token) (uint64, error) {
	v, err := fieldValue(num, t, 64, "immediate")
	return uint64(v), err
}

// offset16 parses a 16-bit offset (of a memory operand or a jump).
func offset16(num int, t token) (int16, error) {
	v, err := fieldValue(num, t, 16, "offset")
	return int16(v), err
}

// fieldValue parses t as the value of a field of the given bits, with the
// rules of signedValue; what ("immediate", "offset") names the field in
// errors.
func fieldValue(num int, t token, bits uint, what string) (int64, error) {
	neg, hex, mag, ok := number(t.text)
	if !ok {
		return 0, &Error{num, t.col, "Invalid " + what + ": " + t.text}
	}
	v, ok := signedValue(neg, hex, mag, bits)
	if !ok {
		what = strings.ToUpper(what[:1]) + what[1:]
		return 0, &Error{num, t.col, what + " out of " + strconv.Itoa(int(bits)) + "-bit range: " + t.text}
	}
	return v, nil
}

// memory parses "[%rN]", "[%rN+OFF]" or "[%rN-OFF]"; blanks may surround
// the register and the sign.
func memory(num int, t token) (isa.Register, int16, error) {
	s := t.text
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return 0, 0, &Error{num, t.col, fmt.Sprintf("Invalid memory operand %s: want [%%rN+OFFSET]", t.text)}
	}
	inner := s[1 : len(s)-1]
	col := t.col + 1
	// Skip leading blanks.
	lead := len(inner) - len(strings.TrimLeft(inner, " \t"))
	inner, col = inner[lead:], col+lead
	end := strings.IndexAny(inner, "+- \t")
	if end < 0 {
		end = len(inner)
	}
	if end == 0 {
		return 0, 0, &Error{num, col, fmt.Sprintf("Invalid memory operand %s: want [%%rN+OFFSET]", t.text)}
	}
	reg, err := register(num, token{inner[:end], col})
	if err != nil {
		return 0, 0, err
	}
	rest := inner[end:]
	restCol := col + end
	trimmed := strings.TrimLeft(rest, " \t")
	restCol += len(rest) - len(trimmed)
	rest = strings.TrimRight(trimmed, " \t")
	if rest == "" {
		return reg, 0, nil
	}
	if rest[0] != '+' && rest[0] != '-' {
		return 0, 0, &Error{num, restCol, fmt.Sprintf("Invalid memory operand %s: want [%%rN+OFFSET]", t.text)}
	}
	// Allow blanks between the sign and the number.
	digits := strings.TrimLeft(rest[1:], " \t")
	off, err := offset16(num, token{rest[:1] + digits, restCol})
	if err != nil {
		return 0, 0, err
	}
	return reg, off, nil
}

// fitsInt16 reports whether v fits in a jump's 16-bit offset.
func fitsInt16(v int) bool { return v >= math.MinInt16 && v <= math.MaxInt16 }

// fitsInt32 reports whether v fits in a 32-bit immediate.
func fitsInt32(v int) bool { return v >= math.MinInt32 && v <= math.MaxInt32 }
