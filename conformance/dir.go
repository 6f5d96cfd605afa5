package conformance

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gbpf/gbpf"
)

// DirOptions control RunDir.
type DirOptions struct {
	// Negative runs the directory as negative tests (see CheckNegative),
	// skipping the upstream "unused-*" files as the upstream runner does.
	Negative bool
	// Verbose, when set, receives one line per test: "PASS name",
	// "FAIL name: reason" or "SKIP name: reason".
	Verbose io.Writer
}

// Result is the outcome of one test file of a directory.
type Result struct {
	Name    string // file name without ".data"
	Err     error  // nil when the test passed
	Skipped bool
	// Verified and Rejected say what the verifier made of the program,
	// as in Outcome.
	Verified bool
	Rejected error
}

// Summary is the outcome of a directory.
type Summary struct {
	Engine                  string // the engine's name
	Passed, Failed, Skipped int
	// Verified counts the programs the verifier accepted, which ran on
	// the engine; Rejected those it rejected, which ran on the checked
	// interpreter.
	Verified, Rejected int
	Results            []Result // one per file, in name order
}

// Failures returns the results of the tests that failed.
func (s *Summary) Failures() []Result {
	var f []Result
	for _, r := range s.Results {
		if r.Err != nil && !r.Skipped {
			f = append(f, r)
		}
	}
	return f
}

// String is the summary line: "N passed, N failed" (and skipped, if any).
func (s *Summary) String() string {
	if s.Skipped > 0 {
		return fmt.Sprintf("%d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped)
	}
	return fmt.Sprintf("%d passed, %d failed", s.Passed, s.Failed)
}

// VerifierLine says where the programs ran: "N verified ran on ENGINE, N
// rejected by the verifier ran on checked".
func (s *Summary) VerifierLine() string {
	return fmt.Sprintf("%d verified ran on %s, %d rejected by the verifier ran on %s", s.Verified, s.Engine, s.Rejected, gbpf.EngineChecked)
}

// IsNegativeDir reports whether dir is the suite's directory of negative
// tests (its base name is "negative").
func IsNegativeDir(dir string) bool { return filepath.Base(filepath.Clean(dir)) == "negative" }

// RunDir runs every *.data file of dir on e, in name order. A file that
// cannot be read or parsed fails (in a negative directory, a file that does
// not parse is rejected, so it passes). The error is for a directory that
// cannot be listed.
func RunDir(dir string, e Engine, opts DirOptions) (*Summary, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.data"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	slices.Sort(paths)
	s := &Summary{Engine: e.String()}
	for _, path := range paths {
		r := runFile(path, e, opts.Negative)
		s.Results = append(s.Results, r)
		if r.Verified {
			s.Verified++
		} else if r.Rejected != nil {
			s.Rejected++
		}
		switch {
		case r.Skipped:
			s.Skipped++
		case r.Err != nil:
			s.Failed++
		default:
			s.Passed++
		}
		if opts.Verbose != nil {
			switch {
			case r.Skipped:
				fmt.Fprintf(opts.Verbose, "SKIP %s: %v\n", r.Name, r.Err)
			case r.Err != nil:
				fmt.Fprintf(opts.Verbose, "FAIL %s: %v\n", r.Name, r.Err)
			default:
				fmt.Fprintf(opts.Verbose, "PASS %s\n", r.Name)
			}
		}
	}
	return s, nil
}

// errUnused marks the upstream negative tests that its runner skips.
var errUnused = fmt.Errorf("unused-* tests are skipped, as upstream")

func runFile(path string, e Engine, negative bool) Result {
	name := strings.TrimSuffix(filepath.Base(path), ".data")
	if negative && strings.HasPrefix(name, "unused-") {
		return Result{Name: name, Err: errUnused, Skipped: true}
	}
	t, err := Load(path)
	if err != nil {
		if negative {
			return Result{Name: name} // rejected while parsing
		}
		return Result{Name: name, Err: err}
	}
	out := Execute(t, e)
	r := Result{Name: name, Verified: out.Verified, Rejected: out.Rejected}
	if negative {
		r.Err = checkNegative(t, out)
	} else {
		r.Err = check(t, out)
	}
	return r
}
