package conformance

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Test is one parsed test file of the bpf_conformance suite or of the
// benchmark workloads: a program (as assembler text, raw bytes or both),
// its input memory and what it must produce.
type Test struct {
	// Name is the file's base name without the ".data" extension.
	Name string
	// Asm is the text of the "-- asm" section, verbatim (comments
	// included), one line per source line. Empty when there is none.
	Asm string
	// AsmLine is the line of the file that holds the first line of Asm, so
	// that line L of Asm is line AsmLine+L-1 of the file.
	AsmLine int
	// Raw is the program of the "-- raw" section in the wire format, nil
	// when there is none.
	Raw []byte
	// Mem is the input memory of the "-- mem" section, nil when there is
	// none.
	Mem []byte
	// MemSize is the buffer size of the "-- mem-size" section (benchmark
	// files), 0 when there is none.
	MemSize int
	// Result is the expected 64-bit r0, valid when HasResult is set.
	Result    uint64
	HasResult bool
	// Error is the expected error text, valid when HasError is set (it may
	// be empty: the test only expects some error).
	Error    string
	HasError bool
}

// Input returns a fresh copy of the memory the program runs on: Mem when
// the file has a "-- mem" section, otherwise MemSize bytes where byte i is
// (i*31 + 7) & 0xff, the fill pattern of the benchmark files. It returns
// nil when the test uses no memory.
func (t *Test) Input() []byte {
	if t.Mem != nil {
		return bytes.Clone(t.Mem)
	}
	if t.MemSize == 0 {
		return nil
	}
	b := make([]byte, t.MemSize)
	for i := range b {
		b[i] = byte(i*31 + 7)
	}
	return b
}

// MaxMemSize is the most memory a test may give ("-- mem" or "-- mem-size"):
// the largest input of a Raw program the verifier accepts (1 MiB).
const MaxMemSize = 1 << 20

// The sections of a data file.
const (
	sectionNone = iota
	sectionAsm
	sectionRaw
	sectionMem
	sectionMemSize
	sectionResult
	sectionError
	sectionIgnore // "-- no register offset", "-- c"
)

var sectionNames = map[string]int{
	"asm":                sectionAsm,
	"raw":                sectionRaw,
	"mem":                sectionMem,
	"mem-size":           sectionMemSize,
	"result":             sectionResult,
	"error":              sectionError,
	"no register offset": sectionIgnore,
	"c":                  sectionIgnore,
}

// ParseData parses a test file in the ".data" format of the bpf_conformance
// suite: sections that start with a line "-- NAME" ("asm", "raw", "mem",
// "mem-size", "result", "error", and the informational "no register
// offset" and "c"), with "#" starting a comment anywhere on a line. name is
// used in error messages and for Test.Name. Errors name the line, as in
// "name:12: unknown directive ...": an unknown or repeated section, text
// before the first section, or a malformed value. A file must hold a
// program ("-- asm" or "-- raw"); the assembler text is not assembled
// here. "-- raw" holds 0x-prefixed 64-bit words (stored little-endian) or
// single hex bytes.
func ParseData(name string, b []byte) (*Test, error) {
	t := &Test{Name: strings.TrimSuffix(filepath.Base(name), ".data")}
	p := dataParser{name: name, t: t}
	lines := strings.Split(string(b), "\n")
	for i, line := range lines {
		if err := p.line(i+1, strings.TrimSuffix(line, "\r")); err != nil {
			return nil, err
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return t, nil
}

type dataParser struct {
	name    string
	t       *Test
	section int
	seen    map[int]int // section -> line of its directive
	asm     []string
	errText []string
	raw     []byte
	rawLine int // line where the raw section starts, for errors
	scalar  string
	scalarL int
}

func (p *dataParser) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.name, line, fmt.Sprintf(format, args...))
}

// stripComment removes a "#" comment from line.
func stripComment(line string) string {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		return line[:i]
	}
	return line
}

func (p *dataParser) line(n int, line string) error {
	if strings.HasPrefix(line, "--") {
		return p.directive(n, line)
	}
	if p.section == sectionAsm {
		// Kept verbatim: the assembler strips comments and reports
		// positions in the original text.
		p.asm = append(p.asm, line)
		return nil
	}
	text := strings.TrimSpace(stripComment(line))
	if p.section == sectionIgnore || text == "" {
		return nil
	}
	switch p.section {
	case sectionNone:
		return p.errorf(n, "text outside a section: %q", text)
	case sectionRaw:
		return p.parseRaw(n, text)
	case sectionMem:
		for _, f := range strings.Fields(text) {
			v, err := strconv.ParseUint(strings.TrimPrefix(f, "0x"), 16, 8)
			if err != nil {
				return p.errorf(n, "invalid memory byte %q", f)
			}
			if len(p.t.Mem) == MaxMemSize {
				return p.errorf(n, "more than %d bytes of memory, the most a test may have", MaxMemSize)
			}
			p.t.Mem = append(p.t.Mem, byte(v))
		}
	case sectionError:
		p.errText = append(p.errText, text)
	case sectionResult, sectionMemSize:
		if p.scalar != "" {
			return p.errorf(n, "more than one value in the section")
		}
		p.scalar, p.scalarL = text, n
	}
	return nil
}

