package conformance

import (
	"errors"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engines"
	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

// Engine is an execution engine under test: a name for reports and a
// compiler for programs the verifier accepted. The engines a user can
// choose come from the CLI's engine list; programs the verifier rejects
// run on the checked interpreter whatever the engine.
type Engine = engines.Engine

// UnwindHelper is the helper id of the suite's "unwind" helper.
const UnwindHelper = 5

// Unwind is the suite's helper 5: it returns r1 and, when r1 is 0, stops the
// program with r0 = 0.
func Unwind(env *abi.Env, r1, _, _, _, _ uint64) uint64 {
	if r1 == 0 {
		env.Stop(0)
	}
	return r1
}

// Helpers returns a new helper table holding the suite's helpers.
func Helpers() []abi.Helper {
	h := make([]abi.Helper, UnwindHelper+1)
	h[UnwindHelper] = Unwind
	return h
}

// noHelpers is the helper set programs are verified with: none. The
// suite's one helper, unwind, returns its argument, and the verifier does
// not yet refuse an address as a helper's argument, so a verified program
// could return its stack's address through it. Programs that call it run
// on the checked interpreter instead.
var noHelpers = helpers.NewSet()

// Verify runs the verifier on p as the suite runs it: a Raw program whose
// context is input (r1 its address, r2 its length), calling no helper.
// Programs it accepts may run on any engine; the others only on the
// checked interpreter.
func Verify(p isa.Program, input []byte) (*engines.Verified, error) {
	v, err := engines.Verify(p, verifier.Options{Type: progtype.Raw, CtxSize: len(input), Helpers: noHelpers})
	var ve *verifier.Error
	if errors.As(err, &ve) && ve.Insn >= 0 && ve.Insn < len(p.Insns) && p.Insns[ve.Insn].IsHelperCall() && p.Insns[ve.Insn].Imm == UnwindHelper {
		return nil, &verifier.Error{Insn: ve.Insn, Msg: "helper 5 (unwind) returns its argument, which may be an address: only unverified programs may call it", Log: ve.Log}
	}
	return v, err
}

// Budget is the instruction budget of a test run: far more than any test of
// the suite needs, little enough that a looping program ends quickly.
const Budget = 1 << 26
