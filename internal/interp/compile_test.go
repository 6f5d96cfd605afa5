package interp

import (
	"errors"
	"strings"
	"testing"

	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/isa"
)

func TestCompileErrors(t *testing.T) {
	mapLoad := lddw(r1, 3)
	mapLoad[0].Src = isa.PseudoMapFD
	tests := []struct {
		name  string
		p     isa.Program
		index int
		want  string
	}{
		{"empty", isa.Program{}, -1, "no instructions"},
		{"invalid opcode", prog(isa.Instruction{Op: 0xff}, exit()), 0, "unknown opcode"},
		{"falls off the end", prog(mov64(r0, 0)), 0, "last instruction"},
		{"jump out of range", prog(ja(5), exit()), 0, "out of range"},
		{"write to r10", prog(mov64(r10, 0), exit()), 0, "read only"},
		{"map lddw not resolved", prog(mov64(r0, 0), mapLoad, exit()), 1, "map fd"},
		{"kfunc call", prog(isa.Instruction{Op: isa.OpCall, Src: isa.PseudoCallKfunc, Imm: 100}, exit()), 0, "kfunc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, m := range modes {
				_, err := Compile(tt.p, m.opts)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("%s: error = %v, want one containing %q", m.name, err, tt.want)
				}
				var ie *isa.Error
				if tt.index >= 0 && (!errors.As(err, &ie) || ie.Index != tt.index) {
					t.Errorf("%s: error %v does not name instruction %d", m.name, err, tt.index)
				}
			}
		})
	}
}

func TestProgramInterface(t *testing.T) {
	pr, err := Compile(prog(mov64(r0, 1), exit()), Options{Checked: true})
	if err != nil {
		t.Fatal(err)
	}
	if !pr.Checked() {
		t.Error("Checked() = false")
	}
	if err := pr.Close(); err != nil {
		t.Error(err)
	}
}

// TestEveryInstruction compiles every instruction isa.Validate accepts
// (every opcode with each meaningful src, offset and immediate) in both
// modes, and runs it on a stack and memory it may touch: none may reach
// the run loop's default case, and only legacy packet loads and
// misaligned atomics may fault (the latter in every mode: Go's atomics on
// arm64 die of SIGBUS on a misaligned address).
func TestEveryInstruction(t *testing.T) {
	imms := []int32{0, 1, 16, 32, 64, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1}
	offs := []int16{0, 1, 8, 16, 32}
	mem := newBlock(t, make([]byte, 64))
	env := &engine.Env{
		Helpers: []engine.Helper{0: func(*engine.Env, uint64, uint64, uint64, uint64, uint64) uint64 { return 0 }},
		Regions: []engine.Region{mem.Region(true)},
	}
	valid := 0
	for op := range 256 {
		for src := isa.Register(0); src <= 2; src++ {
			for _, off := range offs {
				for _, imm := range imms {
					ins := isa.Instruction{Op: isa.Opcode(op), Dst: r1, Src: src, Off: off, Imm: imm}
					if ins.Op.Class().IsJump() || ins.IsLocalCall() {
						ins.Off, ins.Imm = 0, 0 // jump to the next slot
						if ins.Op == isa.OpJa32 || ins.IsLocalCall() {
							ins.Off = off
						}
						if ins.Op == isa.OpCallX {
							ins.Dst = r3 // helper 0
						}
					}
					p := prog(mov64x(r2, r1), mov64x(r0, r1), mov64(r3, 0), ins)
					if ins.IsLdImm64() {
						p.Insns = append(p.Insns, isa.Instruction{})
					}
					p = prog(p, mov64(r0, 0), exit())
					if isa.Validate(p) != nil {
						continue
					}
					valid++
					for _, m := range modes {
						pr, err := Compile(p, m.opts)
						if err != nil {
							continue // an unresolved pseudo lddw or a kfunc call
						}
						in := pr.code[3]
						if in.op == opInvalid || in.op >= numOps {
							t.Fatalf("%s: %v compiles to op %d", m.name, ins, in.op)
						}
						// r0, r1 and r2 point 16 bytes into the memory, so that
						// every offset above stays inside it.
						_, err = pr.Run(env, mem.Addr()+16, 0)
						misaligned := ins.Op.Mode() == isa.ModeATOMIC && int(ins.Off)%ins.Op.Size().Bytes() != 0
						switch {
						case err == nil, errors.Is(err, errLegacyPacket):
						case misaligned && errors.Is(err, engine.ErrMemory):
						case m.opts.Sanitize && errors.Is(err, engine.ErrLeak): // arithmetic on r1
						default:
							t.Fatalf("%s: %v: %v", m.name, ins, err)
						}
					}
				}
			}
		}
	}
	if valid < 300 {
		t.Errorf("only %d valid instructions tried", valid)
	}
	t.Logf("%d valid instruction forms", valid)
}
