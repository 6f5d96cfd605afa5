package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"
	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/internal/progfile"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/progtype"
)

func init() { addCommand(newProgCmd()) }

// objectFlags choose how an object's collection is created.
type objectFlags struct {
	backend    string
	pinPath    string
	engine     string
	checked    bool
	privileged bool
	btf        string
	sets       assignments
	typ        string
	logLevel   int
	log        io.Writer
}

// assignments is a repeatable NAME=VALUE flag. Setting it to "" clears it
// (its default), so that reusing a command starts afresh.
type assignments []string

func (a *assignments) String() string { return strings.Join(*a, ",") }
func (a *assignments) Type() string   { return "NAME=VALUE" }
func (a *assignments) Set(s string) error {
	if s == "" {
		*a = nil
		return nil
	}
	*a = append(*a, s)
	return nil
}

func (f *objectFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.backend, "backend", "gbpf", "where the object's maps and programs live: gbpf (this process) or kernel (the bpf() syscall)")
	cmd.Flags().StringVar(&f.pinPath, "pin-path", "", "where maps pinned by name are shared: a bpffs directory for the kernel backend")
	cmd.Flags().StringVar(&f.engine, "engine", "default", "engine for verified programs: default, interpreter or jit")
	cmd.Flags().BoolVar(&f.checked, "checked", false, "skip verification and run in the checked interpreter")
	cmd.Flags().BoolVar(&f.privileged, "privileged", false, "verify with the rules Linux applies to root (pointer leaks allowed)")
	cmd.Flags().StringVar(&f.btf, "btf", "", "BTF to resolve CO-RE relocations against (default: /sys/kernel/btf/vmlinux)")
	cmd.Flags().IntVar(&f.logLevel, "log-level", 0, "write the verifier's log to standard error: 1 the failing path, 2 every instruction")
	cmd.Flags().StringVar(&f.typ, "type", "", "program `TYPE` of the object's programs, such as tc, xdp, raw_tp or a libbpf section name (overrides the sections')")
	cmd.Flags().Var(&f.sets, "set", "set a global variable before load: NAME=VALUE (an integer, or hex bytes with 0x...); repeatable")
}

// load parses path, applies --set and creates the collection. With input
// not nil, path is not an ELF object but one Raw program (assembler text,
// hex, raw bytecode, a .data file) whose context is input, named for the
// file.
func (f *objectFlags) load(path string, input []byte) (*gbpf.Collection, error) {
	spec, err := loadSpec(path, input)
	if err != nil {
		return nil, err
	}
	for _, s := range f.sets {
		if err := setVariable(spec, s); err != nil {
			return nil, err
		}
	}
	if f.typ != "" && input == nil {
		t, err := progtype.Parse(f.typ)
		if err != nil {
			return nil, fmt.Errorf("--type: %w", err)
		}
		for _, p := range spec.Programs {
			p.Type = t
		}
	}
	e, err := gbpf.ParseEngine(f.engine)
	if err != nil {
		return nil, err
	}
	b, err := gbpf.ParseBackend(f.backend)
	if err != nil {
		return nil, fmt.Errorf("--backend: %w", err)
	}
	opts := &gbpf.Options{Engine: e, Checked: f.checked, Privileged: f.privileged, Backend: b, PinPath: f.pinPath}
	if b == gbpf.Kernel {
		// The kernel verifies with its own rules, as root.
		opts.Privileged = false
	}
	if f.logLevel > 0 {
		opts.VerifierLog, opts.VerifierLogLevel = f.log, f.logLevel
	}
	if f.btf != "" {
		if opts.KernelTypes, err = btf.LoadSpec(f.btf); err != nil {
			return nil, fmt.Errorf("--btf: %w", err)
		}
	}
	return gbpf.NewCollection(spec, opts)
}

