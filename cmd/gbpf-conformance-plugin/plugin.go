package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/isa"
)

const usage = "usage: gbpf-conformance-plugin [--program <hex program>] [<hex memory>] [--engine NAME] [--debug] [--elf]"

// options are the parsed command line.
type options struct {
	program    string // from --program; otherwise read from stdin
	hasProgram bool
	memory     string
	engine     string
	elf        bool
	debug      bool
}

// parseArgs reads the command line the way the upstream runner builds it:
// the memory first when there is any, then options in any order.
func parseArgs(args []string) (options, error) {
	var opts options
	// Empty arguments come from splitting an empty or doubly spaced
	// --plugin_options; they mean nothing.
	args = slices.DeleteFunc(slices.Clone(args), func(s string) bool { return strings.TrimSpace(s) == "" })
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--program" || a == "--engine":
			if i+1 >= len(args) {
				return opts, fmt.Errorf("%s needs a value", a)
			}
			i++
			if a == "--program" {
				opts.program, opts.hasProgram = args[i], true
			} else {
				opts.engine = args[i]
			}
		case strings.HasPrefix(a, "--engine="):
			opts.engine = strings.TrimPrefix(a, "--engine=")
		case a == "--elf":
			opts.elf = true
		case a == "--debug":
			opts.debug = true
		case strings.HasPrefix(a, "-"):
			return opts, fmt.Errorf("unknown option %q", a)
		case i == 0 || (i == 2 && opts.hasProgram && args[0] == "--program"):
			opts.memory = a
		default:
			return opts, fmt.Errorf("unexpected argument %q", a)
		}
	}
	return opts, nil
}

// decodeHex reads bytes written as hex pairs separated by white space
// ("b7  00  01"), as the upstream runner writes them. An "0x" prefix on a
// byte is accepted.
func decodeHex(what, s string) ([]byte, error) {
	fields := strings.Fields(s)
	b := make([]byte, 0, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseUint(strings.TrimPrefix(f, "0x"), 16, 8)
		if err != nil {
			return nil, fmt.Errorf("%s: byte %d: %q is not a hex byte", what, i, f)
		}
		b = append(b, byte(v))
	}
	return b, nil
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	for _, a := range args {
		if a == "--help" || a == "-h" {
			fmt.Fprintln(stderr, usage)
			return 1
		}
	}
	r0, err := execute(args, stdin, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%x\n", r0)
	return 0
}

func execute(args []string, stdin io.Reader, stderr io.Writer) (uint64, error) {
	opts, err := parseArgs(args)
	if err != nil {
		return 0, fmt.Errorf("%w\n%s", err, usage)
	}
	e, err := gbpf.ParseEngine(opts.engine)
	if err != nil {
		return 0, err
	}
	text := opts.program
	if !opts.hasProgram {
		b, err := io.ReadAll(io.LimitReader(stdin, maxInput+1))
		if err != nil {
			return 0, fmt.Errorf("reading the program: %w", err)
		}
		if len(b) > maxInput {
			return 0, fmt.Errorf("the program on standard input is longer than %d MiB", maxInput>>20)
		}
		text = string(b)
	}
	code, err := decodeHex("program", text)
	if err != nil {
		return 0, err
	}
	if len(code) == 0 {
		return 0, errors.New("no program on standard input")
	}
	if opts.elf {
		if code, err = elfProgram(code); err != nil {
			return 0, err
		}
	}
	mem, err := decodeHex("memory", opts.memory)
	if err != nil {
		return 0, err
	}
	p, err := isa.Decode(code)
	if err != nil {
		return 0, err
	}
	if opts.debug {
		if err := asm.Fprint(stderr, p, asm.SyntaxConformance); err != nil {
			fmt.Fprintln(stderr, "disassembly:", err)
		}
	}
	prog, err := compile(e, p, mem, opts.debug, stderr)
	if err != nil {
		return 0, err
	}
	defer prog.Close()
	return conformance.Run(prog, mem)
}

// maxInput bounds the hex text read from standard input: room for the
// largest program the verifier takes (verifier.MaxInsns slots of 8 bytes,
// 4 characters a byte as the upstream runner writes them) in an ELF
// object.
const maxInput = 64 << 20

// compile prepares p as the suite runs it through the root API
// (conformance.NewProgram): on e when the verifier accepts it, on the
// checked interpreter when it rejects it; --debug says which.
func compile(e gbpf.Engine, p isa.Program, mem []byte, debug bool, stderr io.Writer) (*gbpf.Program, error) {
	prog, rejected, err := conformance.NewProgram("main", p, mem, e)
	if debug && err == nil {
		ran := conformance.EngineName(prog)
		if rejected != nil {
			fmt.Fprintf(stderr, "%v; running on %s\n", rejected, ran)
		} else {
			fmt.Fprintf(stderr, "verified; running on %s\n", ran)
		}
	}
	return prog, err
}
