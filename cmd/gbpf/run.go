package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/conformance"
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

The program runs through gbpf's API as a Raw program: r1 points at the
input memory and r2 is its length (0 without memory).
The memory is --mem (hex bytes, or @FILE for a file's raw bytes), or the
"-- mem" of a .data file (the pattern buffer of a benchmark's "-- mem-size").
The memory is at most 1 MiB; every run starts from a fresh copy of it. When a .data file
gives the expected result, a different r0 is an error.

The program is verified first, as a raw program whose context is the
memory and which calls no helper but the suite's unwind (below). A program the verifier rejects is not
run: the error names the instruction and the reason. --no-verify skips the
verifier and runs the program on the checked interpreter (checked),
which turns every access outside its stack and input into an error naming
the instruction; an unverified program runs nowhere else, so --no-verify
with another --engine is an error. --checked runs a verified program on
the checked interpreter too. Programs may call helper 5, the conformance
suite's "unwind", with a number.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProgram(cmd, args[0], &f)
		},
	}
	cmd.Flags().StringVar(&f.mem, "mem", "", "input memory: hex bytes, or @FILE for the raw bytes of FILE (@- standard input); at most 1 MiB")
	cmd.Flags().IntVar(&f.repeat, "repeat", 1, "number of runs")
	cmd.Flags().BoolVar(&f.checked, "checked", false, "check every memory access (the checked engine)")
	cmd.Flags().BoolVar(&f.noVerify, "no-verify", false, "do not verify the program; run it on the checked interpreter (checked) only")
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
	e, err := lookupEngine(f.engine)
	if err != nil {
		return err
	}
	if f.checked {
		if f.engine != "" && e != gbpf.EngineChecked {
			return fmt.Errorf("--checked runs the %s engine; it cannot be combined with --engine %s", gbpf.EngineChecked, f.engine)
		}
		e = gbpf.EngineChecked
	}
	if f.noVerify && f.engine != "" && e != gbpf.EngineChecked {
		return fmt.Errorf("--no-verify runs the program on %s only; it cannot be combined with --engine %s", gbpf.EngineChecked, f.engine)
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
	prog, err := prepareRun(path, file.Program, input, e, f.noVerify)
	if err != nil {
		return err
	}
	defer prog.Close()
	ran := prog.Engine().String()
	if prog.Checked() {
		ran += ", not verified"
	}

	// Ctrl-C cancels the run.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	res, err := prog.TestContext(ctx, &gbpf.RunOptions{Data: input, Repeat: f.repeat, Budget: f.budget})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "%#x\n", res.Return)
	fmt.Fprintf(out, "%v per run (mean of %d on %s)\n", res.Duration, f.repeat, ran)
	if t := file.Test; t != nil && t.HasResult && res.Return != t.Result {
		return fmt.Errorf("%s: r0 = %#x, but the file expects %#x", path, res.Return, t.Result)
	}
	return nil
}

// prepareRun makes p a Raw program of the root API on input, as the
// conformance runner does (conformance.Prepare), verified and compiled for
// e, or with noVerify unverified on the checked interpreter.
func prepareRun(path string, p isa.Program, input []byte, e gbpf.Engine, noVerify bool) (*gbpf.Program, error) {
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	prog, err := conformance.Prepare(name, p, input, &gbpf.Options{Engine: e, Checked: noVerify})
	if err != nil {
		hint := "; --no-verify runs it unverified on the checked interpreter"
		var ve *verifier.Error
		switch {
		case errors.As(err, &ve) && ve.Insn >= 0:
			return nil, fmt.Errorf("%s: rejected by the verifier at instruction %d: %s%s", path, ve.Insn, ve.Msg, hint)
		case ve != nil:
			return nil, fmt.Errorf("%s: rejected by the verifier: %s%s", path, ve.Msg, hint)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return prog, nil
}