// loadSpec reads path as an ELF object when input is nil, or else as one
// Raw program verified for a context of len(input) bytes.
func loadSpec(path string, input []byte) (*gbpf.CollectionSpec, error) {
	if input == nil {
		return gbpf.LoadCollectionSpec(path)
	}
	f, err := progfile.Load(path)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return &gbpf.CollectionSpec{
		Programs: map[string]*loader.ProgramSpec{
			name: {Name: name, Type: progtype.Raw, CtxSize: len(input), Instructions: f.Program},
		},
	}, nil
}

// setVariable applies one --set NAME=VALUE.
func setVariable(spec *gbpf.CollectionSpec, s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("--set %q: want NAME=VALUE", s)
	}
	v := spec.Variables[name]
	if v == nil {
		return fmt.Errorf("--set: no global variable %q", name)
	}
	var b []byte
	if hexText, ok := strings.CutPrefix(value, "0x"); ok && len(hexText) == 2*int(v.Size) {
		var err error
		if b, err = hex.DecodeString(hexText); err != nil {
			return fmt.Errorf("--set %s: %w", name, err)
		}
	} else {
		var n int64
		if _, err := fmt.Sscan(value, &n); err != nil {
			return fmt.Errorf("--set %s: %q is not an integer", name, value)
		}
		b = make([]byte, v.Size)
		for i := range b {
			b[i] = byte(uint64(n) >> (8 * i))
		}
		if v.Size < 8 && (n >= 1<<(8*v.Size) || n < -(1<<(8*v.Size-1))) {
			return fmt.Errorf("--set %s: %d does not fit in %d bytes", name, n, v.Size)
		}
	}
	return v.Set(b)
}

// runFlags are the input of a program run.
type progRunFlags struct {
	prog, data, ctx, dataOut, ctxOut string
	repeat                           int
	budget                           uint64
	stdin                            io.Reader // for @- (the command's standard input)
	// input is --data when it was read before the program was loaded:
	// the input of a Raw program read from a file that is not an object.
	input []byte
}

func (f *progRunFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.prog, "prog", "", "program to run (default: the object's only program)")
	cmd.Flags().StringVar(&f.data, "data", "", "packet or input: @FILE for a file's bytes (@- standard input), or hex")
	cmd.Flags().StringVar(&f.ctx, "ctx", "", "context: @FILE for a file's bytes (@- standard input), or hex")
	cmd.Flags().StringVar(&f.dataOut, "data-out", "", "write the packet after the run to this file")
	cmd.Flags().StringVar(&f.ctxOut, "ctx-out", "", "write the context after the run to this file")
	cmd.Flags().IntVar(&f.repeat, "repeat", 1, "run this many times; the duration is the mean")
	cmd.Flags().Uint64Var(&f.budget, "budget", 0, "most instructions (and callback calls) a run may execute (0: the engines' default, 2^30)")
}

// pick returns the program --prog names, or the only one.
func pick(coll *gbpf.Collection, name string) (*gbpf.Program, error) {
	if name != "" {
		p := coll.Programs[name]
		if p == nil {
			return nil, fmt.Errorf("no program %q (have %s)", name, sortedNames(coll.Programs))
		}
		return p, nil
	}
	if len(coll.Programs) != 1 {
		return nil, fmt.Errorf("the object has %d programs (%s): choose one with --prog", len(coll.Programs), sortedNames(coll.Programs))
	}
	for _, p := range coll.Programs {
		return p, nil
	}
	return nil, nil
}

// sortedNames returns the names of m's objects (programs, maps), sorted
// and joined for a message.
func sortedNames[V any](m map[string]V) string {
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}

