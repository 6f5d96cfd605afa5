package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf/internal/progfile"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

func init() { addCommand(newVerifyCmd()) }

// errRejected reports that the verifier rejected a program; the reason was
// printed already.
var errRejected = errors.New("program rejected by the verifier")

// verifyTarget is one program to verify with what it is checked against.
type verifyTarget struct {
	name string
	opts verifier.Options
	prog *progfile.File
	spec *loader.ProgramSpec
	// linkErr is why the loader could not link the program, which is
	// then rejected without verification.
	linkErr error
}

// newVerifyCmd returns the "verify" command: run the verifier on a program.
func newVerifyCmd() *cobra.Command {
	var progName, typeName string
	var logLevel, ctxSize int
	var privileged bool
	cmd := &cobra.Command{
		Use:   "verify OBJ|ASM",
		Short: "Check that a program is safe to run",
		Long: `Run gbpf's verifier on the programs of an ELF object (clang -target bpf),
or on a program in assembler text (or any form "gbpf asm" reads).

For an object, every program is verified against its maps and the type its
section names, unless --prog picks one. Other files hold one program, of the
type --type gives (default: raw, a program on plain memory of --ctx-size
bytes; conformance ".data" files use their memory).

Programs are checked with the rules Linux applies to a loader without
CAP_PERFMON, under which no pointer may become data the program can see or
hand out; --privileged applies the rules Linux applies to root instead
(pointer leaks, reads of unwritten stack, pointer comparisons, variable
stack offsets, bpf_probe_read and bpf_trace_printk). The verdict names
the mode.

--log-level 1 prints the path that failed (or the statistics), 2 every
instruction with the register state, like the kernel's verifier log. The
command exits with status 1 if any program is rejected.`,
		Example: `  gbpf verify prog.o
  gbpf verify prog.o --prog xdp_main --log-level 2
  gbpf verify --privileged kprobe.o
  gbpf verify filter.s --type socket`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if logLevel < 0 || logLevel > 2 {
				return fmt.Errorf("--log-level %d: want 0, 1 or 2", logLevel)
			}
			var typ progtype.Type
			if typeName != "" {
				t, err := progtype.Parse(typeName)
				if err != nil {
					return err
				}
				typ = t
			}
			targets, err := verifyTargets(cmd, args[0], progName, typ, ctxSize)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			rejected := 0
			for _, t := range targets {
				if !verifyOne(out, cmd.ErrOrStderr(), t, logLevel, privileged) {
					rejected++
				}
			}
			if rejected > 0 {
				return fmt.Errorf("%d of %d programs: %w", rejected, len(targets), errRejected)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&progName, "prog", "", "verify only the program (function) `NAME` of an object")
	f.StringVar(&typeName, "type", "", "program `TYPE`: socket, xdp, tc, kprobe, tracepoint, raw, or a libbpf section name such as raw_tp or sockops (overrides the object's)")
	f.IntVar(&logLevel, "log-level", 0, "verifier log: 0 none, 1 the failing path and statistics, 2 every instruction")
	f.IntVar(&ctxSize, "ctx-size", 0, "context `BYTES` of raw and tracepoint programs (0: the type's default)")
	f.BoolVar(&privileged, "privileged", false, "verify with the rules Linux applies to root (pointer leaks allowed)")
	return cmd
}

// verifyOne verifies t in the mode privileged chooses, prints the log and
// the verdict, and reports whether the program was accepted.
func verifyOne(out, errw io.Writer, t verifyTarget, level int, privileged bool) bool {
	if t.linkErr != nil {
		fmt.Fprintf(errw, "%s: rejected: %v\n", t.name, t.linkErr)
		return false
	}
	var log bytes.Buffer
	o := t.opts
	o.LogLevel, o.Privileged = level, privileged
	o.Log = &log
	if t.spec != nil && len(t.spec.Lines) > 0 {
		o.Source = func(insn int) (string, bool) {
			l, ok := t.spec.LineAt(insn)
			return l.String(), ok
		}
	}
	res, err := verifier.Verify(t.prog.Program, o)
	if err != nil {
		var ve *verifier.Error
		if errors.As(err, &ve) {
			io.WriteString(out, ve.Log)
			fmt.Fprintf(errw, "%s: rejected (%s mode) at insn %d: %s\n", t.name, modeName(o.Privileged), ve.Insn, ve.Msg)
			if o.Source != nil {
				if line, ok := o.Source(ve.Insn); ok {
					fmt.Fprintf(errw, "%s: insn %d is C source line: %s\n", t.name, ve.Insn, line)
				}
			}
		} else {
			fmt.Fprintf(errw, "%s: %v\n", t.name, err)
		}
		return false
	}
	out.Write(log.Bytes())
	fmt.Fprintf(out, "%s: accepted (%v, %s mode): processed %d insns, %d states, peak %d, %v\n",
		t.name, t.opts.Type, modeName(o.Privileged), res.Processed, res.TotalStates, res.PeakStates, res.Time)
	return true
}

// modeName names the verifier's mode as its log does.
func modeName(privileged bool) string {
	if privileged {
		return "privileged"
	}
	return "unprivileged"
}

// verifyTargets reads the programs of path.
func verifyTargets(cmd *cobra.Command, path, progName string, typ progtype.Type, ctxSize int) ([]verifyTarget, error) {
	if path != "-" && progfile.IsELF(path) {
		return objectTargets(cmd.ErrOrStderr(), path, progName, typ, ctxSize)
	}
	if progName != "" {
		return nil, fmt.Errorf("--prog applies to ELF objects only")
	}
	f, err := loadProgram(cmd, path, progfile.Options{})
	if err != nil {
		return nil, err
	}
	if typ == progtype.Unspec {
		typ = progtype.Raw
	}
	o := verifier.Options{Type: typ, CtxSize: ctxSize}
	if typ == progtype.Raw && ctxSize == 0 && f.Memory != nil {
		o.CtxSize = len(f.Memory)
	}
	return []verifyTarget{{name: path, opts: o, prog: f}}, nil
}

// objectTargets reads the programs of the object at path, writing the
// loader's notes (the conventions it applied, the programs it could not
// link) to notes.
func objectTargets(notes io.Writer, path, progName string, typ progtype.Type, ctxSize int) ([]verifyTarget, error) {
	cs, err := loader.LoadCollectionSpec(path)
	if err != nil {
		return nil, err
	}
	for _, n := range cs.Notes {
		fmt.Fprintf(notes, "%s: note: %s\n", path, n)
	}
	if err := cs.Unlinked[progName]; err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cs.NeedsCORE() {
		kt, err := loader.KernelTypes()
		if err != nil {
			return nil, fmt.Errorf("%s: CO-RE relocations: %w", path, err)
		}
		if err := cs.RelocateCORE(kt); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	names := cs.ProgramNames()
	if progName != "" {
		if _, ok := cs.Programs[progName]; !ok {
			return nil, fmt.Errorf("%s: no program %q (have %v)", path, progName, names)
		}
		names = []string{progName}
	}
	var ts []verifyTarget
	for _, n := range names {
		ps := cs.Programs[n]
		specs, err := cs.MapSpecs(ps)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		t := ps.Type
		if typ != progtype.Unspec {
			t = typ
		}
		cs := ctxSize
		if cs == 0 {
			cs = ps.CtxSize
		}
		if info, ok := progtype.Lookup(t); ok && !info.VarCtx {
			cs = 0
		}
		ts = append(ts, verifyTarget{
			name: n,
			opts: verifier.Options{Type: t, CtxSize: cs, Maps: append([]*maps.Spec(nil), specs...)},
			prog: &progfile.File{Path: path, Program: ps.Instructions, Section: ps.SectionName},
			spec: ps,
		})
	}
	if progName == "" {
		var unlinked []string
		for n := range cs.Unlinked {
			unlinked = append(unlinked, n)
		}
		slices.Sort(unlinked)
		for _, n := range unlinked {
			ts = append(ts, verifyTarget{name: n, linkErr: cs.Unlinked[n]})
		}
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%s: no programs", path)
	}
	return ts, nil
}
