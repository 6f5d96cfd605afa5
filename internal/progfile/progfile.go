// Package progfile reads an eBPF program from a file in any of the forms
// gbpf's commands accept: assembler text, a conformance or benchmark
// ".data" test file, hex text, raw bytecode, or an ELF object.
package progfile

//go:generate clang -target bpf -O2 -g0 -c testdata/prog.c -o testdata/prog.o

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/isa"
)

// Kind is the form a program file was written in.
type Kind int

const (
	KindAuto Kind = iota // detect the kind from the contents (Options only)
	KindAsm              // assembler text in the bpf_conformance dialect
	KindData             // a ".data" test file of the conformance suite or the benchmarks
	KindHex              // hex text: bytes ("b7 00 00 00 ...") or 0x-prefixed 64-bit words
	KindRaw              // raw bytecode, 8 bytes per slot
	KindELF              // an ELF object; the program is one of its sections
)

func (k Kind) String() string {
	switch k {
	case KindAuto:
		return "auto"
	case KindAsm:
		return "assembler"
	case KindData:
		return "data"
	case KindHex:
		return "hex"
	case KindRaw:
		return "raw"
	case KindELF:
		return "ELF"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// File is a program read from a file.
type File struct {
	Path    string
	Kind    Kind
	Program isa.Program
	// Memory is the input memory of a ".data" file (its "-- mem", or the
	// pattern buffer of its "-- mem-size"), nil for other kinds or when
	// the test uses no memory.
	Memory []byte
	// Test is the parsed ".data" file, nil for other kinds.
	Test *conformance.Test
	// Section is the ELF section the program came from.
	Section string
}

// Options adjust how a file is read.
type Options struct {
	// Section selects an ELF section by name; by default the first
	// executable section that is not empty.
	Section string
	// Kind, unless KindAuto, says what the file holds instead of
	// detecting it.
	Kind Kind
}

// ParseKind returns the kind named by its String form: "auto",
// "assembler" (or "asm"), "data", "hex", "raw" or "elf".
func ParseKind(name string) (Kind, error) {
	switch strings.ToLower(name) {
	case "auto", "":
		return KindAuto, nil
	case "asm", "assembler":
		return KindAsm, nil
	case "data":
		return KindData, nil
	case "hex":
		return KindHex, nil
	case "raw":
		return KindRaw, nil
	case "elf":
		return KindELF, nil
	}
	return KindAuto, fmt.Errorf("unknown file kind %q (want auto, asm, data, hex, raw or elf)", name)
}

// Load reads the program in the file at path, detecting its kind. The
// program is not validated: assembler text is (Assemble checks it), other
// kinds hold whatever bytes the file has.
func Load(path string) (*File, error) { return LoadOptions(path, Options{}) }

// LoadOptions is Load with options.
func LoadOptions(path string, o Options) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(path, f, o)
}

// MaxFileSize bounds the files Load and Read read: room for the largest
// program the verifier takes (a million slots) as text, or in an ELF
// object with its debug information.
const MaxFileSize = 64 << 20

// Read reads a program from r, the contents of the file named name, of at
// most MaxFileSize bytes.
func Read(name string, r io.Reader, o Options) (*File, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d MiB, the most a program file may be", name, MaxFileSize>>20)
	}
	return Parse(name, b, o)
}

// Parse reads a program from the contents b of the file named name (used
// in errors: "name:line:column: message"; a name ending in ".data" is a
// test file unless the contents are an ELF object).
func Parse(name string, b []byte, o Options) (*File, error) {
	f := &File{Path: name, Kind: o.Kind}
	if f.Kind == KindAuto {
		f.Kind = Detect(b)
		// A ".data" file is a test file, as "gbpf conformance" reads it,
		// even where a comment makes it look binary (a DEL character in
		// some of the suite's files).
		if f.Kind != KindELF && filepath.Ext(name) == ".data" {
			f.Kind = KindData
		}
	}
	var err error
	switch f.Kind {
	case KindELF:
		f.Program, f.Section, err = parseELF(name, b, o.Section)
	case KindRaw:
		f.Program, err = isa.Decode(b)
		if err != nil {
			err = fmt.Errorf("%s: raw bytecode: %w", name, err)
		}
	case KindData:
		err = f.parseData(name, b)
	case KindHex:
		f.Program, err = parseHex(name, string(b))
	case KindAsm:
		f.Program, err = assemble(name, string(b), 1)
	default:
		err = fmt.Errorf("%s: unknown file kind %v", name, f.Kind)
	}
	if err != nil {
		return nil, err
	}
	if o.Section != "" && f.Kind != KindELF {
		return nil, fmt.Errorf("%s: a section (%q) can only be chosen in an ELF object; this is %v", name, o.Section, f.Kind)
	}
	return f, nil
}

// Detect returns the kind of a file's contents: an ELF object by its
// magic number; raw bytecode when the contents are not text; among text, a
// ".data" file when a line starts with "--", hex text when every word is
// hex, and assembler text otherwise.
func Detect(b []byte) Kind {
	switch {
	case bytes.HasPrefix(b, []byte(elfMagic)):
		return KindELF
	case !isText(b):
		return KindRaw
	case bytes.HasPrefix(b, []byte("--")) || bytes.Contains(b, []byte("\n--")):
		return KindData
	case isHexText(string(b)):
		return KindHex
	}
	return KindAsm
}

// elfMagic starts every ELF object.
const elfMagic = "\x7fELF"

// IsELF reports whether the file at path is an ELF object (starts with
// the ELF magic number); false when it cannot be read.
func IsELF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [len(elfMagic)]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == elfMagic
}

// isText reports whether b is UTF-8 text without control characters other
// than blanks.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v' || c == 0x7f {
			return false
		}
	}
	return true
}

func (f *File) parseData(name string, b []byte) error {
	tc, err := conformance.ParseData(name, b)
	if err != nil {
		return err
	}
	f.Test, f.Memory = tc, tc.Input()
	if tc.Raw != nil {
		f.Program, err = isa.Decode(tc.Raw)
		return err
	}
	f.Program, err = assemble(name, tc.Asm, tc.AsmLine)
	return err
}

// assemble assembles src, which starts at line first of the file name.
func assemble(name, src string, first int) (isa.Program, error) {
	p, err := asm.Assemble(src)
	var e *asm.Error
	if errors.As(err, &e) {
		return p, fmt.Errorf("%s:%d:%d: %s", name, first+e.Line-1, e.Col, e.Msg)
	}
	return p, err
}