// run runs the chosen program with the run flags.
func (f *progRunFlags) run(coll *gbpf.Collection) (gbpf.RunResult, error) {
	if f.repeat < 1 {
		return gbpf.RunResult{}, fmt.Errorf("--repeat must be at least 1, not %d", f.repeat)
	}
	p, err := pick(coll, f.prog)
	if err != nil {
		return gbpf.RunResult{}, err
	}
	opts := &gbpf.RunOptions{Repeat: f.repeat, Data: f.input, Budget: f.budget}
	if f.input == nil {
		if opts.Data, err = bytesArg(f.stdin, "data", f.data, p.Type()); err != nil {
			return gbpf.RunResult{}, err
		}
	}
	if opts.Context, err = bytesArg(f.stdin, "ctx", f.ctx, p.Type()); err != nil {
		return gbpf.RunResult{}, err
	}
	if f.dataOut != "" {
		opts.DataOut = []byte{}
	}
	if f.ctxOut != "" {
		opts.ContextOut = []byte{}
	}
	// Ctrl-C cancels the runs.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := p.TestContext(ctx, opts)
	if err != nil {
		return res, err
	}
	if f.dataOut != "" {
		if err := os.WriteFile(f.dataOut, opts.DataOut, 0o644); err != nil {
			return res, err
		}
	}
	if f.ctxOut != "" {
		if err := os.WriteFile(f.ctxOut, opts.ContextOut, 0o644); err != nil {
			return res, err
		}
	}
	return res, nil
}

// The kernel forms of prog, set on Linux (kprog_linux.go).
var (
	kernelProgShow = func(io.Writer, *selector) error { return errNoKernel }
	kernelProgDump = func(io.Writer, string, selector, bool, bool) error { return errNoKernel }
	kernelProgLoad = func(io.Writer, string, string, string, bool) error { return errNoKernel }
)

// progSelectors are the words that designate loaded programs.
var progSelectors = []string{"id", "name", "tag", "pinned"}

// newProgCmd returns "prog": bpftool's show, list, dump and load of the
// programs loaded in the kernel, and run and list of an ELF object's.
func newProgCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "prog",
		Short: "Inspect and load kernel programs (as bpftool prog), run and list an ELF object's",
	}
	out.register(cmd)
	cmd.AddCommand(newProgRunCmd(), newProgListCmd("list"), newProgListCmd("show"), newProgDumpCmd(), newProgLoadCmd(false), newProgLoadCmd(true))
	jsonErrors(cmd)
	return cmd
}

func newProgDumpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "dump xlated|jited PROG [linum] [opcodes]",
		Short: "Print a loaded program's translated instructions or machine code, as bpftool prog dump",
		Long: `Print the instructions of a loaded program as the kernel translated them,
as bpftool prog dump xlated does: function prototypes and source lines
from the program's BTF, map ids, and the kernel functions its helper
calls reach (named from /proc/kallsyms). "jited" prints the JIT's machine
code instead (amd64, in GNU syntax), function by function under its
kernel symbol, with the source lines. PROG is id N, name NAME, tag TAG or
pinned PATH. "linum" adds file, line and column to source lines,
"opcodes" the bytes of each instruction.`,
		Example: `  gbpf prog dump xlated id 42
  gbpf prog dump xlated pinned /sys/fs/bpf/prog -p
  gbpf prog dump jited id 42 linum`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			what := args[0]
			if what != "xlated" && what != "jited" {
				return fmt.Errorf("expected xlated or jited, got: %s", what)
			}
			sel, rest, err := parseSelector(args[1:], progSelectors...)
			if err != nil {
				return err
			}
			var linum, opcodes bool
			for _, word := range rest {
				switch word {
				case "linum":
					linum = true
				case "opcodes":
					opcodes = true
				case "file", "visual":
					return fmt.Errorf("prog dump: %q is not supported", word)
				default:
					return fmt.Errorf("prog dump: unknown argument %q", word)
				}
			}
			return kernelProgDump(cmd.OutOrStdout(), what, sel, linum, opcodes)
		},
	}
}

