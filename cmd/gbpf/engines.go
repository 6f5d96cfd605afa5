package main

import "github.com/gbpf/gbpf"

// lookupEngine returns the engine called name (gbpf.ParseEngine, which
// reads the older names interp, interp-checked and jit-always too); "" is
// the default engine.
func lookupEngine(name string) (gbpf.Engine, error) { return gbpf.ParseEngine(name) }

// engineFlagUsage is the help text of the --engine flags.
const engineFlagUsage = "engine for verified programs: default, interpreter, checked or jit (also interp, interp-checked, jit-always); default is jit where supported, else interpreter"