// parseRaw parses one line of a "-- raw" section: 64-bit words written as
// 0x-prefixed hex numbers (the upstream form), or single bytes in hex
// ("07 00 01 00 ...", as in the negative tests).
func (p *dataParser) parseRaw(n int, text string) error {
	for _, f := range strings.Fields(text) {
		if strings.HasPrefix(f, "0x") || strings.HasPrefix(f, "0X") {
			v, err := strconv.ParseUint(f[2:], 16, 64)
			if err != nil {
				return p.errorf(n, "invalid 64-bit instruction word %q", f)
			}
			p.raw = binary.LittleEndian.AppendUint64(p.raw, v)
			continue
		}
		if len(f) > 2 {
			return p.errorf(n, "invalid raw byte %q (write 64-bit words as 0x...)", f)
		}
		v, err := strconv.ParseUint(f, 16, 8)
		if err != nil {
			return p.errorf(n, "invalid raw byte %q", f)
		}
		p.raw = append(p.raw, byte(v))
	}
	return nil
}

func (p *dataParser) directive(n int, line string) error {
	if err := p.endSection(); err != nil {
		return err
	}
	name := strings.TrimSpace(stripComment(line[2:]))
	sec, ok := sectionNames[name]
	if !ok {
		return p.errorf(n, "unknown directive %q", strings.TrimSpace(line))
	}
	if p.seen == nil {
		p.seen = make(map[int]int)
	}
	if prev, dup := p.seen[sec]; dup && sec != sectionIgnore {
		return p.errorf(n, "duplicate section %q (first at line %d)", "-- "+name, prev)
	}
	p.seen[sec] = n
	p.section = sec
	switch sec {
	case sectionAsm:
		p.t.AsmLine = n + 1
	case sectionRaw:
		p.rawLine = n
		p.raw = []byte{}
	case sectionMem:
		p.t.Mem = []byte{}
	case sectionError:
		p.t.HasError = true
	}
	return nil
}

// endSection completes the section being read.
func (p *dataParser) endSection() error {
	switch p.section {
	case sectionAsm:
		// Trailing blank lines carry nothing.
		for len(p.asm) > 0 && strings.TrimSpace(p.asm[len(p.asm)-1]) == "" {
			p.asm = p.asm[:len(p.asm)-1]
		}
		p.t.Asm = strings.Join(p.asm, "\n")
		if p.t.Asm != "" {
			p.t.Asm += "\n"
		}
	case sectionRaw:
		if len(p.raw)%8 != 0 {
			return p.errorf(p.rawLine, "raw program is %d bytes, not a multiple of 8", len(p.raw))
		}
		p.t.Raw = p.raw
	case sectionError:
		p.t.Error = strings.Join(p.errText, "\n")
	case sectionResult:
		if p.scalar == "" {
			return p.errorf(p.seen[sectionResult], "empty -- result section")
		}
		v, err := parseResult(p.scalar)
		if err != nil {
			return p.errorf(p.scalarL, "invalid result %q", p.scalar)
		}
		p.t.Result, p.t.HasResult = v, true
		p.scalar = ""
	case sectionMemSize:
		if p.scalar == "" {
			return p.errorf(p.seen[sectionMemSize], "empty -- mem-size section")
		}
		v, err := strconv.ParseUint(p.scalar, 10, 31)
		if err != nil {
			return p.errorf(p.scalarL, "invalid memory size %q", p.scalar)
		}
		if v > MaxMemSize {
			return p.errorf(p.scalarL, "memory size %d is larger than %d, the most a test may have", v, MaxMemSize)
		}
		p.t.MemSize = int(v)
		p.scalar = ""
	}
	p.section = sectionNone
	return nil
}

func (p *dataParser) finish() error {
	if err := p.endSection(); err != nil {
		return err
	}
	if strings.TrimSpace(stripAllComments(p.t.Asm)) == "" && len(p.t.Raw) == 0 {
		return fmt.Errorf("%s: no program: the file has neither an -- asm nor a -- raw section with instructions", p.name)
	}
	if p.t.Mem != nil && p.t.MemSize != 0 {
		return fmt.Errorf("%s: both -- mem and -- mem-size", p.name)
	}
	return nil
}

func stripAllComments(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		b.WriteString(stripComment(line))
	}
	return b.String()
}

// parseResult reads an expected r0: hex with 0x, or decimal (negative
// values wrap to 64 bits).
func parseResult(s string) (uint64, error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return strconv.ParseUint(s[2:], 16, 64)
	}
	if strings.HasPrefix(s, "-") {
		v, err := strconv.ParseInt(s, 10, 64)
		return uint64(v), err
	}
	return strconv.ParseUint(s, 10, 64)
}
