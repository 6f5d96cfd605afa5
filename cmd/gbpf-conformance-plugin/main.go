// Command gbpf-conformance-plugin runs one BPF program for the upstream
// bpf_conformance runner (github.com/Alan-Jowett/bpf_conformance), so that
// the upstream runner can check gbpf's engines as they are:
//
//	bpf_conformance_runner --test_file_directory tests \
//	    --plugin_path gbpf-conformance-plugin --cpu_version v4 \
//	    --include_groups callx [--plugin_options "--engine checked"]
//
// The runner starts the plugin once per test as
//
//	gbpf-conformance-plugin [<hex memory>] [plugin options] [--elf]
//
// and writes the program to its standard input as hex bytes ("b7 00 00 00
// ..."), or an ELF object in hex with --elf (the program is the function
// "main"). The plugin prints r0 in hex and exits 0, or prints an error on
// standard error and exits 1. "--program <hex>" passes the program as an
// argument instead of on standard input, as upstream plugins accept.
//
// Each program runs through gbpf's API (conformance.NewProgram): it is
// verified first, as a Raw program on the memory (r1 its address, r2 its
// length) that calls no helper but the suite's unwind. A program the
// verifier accepts runs on the engine --engine names (default, interpreter,
// checked or jit, as gbpf.ParseEngine reads them, which also takes the
// older interp, interp-checked and jit-always); one it rejects runs on the
// checked interpreter, which stops it with an error at the first access
// outside its stack and memory.
//
// Options: --engine NAME, --debug (print the disassembly, and whether the
// program was verified, on standard error), --help.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
