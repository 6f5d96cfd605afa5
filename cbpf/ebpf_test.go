package cbpf

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
)

// ebpfRunner runs translated programs on gbpf's eBPF interpreter, in
// checked mode, with the packet in engine memory.
type ebpfRunner struct {
	prog *interp.Program
	blk  *engine.Block
	env  *engine.Env
}

func newEBPFRunner(t testing.TB, prog []Instruction) *ebpfRunner {
	t.Helper()
	p, err := ToEBPF(prog)
	if err != nil {
		t.Fatalf("ToEBPF: %v", err)
	}
	ip, err := interp.Compile(p, interp.Options{Checked: true})
	if err != nil {
		t.Fatalf("interp.Compile: %v", err)
	}
	blk, err := engine.Alloc(1 << 16)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blk.Free() })
	return &ebpfRunner{prog: ip, blk: blk, env: &engine.Env{}}
}

// run returns the eBPF program's r0 on pkt: a 32-bit result, or Fallback.
func (r *ebpfRunner) run(t testing.TB, pkt []byte) uint64 {
	t.Helper()
	copy(r.blk.Bytes(), pkt)
	r.env.Regions = []engine.Region{r.blk.Region(false)}
	v, err := r.prog.Run(r.env, r.blk.Addr(), uint64(len(pkt)))
	if err != nil {
		t.Fatalf("eBPF run: %v", err)
	}
	return v
}

func TestToEBPFBenchProgram(t *testing.T) {
	vm, err := NewVM(benchProg)
	if err != nil {
		t.Fatal(err)
	}
	r := newEBPFRunner(t, benchProg)
	for _, c := range benchCases() {
		for _, n := range []int{len(c.pkt), 40, 36, 20, 13, 0} {
			if got, want := r.run(t, c.pkt[:n]), uint64(vm.Run(c.pkt[:n], nil)); got != want {
				t.Errorf("%s[:%d]: eBPF %d, cBPF VM %d", c.name, n, got, want)
			}
		}
	}
}

// TestToEBPFFallback checks that an indirect load at a negative offset
// (here LLOff+1: the link-layer header's second byte) ends the eBPF program
// with Fallback, and that Filter then runs the VM, which reads the byte.
func TestToEBPFFallback(t *testing.T) {
	prog := []Instruction{
		Stmt(ClassLDX|ModeIMM, 2),
		Stmt(ClassLD|SizeH|ModeIND, negK(LLOff-1)),
		Stmt(ClassRET|SrcA, 0),
	}
	pkt := []byte{0x11, 0x22, 0x33, 0x44}
	if got := newEBPFRunner(t, prog).run(t, pkt); got != Fallback {
		t.Errorf("eBPF: %#x, want Fallback", got)
	}
	f, err := NewFilter(prog, FilterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Run(pkt, nil); got != 0x2233 {
		t.Errorf("filter (JIT %v): %#x, want 0x2233", f.JIT(), got)
	}
}

func TestToEBPFRejectsAncillary(t *testing.T) {
	_, err := ToEBPF([]Instruction{Stmt(ClassLD|SizeH|ModeABS, AncillaryK(AdProtocol)), Stmt(ClassRET|SrcA, 0)})
	if !errors.Is(err, ErrNotTranslatable) {
		t.Fatalf("err = %v, want ErrNotTranslatable", err)
	}
}

// randomProgram returns a checker-valid program without ancillary loads.
func randomProgram(r *rand.Rand) []Instruction {
	ops := []uint16{
		ClassLD | SizeW | ModeABS, ClassLD | SizeH | ModeABS, ClassLD | SizeB | ModeABS,
		ClassLD | SizeW | ModeIND, ClassLD | SizeH | ModeIND, ClassLD | SizeB | ModeIND,
		ClassLD | SizeW | ModeLEN, ClassLD | ModeIMM, ClassLDX | ModeIMM, ClassLDX | SizeW | ModeLEN,
		ClassLDX | SizeB | ModeMSH, ClassST, ClassSTX, ClassLD | ModeMEM, ClassLDX | ModeMEM,
		ClassMISC | MiscTAX, ClassMISC | MiscTXA, ClassALU | AluNEG,
	}
	for op := range aluMap {
		ops = append(ops, ClassALU|op|SrcK, ClassALU|op|SrcX)
	}
	for op := range jmpMap {
		ops = append(ops, ClassJMP|op|SrcK, ClassJMP|op|SrcX)
	}
	ops = append(ops, ClassJMP|JmpJA)
	n := 2 + r.IntN(30)
	prog := make([]Instruction, n)
	for i := 0; i < n-1; i++ {
		op := ops[r.IntN(len(ops))]
		k := r.Uint32N(64)
		if r.IntN(4) == 0 {
			k = r.Uint32()
		}
		ins := Instruction{Op: op, K: k}
		switch {
		case op == ClassST || op == ClassSTX || op == ClassLD|ModeMEM || op == ClassLDX|ModeMEM:
			ins.K = k % MemWords
		case Class(op) == ClassALU && Src(op) == SrcK && (Op(op) == AluLSH || Op(op) == AluRSH):
			ins.K = k % 32
		case Class(op) == ClassALU && Src(op) == SrcK && (Op(op) == AluDIV || Op(op) == AluMOD):
			ins.K = k | 1
		case Class(op) == ClassLD && Mode(op) == ModeABS:
			ins.K = k & 0x7fffffff
		case op == ClassJMP|JmpJA:
			ins.K = uint32(r.IntN(n - i - 1))
		case Class(op) == ClassJMP:
			ins.Jt = uint8(r.IntN(n - i - 1))
			ins.Jf = uint8(r.IntN(n - i - 1))
		}
		prog[i] = ins
	}
	prog[n-1] = Stmt(ClassRET|SrcA, 0)
	return prog
}

// randomPackets returns packets of the given sizes with random bytes, an
// IPv4 header length byte at offset 14 where there is one.
func randomPackets(r *rand.Rand, sizes ...int) [][]byte {
	pkts := make([][]byte, len(sizes))
	for i, n := range sizes {
		p := make([]byte, n)
		for j := range p {
			p[j] = byte(r.Uint32())
		}
		if n > 14 {
			p[14] = 0x45
		}
		pkts[i] = p
	}
	return pkts
}

// TestToEBPFRandom runs random programs on the cBPF VM and, translated,
// on the eBPF interpreter, and compares the results.
func TestToEBPFRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pkts := randomPackets(r, 0, 14, 64, 1500)
	fallbacks := 0
	forRandomPrograms(r, 3000, func(prog []Instruction, vm *VM) {
		er := newEBPFRunner(t, prog)
		for _, p := range pkts {
			got, want := er.run(t, p), vm.Run(p, nil)
			if got == Fallback {
				fallbacks++
				continue
			}
			if got != uint64(want) {
				t.Fatalf("program %v on %d bytes: eBPF %d, cBPF VM %d", prog, len(p), got, want)
			}
		}
	})
	t.Logf("3000 programs, %d runs ended in Fallback", fallbacks)
}

// forRandomPrograms calls f with n random programs that the checker
// accepts, and their VM.
func forRandomPrograms(r *rand.Rand, n int, f func(prog []Instruction, vm *VM)) {
	for tested := 0; tested < n; {
		prog := randomProgram(r)
		vm, err := NewVM(prog)
		if err != nil {
			continue // e.g. a scratch word read before written
		}
		tested++
		f(prog, vm)
	}
}
