package conformance

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/isa"
)

// Load reads and parses the test file at path.
func Load(path string) (*Test, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseData(path, b)
}

// Program returns the program of t: its raw bytes when it has a "-- raw"
// section (as the upstream runner does), its assembled text otherwise.
// Assembler errors name the line of the file.
func Program(t *Test) (isa.Program, error) {
	if t.Raw != nil {
		p, err := isa.Decode(t.Raw)
		if err != nil {
			return isa.Program{}, fmt.Errorf("%s: raw: %w", t.Name, err)
		}
		if err := isa.Validate(p); err != nil {
			return isa.Program{}, fmt.Errorf("%s: raw: %w", t.Name, err)
		}
		return p, nil
	}
	p, err := asm.Assemble(t.Asm)
	if err != nil {
		var ae *asm.Error
		if errors.As(err, &ae) {
			return isa.Program{}, &AssembleError{Test: t.Name, Line: t.AsmLine + ae.Line - 1, Col: ae.Col, Err: err}
		}
		return isa.Program{}, &AssembleError{Test: t.Name, Err: err}
	}
	return p, nil
}

// AssembleError is an error in the program text of a test: the file's
// line and column (0 when unknown) and the assembler's error.
type AssembleError struct {
	Test      string
	Line, Col int
	Err       error
}

func (e *AssembleError) Error() string {
	var ae *asm.Error
	if e.Line > 0 && errors.As(e.Err, &ae) {
		return fmt.Sprintf("%s.data:%d:%d: %s", e.Test, e.Line, e.Col, ae.Msg)
	}
	return fmt.Sprintf("%s.data: %v", e.Test, e.Err)
}

func (e *AssembleError) Unwrap() error { return e.Err }

// MismatchError is a test whose program ran and returned another r0 than
// the expected one.
type MismatchError struct {
	Got, Want uint64
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("r0 = %#x, want %#x", e.Got, e.Want)
}

// Outcome is what happened when a test ran: the r0 it returned, or the
// error that stopped it (at assembly, compilation or run time), and
// whether the verifier accepted the program.
type Outcome struct {
	R0  uint64
	Err error
	// Verified: the verifier accepted the program and it ran on the
	// engine. Otherwise Rejected is the verifier's error and the program
	// ran on the checked interpreter (both are unset when there was no
	// program to verify).
	Verified bool
	Rejected error
}

// Execute prepares t's program with NewProgram and runs it once by the
// suite's conventions: on e when the verifier accepts it, on the checked
// interpreter when it does not. It returns the outcome; it does not
// compare it with what t expects.
func Execute(t *Test, e Engine) Outcome {
	p, err := Program(t)
	if err != nil {
		return Outcome{Err: err}
	}
	input := t.Input()
	prog, rejected, err := NewProgram(t.Name, p, input, e)
	out := Outcome{Verified: rejected == nil, Rejected: rejected}
	if err != nil {
		name := e.String()
		if rejected != nil {
			name = gbpf.EngineChecked.String()
		}
		out.Err = fmt.Errorf("%s: compile: %w", name, err)
		return out
	}
	defer prog.Close()
	out.R0, err = Run(prog, input)
	if err != nil {
		out.R0, out.Err = 0, fmt.Errorf("%s: run: %w", EngineName(prog), err)
	}
	return out
}

// RunTest runs t as Execute does and reports whether it passes: nil when
// the program returns the expected r0, or when t expects an error and the
// error contains its text; otherwise an error saying what went wrong (a
// *MismatchError for a wrong r0).
func RunTest(t *Test, e Engine) error { return check(t, Execute(t, e)) }

func check(t *Test, out Outcome) error {
	if out.Err != nil {
		if t.HasError && strings.Contains(out.Err.Error(), t.Error) {
			return nil
		}
		return out.Err
	}
	if !t.HasResult {
		return fmt.Errorf("returned %#x but expected an error %q", out.R0, t.Error)
	}
	if out.R0 != t.Result {
		return &MismatchError{Got: out.R0, Want: t.Result}
	}
	return nil
}

// CheckNegative runs a negative test as Execute does: it passes (nil) when the test is
// rejected: by a parse or assembly error (containing the test's "-- error"
// text when it gives one), by a compile or run-time error, or by a result
// other than the expected one (0 when the file gives none, as upstream).
// A negative test that runs and returns the expected value fails.
func CheckNegative(t *Test, e Engine) error {
	return checkNegative(t, Execute(t, e))
}

func checkNegative(t *Test, out Outcome) error {
	if out.Err != nil {
		var ae *AssembleError
		if errors.As(out.Err, &ae) && t.HasError && t.Error != "" && !strings.Contains(out.Err.Error(), t.Error) {
			return fmt.Errorf("rejected with %q, want an error containing %q", out.Err, t.Error)
		}
		return nil
	}
	want := uint64(0)
	if t.HasResult {
		want = t.Result
	}
	if out.R0 != want {
		return nil
	}
	return fmt.Errorf("accepted: returned the expected %#x", out.R0)
}
