package gbpf

import (
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

// verify proves prog safe for its type, context size, maps and helpers. It
// returns the indices in specs of the maps whose contents the proof read,
// which must not change any more (verifier.Result.ConstMaps).
func verify(prog isa.Program, info *progtype.Info, ctxSize int, specs []*maps.Spec, hs *helpers.Set, opts *Options) ([]int, error) {
	if !info.VarCtx {
		ctxSize = 0 // fixed by the type
	}
	res, err := verifier.Verify(prog, verifier.Options{
		Type:       info.Type,
		CtxSize:    ctxSize,
		Maps:       specs,
		Helpers:    hs,
		LogLevel:   opts.VerifierLogLevel,
		Log:        opts.VerifierLog,
		Privileged: opts.Privileged,
	})
	if err != nil {
		return nil, err
	}
	return res.ConstMaps, nil
}
