package main

import (
	"encoding/hex"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/gbpf/gbpf/internal/progfile"
	"github.com/gbpf/gbpf/isa"
)

func init() { addCommand(newAsmCmd()) }

// newAsmCmd returns the "asm" command: assembler text to bytecode.
func newAsmCmd() *cobra.Command {
	var out, format, input string
	cmd := &cobra.Command{
		Use:   "asm FILE",
		Short: "Assemble a program into bytecode",
		Long: `Assemble FILE, in the bpf_conformance assembler dialect, into eBPF bytecode.
FILE may also be a conformance ".data" file (its program is used), hex text,
raw bytecode or an ELF object; "-" reads standard input.

The bytecode goes to standard output as hex, one instruction per line, or,
with -o, to a file as raw bytes. --format chooses explicitly.`,
		Example: `  gbpf asm prog.s                 # hex to stdout
  gbpf asm prog.s -o prog.bin     # raw bytes to prog.bin
  gbpf asm prog.s --format raw > prog.bin`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format == "" {
				format = "hex"
				if out != "" {
					format = "raw"
				}
			}
			if format != "hex" && format != "raw" {
				return fmt.Errorf("unknown --format %q (want hex or raw)", format)
			}
			kind, err := progfile.ParseKind(input)
			if err != nil {
				return err
			}
			f, err := loadProgram(cmd, args[0], progfile.Options{Kind: kind})
			if err != nil {
				return err
			}
			var b []byte
			if format == "raw" {
				b = f.Program.Encode()
			} else {
				b = appendHex(nil, f.Program)
			}
			if out == "" {
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			return os.WriteFile(out, b, 0o644)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to `FILE` instead of standard output")
	cmd.Flags().StringVar(&format, "format", "", "output format: hex or raw (default hex, raw with -o)")
	cmd.Flags().StringVar(&input, "input", "auto", inputFlagUsage)
	return cmd
}

// inputFlagUsage documents the --input flag of asm and disasm.
const inputFlagUsage = "what FILE holds: auto, asm, data, hex, raw or elf"

// loadProgram reads the program file name, or standard input for "-".
func loadProgram(cmd *cobra.Command, name string, o progfile.Options) (*progfile.File, error) {
	if name != "-" {
		return progfile.LoadOptions(name, o)
	}
	return progfile.Read("<stdin>", cmd.InOrStdin(), o)
}

// appendHex appends the bytecode of p as hex, one slot per line.
func appendHex(b []byte, p isa.Program) []byte {
	var slot []byte
	for _, ins := range p.Insns {
		slot = ins.AppendEncoded(slot[:0])
		for i, c := range slot {
			if i > 0 {
				b = append(b, ' ')
			}
			b = hex.AppendEncode(b, []byte{c})
		}
		b = append(b, '\n')
	}
	return b
}
