package abi

import "fmt"

//go:generate go run golang.org/x/tools/cmd/stringer@v0.51.0 -type Engine -linecomment

// Engine selects what runs a program's instructions, with one set of names
// for every command, the root API, the conformance runner, classic
// filters and the tests: String's "default", "interpreter", "checked" and
// "jit" (ParseEngine also reads the CLI's older "interp", "interp-checked"
// and "jit-always").
type Engine int

const (
	// EngineDefault is the JIT where gbpf has one (linux/amd64) and the
	// interpreter elsewhere; checked (unverified) programs always use the
	// interpreter.
	EngineDefault Engine = iota // default
	// EngineInterpreter is the interpreter.
	EngineInterpreter // interpreter
	// EngineJIT is the x86-64 JIT compiler, on linux/amd64; asking for it
	// elsewhere, or for a program it cannot compile, is ErrNotSupported.
	// It never falls back to the interpreter.
	EngineJIT // jit
	// EngineChecked is the checked interpreter for verified programs: it
	// checks every memory access at run time although the verifier
	// proved them safe. (gbpf.Options.Checked runs unverified programs
	// there.)
	EngineChecked // checked
)

// ParseEngine parses an engine name as String prints it, or one of the
// aliases the CLI used before the names were one set: "interp" for
// interpreter, "interp-checked" for checked and "jit-always" for jit.
// "" is the default engine.
func ParseEngine(s string) (Engine, error) {
	switch s {
	case "", "default":
		return EngineDefault, nil
	case "interpreter", "interp":
		return EngineInterpreter, nil
	case "jit", "jit-always":
		return EngineJIT, nil
	case "checked", "interp-checked":
		return EngineChecked, nil
	}
	return 0, fmt.Errorf("unknown engine %q (want default, interpreter, checked or jit)", s)
}
