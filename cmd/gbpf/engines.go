package main

import (
	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/engines"
)

// lookupEngine returns the engine called name; "" is the default engine.
func lookupEngine(name string) (conformance.Engine, error) { return engines.Lookup(name) }

// engineFlagUsage is the help text of the --engine flags.
const engineFlagUsage = "engine for verified programs: interp, interp-checked, jit or jit-always (default jit where supported, else interp)"
