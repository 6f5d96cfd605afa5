// Command gbpf-conformance-plugin runs one BPF program for the upstream
// bpf_conformance runner (github.com/Alan-Jowett/bpf_conformance), so that
// the upstream runner can check gbpf's engines as they are:
//
//	bpf_conformance_runner --test_file_directory tests \
//	    --plugin_path gbpf-conformance-plugin --cpu_version v4 \
//	    --include_groups callx [--plugin_options "--engine interp-checked"]
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
// Options: --engine NAME (interp-checked, the default: the programs are not
// verified, so every memory access is checked; or interp), --debug (print
// the disassembly on standard error), --help.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
