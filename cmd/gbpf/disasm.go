package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/helpers/helperid"
	"github.com/gbpf/gbpf/internal/progfile"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/loader"
)

// jitListing prints the program with the machine code the JIT makes for
// each instruction. It is nil where there is no JIT; the JIT sets it from
// its own file.
var jitListing func(w io.Writer, p isa.Program) error

// errNoJIT is the error of "disasm --jit" when jitListing is nil.
var errNoJIT = fmt.Errorf("JIT listing is not available on this platform/build: %w", gbpf.ErrNotSupported)

func init() { addCommand(newDisasmCmd()) }

// newDisasmCmd returns the "disasm" command: bytecode to text.
func newDisasmCmd() *cobra.Command {
	var syntax, section, input string
	var jit, labels bool
	cmd := &cobra.Command{
		Use:   "disasm FILE",
		Short: "Disassemble a program",
		Long: `Print the program in FILE as text. FILE holds raw bytecode, hex text, a
conformance ".data" file, assembler text, or an ELF object (its first code
section, or the one named by --section); "-" reads standard input.

--syntax llvm (the default) prints like llvm-objdump -d: slot, bytes and
instruction. --syntax conformance prints the assembler dialect, which
"gbpf asm" reads back to the same bytes; with --labels, jumps go to labels
rather than slot offsets. --syntax verifier prints as the verifier's log
does ("3: (61) r0 = *(u32 *)(r1 +4)"). --jit prints the JIT's machine
code under each instruction.`,
		Example: `  gbpf disasm prog.bin
  gbpf disasm --syntax conformance prog.bin > prog.s
  gbpf disasm --syntax conformance --labels prog.bin
  gbpf disasm --section xdp prog.o`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := asm.ParseSyntax(syntax)
			if err != nil {
				return err
			}
			if jit && jitListing == nil {
				return errNoJIT
			}
			kind, err := progfile.ParseKind(input)
			if err != nil {
				return err
			}
			f, err := loadProgram(cmd, args[0], progfile.Options{Section: section, Kind: kind})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if jit {
				return jitListing(out, f.Program)
			}
			if labels && s != asm.SyntaxConformance {
				return fmt.Errorf("--labels needs --syntax conformance")
			}
			switch {
			case labels:
				return asm.FprintLabels(out, f.Program)
			case s == asm.SyntaxConformance:
				return asm.Fprint(out, f.Program, s)
			case s == asm.SyntaxVerifier:
				return verifierListing(out, f.Program)
			}
			return objdumpListing(out, f.Program, sectionProgram(f))
		},
	}
	cmd.Flags().StringVar(&syntax, "syntax", "llvm", "text syntax: llvm, conformance or verifier")
	cmd.Flags().StringVar(&section, "section", "", "the ELF section to disassemble (default: the first with code)")
	cmd.Flags().BoolVar(&jit, "jit", false, "interleave the JIT's machine code")
	cmd.Flags().BoolVar(&labels, "labels", false, "write jump targets as labels (conformance syntax)")
	cmd.Flags().StringVar(&input, "input", "auto", inputFlagUsage)
	return cmd
}

// verifierListing prints p as the verifier's log shows instructions: the
// slot, the opcode and the text.
func verifierListing(w io.Writer, p isa.Program) error {
	for i := 0; i < len(p.Insns); {
		text, n, err := asm.FormatInstruction(p, i, asm.SyntaxVerifier)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%d: (%02x) %s\n", i, uint8(p.Insns[i].Op), text); err != nil {
			return err
		}
		i += n
	}
	return nil
}

// objdumpListing prints p as llvm-objdump -d does: the slot number, the
// bytes of the instruction (both slots of an lddw) and its text. With the
// names of an object (nil otherwise) it also prints, as llvm-objdump -dlr
// does, each C source line before its instructions and the map a load
// refers to as a relocation line, and names the helper a call calls.
func objdumpListing(w io.Writer, p isa.Program, names *loader.ProgramSpec) error {
	var line []byte
	lines := 0
	for i := 0; i < len(p.Insns); {
		text, n, err := asm.FormatInstruction(p, i, asm.SyntaxLLVM)
		if err != nil {
			return err
		}
		line = line[:0]
		if names != nil {
			for ; lines < len(names.Lines) && names.Lines[lines].Insn <= i; lines++ {
				if l := names.Lines[lines]; l.Insn == i {
					line = fmt.Appendf(line, "; %s\n", strings.TrimSpace(l.Text))
				}
			}
			if ins := p.Insns[i]; ins.IsHelperCall() {
				text += "\t; " + helperid.ID(ins.Imm).String()
			}
		}
		hexBytes := strings.TrimSuffix(string(appendHex(nil, isa.Program{Insns: p.Insns[i : i+n]})), "\n")
		hexBytes = strings.ReplaceAll(hexBytes, "\n", " ") // both slots of an lddw on one line
		line = fmt.Appendf(line, "%8d:\t%s\t%s\n", i, hexBytes, text)
		if names != nil && p.Insns[i].IsLdImm64() {
			if ins := names.Instructions.Insns[i]; ins.Src == isa.PseudoMapIdx || ins.Src == isa.PseudoMapIdxValue {
				line = fmt.Appendf(line, "\t\t%016x:  R_BPF_64_64\t%s\n", 8*i, names.Maps[ins.Imm])
			}
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
		i += n
	}
	return nil
}

// sectionProgram returns what the loader knows of the program of an ELF
// object's section that f holds (its maps, helpers and source lines), or
// nil when f is no object, or the section's code is not one program's
// alone.
func sectionProgram(f *progfile.File) *loader.ProgramSpec {
	if f.Kind != progfile.KindELF || f.Path == "" || f.Path == "-" {
		return nil
	}
	cs, err := loader.LoadCollectionSpec(f.Path)
	if err != nil {
		return nil
	}
	var found *loader.ProgramSpec
	for _, ps := range cs.Programs {
		if ps.SectionName != f.Section {
			continue
		}
		if found != nil {
			return nil // several programs share the section
		}
		found = ps
	}
	if found == nil || len(found.Instructions.Insns) < len(f.Program.Insns) {
		return nil
	}
	for i, ins := range f.Program.Insns {
		if found.Instructions.Insns[i].Op != ins.Op {
			return nil
		}
	}
	return found
}