func newProgLoadCmd(all bool) *cobra.Command {
	use, short, long := "load OBJ PATH [pinmaps DIR]", "Load an ELF object's programs into the kernel and pin the first, as bpftool prog load",
		`Load the maps and programs of OBJ into the kernel (through cilium/ebpf)
and pin the object's first program at PATH on a BPF file system; with
pinmaps DIR, pin its maps in DIR too. The programs stay loaded while
pinned.`
	if all {
		use, short, long = "loadall OBJ DIR [pinmaps DIR]", "Load an ELF object's programs into the kernel and pin them all, as bpftool prog loadall",
			`Load the maps and programs of OBJ into the kernel (through cilium/ebpf)
and pin every program in directory DIR on a BPF file system, under its
name; with pinmaps DIR, pin its maps there too.`
	}
	return &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		Example: `  gbpf prog load examples/bpf/hash_counter.o /sys/fs/bpf/counter`,
		Args:    cobra.RangeArgs(2, 4),
		RunE: func(cmd *cobra.Command, args []string) error {
			pinmaps := ""
			switch {
			case len(args) == 4 && args[2] == "pinmaps":
				pinmaps = args[3]
			case len(args) != 2:
				return fmt.Errorf("prog load: unexpected %q (want OBJ PATH [pinmaps DIR])", strings.Join(args[2:], " "))
			}
			return kernelProgLoad(cmd.OutOrStdout(), args[0], args[1], pinmaps, all)
		},
	}
}

