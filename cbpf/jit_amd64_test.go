//go:build amd64

package cbpf

import (
	"errors"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"golang.org/x/net/bpf"

	"github.com/gbpf/gbpf/abi"
	"github.com/gbpf/gbpf/internal/testutil"
)

func newJITFilter(tb testing.TB, prog []Instruction) *Filter {
	tb.Helper()
	f, err := NewFilter(prog, FilterOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	if !f.JIT() {
		tb.Fatal("filter not compiled to machine code")
	}
	return f
}

func TestFilterJIT(t *testing.T) {
	vm, err := NewVM(benchProg)
	if err != nil {
		t.Fatal(err)
	}
	f := newJITFilter(t, benchProg)
	for _, c := range benchCases() {
		for _, n := range []int{len(c.pkt), 36, 13, 0} {
			if got, want := f.Run(c.pkt[:n], nil), vm.Run(c.pkt[:n], nil); got != want {
				t.Errorf("%s[:%d]: JIT %d, VM %d", c.name, n, got, want)
			}
		}
	}
}

// TestFilterJITRandom runs random programs in the VM and as machine code
// on packets of several lengths (so that loads run off the end) and
// compares the results, and checks RunWire's BPF_LEN on truncated packets.
func TestFilterJITRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pkts := randomPackets(r, 0, 1, 14, 54, 64, 1500)
	forRandomPrograms(r, 3000, func(prog []Instruction, vm *VM) {
		f := newJITFilter(t, prog)
		for _, p := range pkts {
			if got, want := f.Run(p, nil), vm.Run(p, nil); got != want {
				t.Fatalf("program %v on %d bytes: JIT %d, VM %d", prog, len(p), got, want)
			}
			wire := uint32(len(p)) + 100
			if got, want := f.RunWire(p, wire, nil), vm.RunWire(p, wire, nil); got != want {
				t.Fatalf("program %v on %d of %d bytes: filter %d, VM %d", prog, len(p), wire, got, want)
			}
		}
	})
}

// TestFilterFallback checks that programs the JIT does not take run in
// the VM with the same results.
func TestFilterFallback(t *testing.T) {
	progs := map[string]struct {
		prog []Instruction
		opts FilterOptions
	}{
		"ancillary":   {[]Instruction{{Op: ClassLD | SizeW | ModeABS, K: uint32(0xfffff000) + AdProtocol}, {Op: ClassRET | SrcA}}, FilterOptions{}},
		"backward":    {[]Instruction{{Op: ClassLD | ModeIMM, K: 7}, {Op: ClassJMP | JmpJA, K: 0xfffffffe}, {Op: ClassRET | SrcA}}, FilterOptions{VMOptions: VMOptions{BackwardJumps: true}}},
		"nojit":       {benchProg, FilterOptions{NoJIT: true}},
		"interpreter": {benchProg, FilterOptions{Engine: abi.EngineInterpreter}},
		"checked":     {benchProg, FilterOptions{Engine: abi.EngineChecked}},
	}
	md := &Metadata{Protocol: 0x0800}
	for name, c := range progs {
		f, err := NewFilter(c.prog, c.opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.JIT() {
			t.Errorf("%s: compiled, want the VM", name)
		}
		vm, _ := NewVMOptions(c.prog, c.opts.VMOptions)
		pkt := benchPacket([4]byte{10, 0, 0, 2}, 80)
		if got, want := f.Run(pkt, md), vm.Run(pkt, md); got != want {
			t.Errorf("%s: filter %d, VM %d", name, got, want)
		}
	}
}

// TestFilterEngines checks the engine choice: the JIT engine runs a
// filter as machine code or refuses it, and an unknown engine is an error.
func TestFilterEngines(t *testing.T) {
	f, err := NewFilter(benchProg, FilterOptions{Engine: abi.EngineJIT})
	if err != nil || !f.JIT() {
		t.Errorf("jit: %v, machine code %v", err, err == nil && f.JIT())
	}
	ancillary := []Instruction{{Op: ClassLD | SizeW | ModeABS, K: uint32(0xfffff000) + AdProtocol}, {Op: ClassRET | SrcA}}
	if _, err := NewFilter(ancillary, FilterOptions{Engine: abi.EngineJIT}); !errors.Is(err, abi.ErrNotSupported) {
		t.Errorf("jit, ancillary load: %v, want ErrNotSupported", err)
	}
	if _, err := NewFilter(benchProg, FilterOptions{Engine: abi.Engine(9)}); err == nil {
		t.Error("an unknown engine was accepted")
	}
	if _, err := NewFilter([]Instruction{{Op: ClassRET | SrcA, K: 0}, {Op: 0xff}}, FilterOptions{Engine: abi.EngineJIT}); err == nil {
		t.Error("a program the checker refuses was accepted")
	}
}

func TestFilterJITAllocs(t *testing.T) {
	if testutil.RaceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	f := newJITFilter(t, benchProg)
	pkt := benchPacket([4]byte{10, 0, 0, 2}, 80)
	if n := testing.AllocsPerRun(1000, func() { f.Run(pkt, nil) }); n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}

// BenchmarkJIT runs the benchmark filter compiled to machine code, on
// packets in ordinary Go memory.
func BenchmarkJIT(b *testing.B) {
	f := newJITFilter(b, benchProg)
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.Run(c.pkt, nil)
			}
		})
	}
}

// TestMeasureBursts prints the per-packet cost of the benchmark filter in
// the VM, as machine code and in x/net/bpf's VM as the minimum over many
// short bursts, which is stable on a busy machine where go test -bench is
// not. It runs only with GBPF_MEASURE=1.
func TestMeasureBursts(t *testing.T) {
	if os.Getenv("GBPF_MEASURE") != "1" {
		t.Skip("set GBPF_MEASURE=1 to measure")
	}
	vm, err := NewVM(benchProg)
	if err != nil {
		t.Fatal(err)
	}
	xvm, err := bpf.NewVM(ToBPF(benchProg))
	if err != nil {
		t.Fatal(err)
	}
	f := newJITFilter(t, benchProg)
	const n = 100000
	for _, c := range benchCases() {
		runs := map[string]func(){
			"vm":   func() { vm.Run(c.pkt, nil) },
			"jit":  func() { f.Run(c.pkt, nil) },
			"xnet": func() { xvm.Run(c.pkt) },
		}
		best := map[string]time.Duration{}
		for round := 0; round < 50; round++ {
			for name, run := range runs {
				start := time.Now()
				for i := 0; i < n; i++ {
					run()
				}
				if d := time.Since(start); best[name] == 0 || d < best[name] {
					best[name] = d
				}
			}
		}
		for _, name := range []string{"vm", "jit", "xnet"} {
			t.Logf("%s %-4s %.1f ns/packet", c.name, name, float64(best[name].Nanoseconds())/n)
		}
		t.Logf("%s jit is %.1fx x/net/bpf, %.1fx the VM", c.name,
			float64(best["xnet"])/float64(best["jit"]), float64(best["vm"])/float64(best["jit"]))
	}
}
