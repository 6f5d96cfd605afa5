package bench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gbpf/gbpf/conformance"
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
