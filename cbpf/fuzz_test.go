package cbpf

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"
)

// fuzzInput splits fuzz data into a packet (length in the first byte) and
// a program (8 bytes an instruction: op, jt, jf, k as in sock_filter).
func fuzzInput(data []byte) (pkt []byte, prog []Instruction) {
	if len(data) == 0 {
		return nil, nil
	}
	n := min(int(data[0]), len(data)-1)
	pkt, data = data[1:1+n], data[1+n:]
	for len(data) >= 8 {
		prog = append(prog, Instruction{
			Op: binary.LittleEndian.Uint16(data),
			Jt: data[2], Jf: data[3],
			K: binary.LittleEndian.Uint32(data[4:]),
		})
		data = data[8:]
	}
	return pkt, prog
}

// encodeFuzzInput is the inverse of fuzzInput.
func encodeFuzzInput(pkt []byte, prog []Instruction) []byte {
	out := append([]byte{byte(len(pkt))}, pkt...)
	for _, ins := range prog {
		out = binary.LittleEndian.AppendUint16(out, ins.Op)
		out = append(out, ins.Jt, ins.Jf)
		out = binary.LittleEndian.AppendUint32(out, ins.K)
	}
	return out
}

// comparable reports whether x/net/bpf's VM has the same semantics as
// Linux for every instruction of prog: it lacks NEG and the ancillary and
// negative-offset loads, and shifts by X of 32 or more differ (Linux masks
// the count). x/net/bpf also reads BPF_LDX|BPF_LEN as a load into A.
func comparable(prog []Instruction) bool {
	for _, ins := range prog {
		switch {
		case ins.Op == ClassALU|AluNEG, ins.Op == ClassLDX|SizeW|ModeLEN, // x/net/bpf loads the length into A
			ins.Op == ClassALU|AluLSH|SrcX, ins.Op == ClassALU|AluRSH|SrcX:
			return false
		case Class(ins.Op) == ClassLD && Mode(ins.Op) == ModeABS && int32(ins.K) < 0:
			return false
		}
	}
	return true
}

func hasIndirect(prog []Instruction) bool {
	for _, ins := range prog {
		if Class(ins.Op) == ClassLD && Mode(ins.Op) == ModeIND {
			return true
		}
	}
	return false
}

func fuzzSeeds() [][]byte {
	pkt := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45, 0, 0, 40}
	progs := [][]Instruction{
		{Stmt(ClassRET|SrcK, 0xffff)},
		{Stmt(ClassLD|SizeH|ModeABS, 12), Jump(ClassJMP|JmpJEQ|SrcK, 0x800, 0, 1), Stmt(ClassRET|SrcK, 1), Stmt(ClassRET|SrcK, 0)},
		{Stmt(ClassLDX|SizeB|ModeMSH, 14), Stmt(ClassLD|SizeB|ModeIND, 2), Stmt(ClassRET|SrcA, 0)},
		{Stmt(ClassLD|SizeW|ModeLEN, 0), Stmt(ClassST, 3), Stmt(ClassLDX|ModeMEM, 3), Stmt(ClassALU|AluDIV|SrcX, 0), Stmt(ClassRET|SrcA, 0)},
		{Stmt(ClassLD|ModeIMM, 9), Stmt(ClassLDX|ModeIMM, 0), Stmt(ClassALU|AluMOD|SrcX, 0), Stmt(ClassRET|SrcA, 0)},
		{Stmt(ClassLD|SizeW|ModeABS, 100), Stmt(ClassRET|SrcK, 5)},
		{Stmt(ClassLD|SizeH|ModeABS, AncillaryK(AdProtocol)), Stmt(ClassRET|SrcA, 0)},
		{Stmt(ClassLD|ModeIMM, 3), Stmt(ClassALU|AluNEG, 0), Stmt(ClassMISC|MiscTAX, 0), Jump(ClassJMP|JmpJSET|SrcX, 0, 0, 1), Stmt(ClassRET|SrcA, 0), Stmt(ClassRET|SrcK, 1)},
	}
	var seeds [][]byte
	for _, p := range progs {
		seeds = append(seeds, encodeFuzzInput(pkt, p))
	}
	return seeds
}

// FuzzVM runs random programs on random packets: NewVM must never panic;
// a Filter (machine code where the JIT takes the program) must give the
// VM's result, with the packet as captured and with a longer wire length;
// and where x/net/bpf's VM has the same semantics, it must agree too.
func FuzzVM(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pkt, prog := fuzzInput(data)
		vm, err := NewVM(prog)
		if err != nil {
			return
		}
		md := &Metadata{Protocol: 0x800, Random: func() uint32 { return 4 }}
		got := vm.Run(pkt, md)
		flt, err := NewFilter(prog, FilterOptions{})
		if err != nil {
			t.Fatalf("NewVM accepts %v, NewFilter: %v", prog, err)
		}
		if fg := flt.Run(pkt, md); fg != got {
			t.Fatalf("program %v on % x: filter (JIT %v) %d, VM %d", prog, pkt, flt.JIT(), fg, got)
		}
		wire := uint32(len(pkt)) + 7
		if fg, want := flt.RunWire(pkt, wire, md), vm.RunWire(pkt, wire, md); fg != want {
			t.Fatalf("program %v on % x of %d: filter (JIT %v) %d, VM %d", prog, pkt, wire, flt.JIT(), fg, want)
		}
		if !comparable(prog) {
			return
		}
		ref, err := bpf.NewVM(ToBPF(prog))
		if err != nil {
			return
		}
		want, err := ref.Run(pkt)
		if err != nil {
			return
		}
		if uint32(want) != got && !hasIndirect(prog) {
			t.Fatalf("program %v on % x: gbpf %d, x/net/bpf %d", prog, pkt, got, want)
		}
	})
}

func TestConvertRoundTrip(t *testing.T) {
	for _, s := range fuzzSeeds() {
		_, prog := fuzzInput(s)
		raw := FromRaw(ToRaw(prog))
		for i := range prog {
			if raw[i] != prog[i] {
				t.Errorf("raw instruction %d: %v, want %v", i, raw[i], prog[i])
			}
		}
		if !comparable(prog) {
			continue // x/net/bpf assembles every extension load as a word load
		}
		back, err := FromBPF(ToBPF(prog))
		if err != nil {
			t.Fatal(err)
		}
		if len(back) != len(prog) {
			t.Fatalf("length %d, want %d", len(back), len(prog))
		}
		for i := range prog {
			if back[i] != prog[i] {
				t.Errorf("instruction %d: %v, want %v", i, back[i], prog[i])
			}
		}
	}
}
