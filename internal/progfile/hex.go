package progfile

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/isa"
)

// hexWords splits one line of hex text into its words, dropping a "#"
// comment and treating commas as blanks.
func hexWords(line string) []string {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	return strings.FieldsFunc(line, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == ',' || r == '\f' || r == '\v'
	})
}

// isHexWord reports whether w is a 0x-prefixed number of at most 64 bits
// or an even number of hex digits.
func isHexWord(w string) bool {
	if rest, ok := strings.CutPrefix(strings.ToLower(w), "0x"); ok {
		return rest != "" && len(rest) <= 16 && isHexDigits(rest)
	}
	return len(w)%2 == 0 && isHexDigits(w)
}

func isHexDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return len(s) > 0
}

// isHexText reports whether s has at least one word and only hex words.
func isHexText(s string) bool {
	n := 0
	for line := range strings.Lines(s) {
		for _, w := range hexWords(line) {
			if !isHexWord(w) {
				return false
			}
			n++
		}
	}
	return n > 0
}

// parseHex reads hex text: words of hex digits are bytes in order
// ("b7 00 00 00 01 00 00 00" or "b700000001000000"), and 0x-prefixed words
// are 64-bit instruction words, stored little-endian as in the "-- raw"
// sections of the conformance suite.
func parseHex(name, s string) (isa.Program, error) {
	var b []byte
	num := 0
	for line := range strings.Lines(s) {
		num++
		for _, w := range hexWords(line) {
			if rest, ok := strings.CutPrefix(strings.ToLower(w), "0x"); ok {
				v, err := strconv.ParseUint(rest, 16, 64)
				if err != nil {
					return isa.Program{}, fmt.Errorf("%s:%d: invalid 64-bit word %q", name, num, w)
				}
				b = binary.LittleEndian.AppendUint64(b, v)
				continue
			}
			d, err := hex.DecodeString(w)
			if err != nil {
				return isa.Program{}, fmt.Errorf("%s:%d: invalid hex %q", name, num, w)
			}
			b = append(b, d...)
		}
	}
	p, err := isa.Decode(b)
	if err != nil {
		return isa.Program{}, fmt.Errorf("%s: hex text: %w", name, err)
	}
	return p, nil
}