func newProgRunCmd() *cobra.Command {
	var of objectFlags
	var rf progRunFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "run OBJ|FILE [--prog NAME] [--data @FILE] [--ctx @FILE] [--repeat N] [--engine E] [--json]",
		Short: "Run a program of an ELF object once, like bpftool prog run",
		Long: `Load OBJ (an ELF object from clang -target bpf), create its maps, verify
its programs and run one on the given input, the way BPF_PROG_TEST_RUN does:
--data is the packet (XDP, socket filter, tc) or the input (raw programs),
--ctx the context (a tracepoint record, kprobe registers, or the scalar
fields of xdp_md and __sk_buff). Prints the return value and the mean
duration of one run. A FILE that is not an ELF object (assembler text, hex,
raw bytecode or a .data file) is one raw program, verified for --data as
its input and run with the runtime's helpers (bpf_loop included).

Inputs are limited as BPF_PROG_TEST_RUN limits them: a packet of at most
3712 bytes for socket filters and tc, 3520 for XDP (gbpf has no packet
fragments, which the kernel adds past that); a context of at most
the type's (24 bytes of xdp_md, 192 of __sk_buff); at most 1 MiB of input
for raw and tracing programs.`,
		Example: `  gbpf prog run examples/bpf/hash_counter.o --data @examples/packet.bin
  gbpf prog run examples/bpf/tp_hist.o --ctx 0000000000000000000000000000000010000000 --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			of.log, rf.stdin, rf.input = cmd.ErrOrStderr(), cmd.InOrStdin(), nil
			if args[0] != "-" && !progfile.IsELF(args[0]) {
				// A Raw program, verified for its input's size.
				input, err := bytesArg(rf.stdin, "data", rf.data, progtype.Raw)
				if err != nil {
					return err
				}
				rf.input = input
				if rf.input == nil {
					rf.input = []byte{}
				}
			}
			coll, err := of.load(args[0], rf.input)
			if err != nil {
				return err
			}
			defer coll.Close()
			res, err := rf.run(coll)
			if err != nil {
				return err
			}
			return printRun(cmd.OutOrStdout(), res, rf.repeat, asJSON)
		},
	}
	of.register(cmd)
	rf.register(cmd)
	cmd.Flags().BoolVarP(&asJSON, "json", "j", false, "print JSON")
	return cmd
}

// printRun prints a run's result as bpftool prog run does.
func printRun(w io.Writer, res gbpf.RunResult, repeat int, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(struct {
			Retval    uint64 `json:"retval"`
			Duration  int64  `json:"duration"`
			TailCalls int    `json:"tail_calls"`
		}{res.Return, res.Duration.Nanoseconds(), res.TailCalls})
	}
	avg := ""
	if repeat > 1 {
		avg = " (average)"
	}
	_, err := fmt.Fprintf(w, "Return value: %d, duration%s: %dns\n", res.Return, avg, res.Duration.Nanoseconds())
	return err
}

// typeName is the bpftool name of a program type.
var typeNames = map[progtype.Type]string{
	progtype.SocketFilter:  "socket_filter",
	progtype.Kprobe:        "kprobe",
	progtype.SchedCLS:      "sched_cls",
	progtype.SchedACT:      "sched_act",
	progtype.Tracepoint:    "tracepoint",
	progtype.XDP:           "xdp",
	progtype.PerfEvent:     "perf_event",
	progtype.RawTracepoint: "raw_tracepoint",
	progtype.Raw:           "raw",
}

func typeName(t progtype.Type) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return strings.ToLower(t.String())
}

func newProgListCmd(verb string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   verb + " [id N|name NAME|tag TAG|pinned PATH] | " + verb + " OBJ",
		Short: "List loaded programs, as bpftool prog " + verb + ", or the programs of an ELF object",
		Long: `Without an argument, or with a selector (id N, name NAME, tag TAG,
pinned PATH), list the programs loaded in the kernel as bpftool prog show
does; -j and -p print bpftool's JSON. With a file OBJ, list the programs
of that ELF object.`,
		Example: `  gbpf prog ` + verb + `
  gbpf prog ` + verb + ` id 42 -p
  gbpf prog ` + verb + ` examples/bpf/tail_call.o`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return kernelProgShow(cmd.OutOrStdout(), nil)
			}
			if isSelectorWord(args[0], progSelectors...) {
				sel, _, err := parseSelector(args, progSelectors...)
				if err != nil {
					return err
				}
				return kernelProgShow(cmd.OutOrStdout(), &sel)
			}
			if len(args) != 1 {
				return fmt.Errorf("expected id, name, tag, pinned or one object file, got: %s", strings.Join(args, " "))
			}
			asJSON := out.jsonOut()
			spec, err := loader.LoadCollectionSpec(args[0])
			if err != nil {
				return err
			}
			type entry struct {
				ID      int      `json:"id"`
				Type    string   `json:"type"`
				Name    string   `json:"name"`
				Section string   `json:"section"`
				Attach  string   `json:"attach_to,omitempty"`
				Insns   int      `json:"insns"`
				Bytes   int      `json:"xlated"`
				CORE    int      `json:"core_relocations,omitempty"`
				Maps    []string `json:"maps"`
				License string   `json:"license"`
			}
			var list []entry
			for i, name := range spec.ProgramNames() {
				p := spec.Programs[name]
				list = append(list, entry{i, typeName(p.Type), name, p.SectionName, p.AttachTo,
					len(p.Instructions.Insns), 8 * len(p.Instructions.Insns), len(p.CORE), append([]string{}, p.Maps...), p.License})
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(list)
			}
			for _, e := range list {
				fmt.Fprintf(w, "%d: %s  name %s  section %s", e.ID, e.Type, e.Name, e.Section)
				if e.License != "" {
					fmt.Fprintf(w, "  gpl_compatible %v", e.License == "GPL" || e.License == "Dual BSD/GPL" || e.License == "Dual MIT/GPL")
				}
				fmt.Fprintf(w, "\n\txlated %dB  insns %d", e.Bytes, e.Insns)
				if e.CORE > 0 {
					fmt.Fprintf(w, "  core_relos %d", e.CORE)
				}
				if len(e.Maps) > 0 {
					fmt.Fprintf(w, "  maps %s", strings.Join(e.Maps, ","))
				}
				fmt.Fprintln(w)
			}
			return nil
		},
	}
	return cmd
}
