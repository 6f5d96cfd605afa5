package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/engines"
	"github.com/gbpf/gbpf/internal/progfile"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

func init() {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a BPF program once or many times and print r0",
		Long: `Run the program in FILE (assembler text, a conformance or benchmark .data
file, hex text, raw bytecode or an ELF object) and print r0 in hex, then the
mean time per run.

r1 points at the input memory and r2 is its length (both 0 without memory).
The memory is --mem (hex bytes, or @FILE for a file's raw bytes), or the
"-- mem" of a .data file (the pattern buffer of a benchmark's "-- mem-size").
Repeated runs use the same memory, of at most 1 MiB. When a .data file
gives the expected result, a different r0 is an error.

The program is verified first, as a raw program whose context is the
memory and which calls no helper. A program the verifier rejects is not
run: the error names the instruction and the reason. --no-verify skips the
verifier and runs the program on the checked interpreter (interp-checked),
which turns every access outside its stack and input into an error naming
the instruction; an unverified program runs nowhere else, so --no-verify
with another --engine is an error. --checked runs a verified program on
the checked interpreter too. Unverified programs may call helper 5, the
conformance suite's "unwind".`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProgram(cmd, args[0], &f)
		},
	}
	cmd.Flags().StringVar(&f.mem, "mem", "", "input memory: hex bytes, or @FILE for the raw bytes of FILE (@- standard input); at most 1 MiB")
	cmd.Flags().IntVar(&f.repeat, "repeat", 1, "number of runs")
	cmd.Flags().BoolVar(&f.checked, "checked", false, "check every memory access (the interp-checked engine)")
	cmd.Flags().BoolVar(&f.noVerify, "no-verify", false, "do not verify the program; run it on the checked interpreter (interp-checked) only")
	cmd.Flags().StringVar(&f.engine, "engine", "", engineFlagUsage)
	cmd.Flags().Uint64Var(&f.budget, "budget", 0, "most instructions a run may execute (0: the engine's default)")
	cmd.Flags().StringVar(&f.section, "section", "", "ELF section holding the program (default: the first executable one)")
	addCommand(cmd)
}

type runFlags struct {
	mem      string
	repeat   int
	checked  bool
	noVerify bool
	engine   string
	budget   uint64
	section  string
}

func runProgram(cmd *cobra.Command, path string, f *runFlags) error {
	if f.repeat < 1 {
		return fmt.Errorf("--repeat must be at least 1, not %d", f.repeat)
	}
	name := f.engine
	if f.checked {
		if name != "" && name != engines.Checked {
			return fmt.Errorf("--checked runs the %s engine; it cannot be combined with --engine %s", engines.Checked, name)
		}
		name = engines.Checked
	}
	if f.noVerify && name != "" && name != engines.Checked {
		return fmt.Errorf("--no-verify runs the program on %s only; it cannot be combined with --engine %s", engines.Checked, name)
	}
	e, err := lookupEngine(name)
	if err != nil {
		return err
	}
	file, err := progfile.LoadOptions(path, progfile.Options{Section: f.section})
	if err != nil {
		return err
	}
	input := file.Memory
	if f.mem != "" {
		if input, err = bytesArg(cmd.InOrStdin(), "mem", f.mem, progtype.Raw); err != nil {
			return err
		}
	}
	prog, ran, err := prepareRun(path, file.Program, input, e, f.noVerify)
	if err != nil {
		return err
	}
	defer prog.Close()

	// Ctrl-C cancels the run.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	env := &engine.Env{Helpers: conformance.Helpers(), Budget: f.budget, Context: ctx}
	var r0 uint64
	var elapsed time.Duration
	err = conformance.WithInput(env, input, func(r1, r2 uint64) (err error) {
		if r0, elapsed, err = timeRuns(prog, env, r1, r2, f.repeat); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "%#x\n", r0)
	fmt.Fprintf(out, "%v per run (mean of %d on %s)\n", elapsed/time.Duration(f.repeat), f.repeat, ran)
	if t := file.Test; t != nil && t.HasResult && r0 != t.Result {
		return fmt.Errorf("%s: r0 = %#x, but the file expects %#x", path, r0, t.Result)
	}
	return nil
}

// prepareRun verifies p as a Raw program on input (conformance.Verify) and
// compiles it on e, or with noVerify compiles it unverified on the checked
// interpreter. It returns the program and where it runs, for the report.
func prepareRun(path string, p isa.Program, input []byte, e engines.Engine, noVerify bool) (engine.Program, string, error) {
	if noVerify {
		prog, err := engines.CompileUnverified(p)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		return prog, engines.Checked + ", not verified", nil
	}
	v, err := conformance.Verify(p, input)
	if err != nil {
		hint := "; --no-verify runs it unverified on the checked interpreter"
		var ve *verifier.Error
		switch {
		case errors.As(err, &ve) && ve.Insn >= 0:
			return nil, "", fmt.Errorf("%s: rejected by the verifier at instruction %d: %s%s", path, ve.Insn, ve.Msg, hint)
		case ve != nil:
			return nil, "", fmt.Errorf("%s: rejected by the verifier: %s%s", path, ve.Msg, hint)
		}
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	prog, err := e.Compile(v)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return prog, e.Name, nil
}

// errUnmappedAccess is a run that touched memory that is not mapped.
var errUnmappedAccess = errors.New("the program touched unmapped memory; run it with --checked to find the instruction")

// timeRuns runs prog n times and returns the last r0 and the total time.
// An engine that faults on unmapped memory becomes an error rather than a
// crash where the Go runtime can catch it.
func timeRuns(prog engine.Program, env *engine.Env, r1, r2 uint64, n int) (r0 uint64, elapsed time.Duration, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if v := recover(); v != nil {
			if re, ok := v.(interface{ Addr() uintptr }); ok {
				err = fmt.Errorf("%w (address %#x)", errUnmappedAccess, re.Addr())
				return
			}
			if e, ok := v.(error); ok && strings.Contains(e.Error(), "invalid memory address") {
				err = errUnmappedAccess
				return
			}
			panic(v)
		}
	}()
	start := time.Now()
	for range n {
		if r0, err = prog.Run(env, r1, r2); err != nil {
			return 0, 0, err
		}
	}
	return r0, time.Since(start), nil
}
