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
// which must not change any more (verifier.Result.ConstMaps), and the stack
// depth of the program's first function.
func verify(prog isa.Program, info *progtype.Info, ctxSize int, specs []*maps.Spec, hs *helpers.Set, opts *Options) ([]int, int, error) {
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
		return nil, 0, err
	}
	depth := -1
	if len(res.StackDepth) > 0 {
		depth = res.StackDepth[0]
	}
	return res.ConstMaps, depth, nil
}
