package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/isa"
)

// engines maps an engine name to the function that prepares a program for
// it. Engines register themselves here from an init function in a file of
// their own ("jit" does).
var engines = map[string]func(isa.Program) (engine.Program, error){
	// interp runs programs the verifier accepted, with raw memory access.
	"interp": func(p isa.Program) (engine.Program, error) {
		return interp.Compile(p, interp.Options{})
	},
	// interp-checked checks every memory access against what the program
	// may touch, for programs that were not verified.
	"interp-checked": func(p isa.Program) (engine.Program, error) {
		return interp.Compile(p, interp.Options{Checked: true})
	},
}

// defaultEngine is "jit" when it is registered, "interp" otherwise.
func defaultEngine() string {
	if _, ok := engines["jit"]; ok {
		return "jit"
	}
	return "interp"
}

// engineNames returns the registered engine names in order.
func engineNames() []string {
	var names []string
	for name := range engines {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// lookupEngine returns the engine called name; "" is the default engine.
func lookupEngine(name string) (conformance.Engine, error) {
	if name == "" {
		name = defaultEngine()
	}
	compile, ok := engines[name]
	if !ok {
		return conformance.Engine{}, fmt.Errorf("unknown engine %q (known: %s)", name, strings.Join(engineNames(), ", "))
	}
	return conformance.Engine{Name: name, Compile: compile}, nil
}

// engineFlagUsage is the help text of the --engine flags. It cannot list
// the registered engines: flags are set up by init functions that may run
// before an engine registers itself.
const engineFlagUsage = "execution engine: interp, interp-checked or jit (default jit when built in, else interp)"
