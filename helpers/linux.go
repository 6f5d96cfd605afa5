package helpers

import (
	"errors"
	"fmt"

	"github.com/gbpf/gbpf/internal/engine"
)

// GBPF_LINUX_SRC names Linux source trees, separated as in PATH (a later
// one's files override an earlier one's).
//go:generate go run ./internal/genprotos -src $GBPF_LINUX_SRC -o zlinux.go

// linuxProto is an entry of the generated table of Linux's helpers.
type linuxProto struct {
	Prototype
	// Source names the kernel's struct bpf_func_proto the entry was
	// generated from, File the kernel source file that defines it.
	Source, File string
}

// LinuxPrototype returns Linux's prototype of helper id, as the kernel's
// verifier checks a call of it, for every helper of Linux's enum
// bpf_func_id: generated from the kernel's sources (go generate), not
// typed by hand. For the helpers gbpf implements
// it is the same as Builtin's, which adds what the verifier needs beyond
// argument kinds (callbacks, references). It reports false for an id that
// is not a Linux helper.
func LinuxPrototype(id ID) (Prototype, bool) {
	if p, ok := Builtin(id); ok {
		return p, true
	}
	if id <= Unspec || int(id) >= len(linuxProtos) || linuxProtos[id].Name == "" {
		return Prototype{}, false
	}
	p := linuxProtos[id].Prototype
	if p.MapTypes != nil {
		p.MapTypes = append([]uint32(nil), p.MapTypes...)
	}
	return p, true
}

// ErrNotImplemented is wrapped by the error that ends a run calling a
// Linux helper gbpf's runtime has no implementation of.
var ErrNotImplemented = errors.New("helper not implemented in gbpf's runtime")

// notImplemented returns the implementation of a helper gbpf cannot run:
// it ends the run with an error naming the helper (through the State; a
// run without one ends with r0 = -EOPNOTSUPP).
func notImplemented(id ID) engine.Helper {
	err := fmt.Errorf("bpf_%s (helper %d): %w", Name(id), id, ErrNotImplemented)
	return func(env *engine.Env, _, _, _, _, _ uint64) uint64 {
		if s := state(env); s != nil {
			s.fail(env, err)
			return errnoEOPNOTSUPP
		}
		env.Stop(errnoEOPNOTSUPP)
		return errnoEOPNOTSUPP
	}
}

// LinuxAllows reports whether Linux lets a program of type progType (the
// kernel's enum bpf_prog_type number, as progtype.Type) call helper id:
// whether the type's get_func_proto, with the functions it falls back to,
// offers it for some attach type and privilege. known is false for a type
// the generated table has no set for (gbpf's own types, struct_ops and
// extensions, which take their target's) and for an id that is not a
// Linux helper (a host's own).
func LinuxAllows(progType uint32, id ID) (allowed, known bool) {
	set, ok := linuxTypeHelpers[progType]
	if !ok || id <= Unspec || id >= MaxID || int(id) >= len(set)*64 {
		return false, false
	}
	return set[id/64]&(1<<(id%64)) != 0, true
}
