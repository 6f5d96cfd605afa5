package interp

import (
	"errors"
	"strings"
	"testing"

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
