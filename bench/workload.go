package bench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

// Workload is one program of the shared benchmark suite, ready to run.
type Workload struct {
	Name    string
	Program isa.Program
	Input   []byte // the filled buffer, nil when the program uses none
	Result  uint64 // the r0 every run must return
	// Insns is the number of instructions one run executes, from the
	// suite's README; 0 when it does not list the workload.
	Insns int
	// UBPFMicros is the uBPF interpreter's median µs per run from the
	// README; 0 when not listed.
	UBPFMicros float64
}

// LoadWorkloads reads every *.data file of dir (the shared bench
// directory) and the executed-instruction counts of its README.md.
func LoadWorkloads(dir string) ([]*Workload, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.data"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no workloads in %s", dir)
	}
	table, err := readTable(filepath.Join(dir, "README.md"))
	if err != nil {
		return nil, err
	}
	var ws []*Workload
	for _, path := range paths {
		t, err := conformance.Load(path)
		if err != nil {
			return nil, err
		}
		p, err := conformance.Program(t)
		if err != nil {
			return nil, err
		}
		if !t.HasResult {
			return nil, fmt.Errorf("%s: no expected result", path)
		}
		w := &Workload{Name: t.Name, Program: p, Input: t.Input(), Result: t.Result}
		if row, ok := table[t.Name]; ok {
			w.Insns, w.UBPFMicros = row.insns, row.ubpf
		}
		ws = append(ws, w)
	}
	return ws, nil
}

type tableRow struct {
	insns int
	ubpf  float64
}

// readTable reads the README's table of figures to beat: workload name,
// executed instructions, ..., uBPF interpreter µs (the last column).
func readTable(path string) (map[string]tableRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows := map[string]tableRow{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(strings.Trim(strings.TrimSpace(sc.Text()), "|"), "|")
		if len(cells) < 3 {
			continue
		}
		for i := range cells {
			cells[i] = strings.ReplaceAll(strings.TrimSpace(cells[i]), ",", "")
		}
		n, err := strconv.Atoi(cells[1])
		if err != nil {
			continue // a header or another table
		}
		u, _ := strconv.ParseFloat(cells[len(cells)-1], 64)
		rows[cells[0]] = tableRow{insns: n, ubpf: u}
	}
	return rows, sc.Err()
}

// Runner runs one workload on one engine, over and over.
type Runner struct {
	w    *Workload
	prog engine.Program
	mem  *engine.Block
	env  engine.Env
	r1   uint64
	r2   uint64
}

// NewRunner compiles w with e and fills a fresh buffer.
func NewRunner(w *Workload, e Engine) (*Runner, error) {
	prog, err := e.Compile(w.Program)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", w.Name, e.Name, err)
	}
	r := &Runner{w: w, prog: prog}
	if len(w.Input) > 0 {
		r.mem, err = engine.Alloc(len(w.Input))
		if err != nil {
			prog.Close()
			return nil, err
		}
		copy(r.mem.Bytes(), w.Input)
		r.env.Regions = []engine.Region{r.mem.Region(true)}
		r.r1, r.r2 = r.mem.Addr(), uint64(len(w.Input))
	}
	return r, nil
}

// Run runs the workload once and checks its result.
func (r *Runner) Run() error {
	r0, err := r.prog.Run(&r.env, r.r1, r.r2)
	if err != nil {
		return err
	}
	if r0 != r.w.Result {
		return fmt.Errorf("%s: r0 = %#x, want %#x", r.w.Name, r0, r.w.Result)
	}
	return nil
}

// Env returns the environment the runner runs with.
func (r *Runner) Env() *abi.Env { return &r.env }

// Args returns the r1 and r2 the runner passes.
func (r *Runner) Args() (uint64, uint64) { return r.r1, r.r2 }

// Program returns the compiled program.
func (r *Runner) Program() abi.Program { return r.prog }

// Close releases the program and the buffer.
func (r *Runner) Close() {
	r.prog.Close()
	if r.mem != nil {
		r.mem.Free()
	}
}
