package cbpf

import (
	"encoding/binary"
	"errors"
	"testing"
)

func TestRun(t *testing.T) {
	pkt := []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x45, 0xff}
	tests := []struct {
		name string
		prog []Instruction
		md   *Metadata
		want uint32
	}{
		{"ret k", []Instruction{Stmt(ClassRET|SrcK, 7)}, nil, 7},
		{"ld abs w", []Instruction{Stmt(ClassLD|SizeW|ModeABS, 1), Stmt(ClassRET|SrcA, 0)}, nil, 0x01020304},
		{"ld abs h", []Instruction{Stmt(ClassLD|SizeH|ModeABS, 6), Stmt(ClassRET|SrcA, 0)}, nil, 0x45ff},
		{"ld abs b", []Instruction{Stmt(ClassLD|SizeB|ModeABS, 7), Stmt(ClassRET|SrcA, 0)}, nil, 0xff},
		{"ld abs out of bounds", []Instruction{Stmt(ClassLD|SizeW|ModeABS, 5), Stmt(ClassRET|SrcK, 9)}, nil, 0},
		{"ld abs huge", []Instruction{Stmt(ClassLD|SizeB|ModeABS, 0x7fffffff), Stmt(ClassRET|SrcK, 9)}, nil, 0},
		{"ld ind", []Instruction{Stmt(ClassLDX|ModeIMM, 2), Stmt(ClassLD|SizeH|ModeIND, 1), Stmt(ClassRET|SrcA, 0)}, nil, 0x0304},
		{"ld ind out of bounds", []Instruction{Stmt(ClassLDX|ModeIMM, 7), Stmt(ClassLD|SizeH|ModeIND, 0), Stmt(ClassRET|SrcK, 1)}, nil, 0},
		{"ld len", []Instruction{Stmt(ClassLD|SizeW|ModeLEN, 0), Stmt(ClassRET|SrcA, 0)}, nil, 8},
		{"ldx len", []Instruction{Stmt(ClassLDX|SizeW|ModeLEN, 0), Stmt(ClassMISC|MiscTXA, 0), Stmt(ClassRET|SrcA, 0)}, nil, 8},
		{"msh", []Instruction{Stmt(ClassLDX|SizeB|ModeMSH, 6), Stmt(ClassMISC|MiscTXA, 0), Stmt(ClassRET|SrcA, 0)}, nil, 20},
		{"msh out of bounds", []Instruction{Stmt(ClassLDX|SizeB|ModeMSH, 8), Stmt(ClassRET|SrcK, 1)}, nil, 0},
		{"scratch", []Instruction{Stmt(ClassLD|ModeIMM, 5), Stmt(ClassST, 3), Stmt(ClassLDX|ModeMEM, 3), Stmt(ClassMISC|MiscTXA, 0), Stmt(ClassRET|SrcA, 0)}, nil, 5},
		{"div x zero", []Instruction{Stmt(ClassLD|ModeIMM, 5), Stmt(ClassALU|AluDIV|SrcX, 0), Stmt(ClassRET|SrcK, 1)}, nil, 0},
		{"mod x zero", []Instruction{Stmt(ClassLD|ModeIMM, 5), Stmt(ClassALU|AluMOD|SrcX, 0), Stmt(ClassRET|SrcK, 1)}, nil, 0},
		{"div k", []Instruction{Stmt(ClassLD|ModeIMM, 17), Stmt(ClassALU|AluDIV|SrcK, 5), Stmt(ClassRET|SrcA, 0)}, nil, 3},
		{"mod k", []Instruction{Stmt(ClassLD|ModeIMM, 17), Stmt(ClassALU|AluMOD|SrcK, 5), Stmt(ClassRET|SrcA, 0)}, nil, 2},
		{"neg", []Instruction{Stmt(ClassLD|ModeIMM, 1), Stmt(ClassALU|AluNEG, 0), Stmt(ClassRET|SrcA, 0)}, nil, 0xffffffff},
		{"lsh x masks", []Instruction{Stmt(ClassLD|ModeIMM, 1), Stmt(ClassLDX|ModeIMM, 33), Stmt(ClassALU|AluLSH|SrcX, 0), Stmt(ClassRET|SrcA, 0)}, nil, 2},
		{"sub wraps", []Instruction{Stmt(ClassLD|ModeIMM, 1), Stmt(ClassALU|AluSUB|SrcK, 2), Stmt(ClassRET|SrcA, 0)}, nil, 0xffffffff},
		{"jeq true", []Instruction{Stmt(ClassLD|SizeB|ModeABS, 1), Jump(ClassJMP|JmpJEQ|SrcK, 1, 0, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcK, 20)}, nil, 10},
		{"jgt false", []Instruction{Stmt(ClassLD|SizeB|ModeABS, 1), Jump(ClassJMP|JmpJGT|SrcK, 1, 0, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcK, 20)}, nil, 20},
		{"jset x", []Instruction{Stmt(ClassLDX|ModeIMM, 4), Stmt(ClassLD|ModeIMM, 6), Jump(ClassJMP|JmpJSET|SrcX, 0, 0, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcK, 20)}, nil, 10},
		{"ja", []Instruction{Stmt(ClassJMP|JmpJA, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcK, 20)}, nil, 20},
		{"anc protocol", []Instruction{Stmt(ClassLD|SizeH|ModeABS, AncillaryK(AdProtocol)), Stmt(ClassRET|SrcA, 0)}, &Metadata{Protocol: 0x86dd}, 0x86dd},
		{"anc protocol nil md", []Instruction{Stmt(ClassLD|SizeH|ModeABS, AncillaryK(AdProtocol)), Stmt(ClassRET|SrcA, 0)}, nil, 0},
		{"anc vlan present", []Instruction{Stmt(ClassLD|SizeB|ModeABS, AncillaryK(AdVLANTagPresent)), Stmt(ClassRET|SrcA, 0)}, &Metadata{VLANPresent: true}, 1},
		{"anc vlan tag", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdVLANTag)), Stmt(ClassRET|SrcA, 0)}, &Metadata{VLANTCI: 0x2064}, 0x2064},
		{"anc vlan tpid", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdVLANTPID)), Stmt(ClassRET|SrcA, 0)}, &Metadata{VLANTPID: 0x88a8}, 0x88a8},
		{"anc ifindex", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdIfindex)), Stmt(ClassRET|SrcA, 0)}, &Metadata{Ifindex: 3}, 3},
		{"anc mark", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdMark)), Stmt(ClassRET|SrcA, 0)}, &Metadata{Mark: 0xabc}, 0xabc},
		{"anc pkttype", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdPktType)), Stmt(ClassRET|SrcA, 0)}, &Metadata{PktType: 4}, 4},
		{"anc queue", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdQueue)), Stmt(ClassRET|SrcA, 0)}, &Metadata{Queue: 2}, 2},
		{"anc hatype", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdHatype)), Stmt(ClassRET|SrcA, 0)}, &Metadata{Hatype: 772}, 772},
		{"anc rxhash", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdRXHash)), Stmt(ClassRET|SrcA, 0)}, &Metadata{RXHash: 99}, 99},
		{"anc cpu", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdCPU)), Stmt(ClassRET|SrcA, 0)}, &Metadata{CPU: 1}, 1},
		{"anc pay offset", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdPayOffset)), Stmt(ClassRET|SrcA, 0)}, &Metadata{PayOffset: 54}, 54},
		{"anc random", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdRandom)), Stmt(ClassRET|SrcA, 0)}, &Metadata{Random: func() uint32 { return 42 }}, 42},
		{"anc xor x", []Instruction{Stmt(ClassLD|ModeIMM, 6), Stmt(ClassLDX|ModeIMM, 3), Stmt(ClassLD|SizeW|ModeABS, AncillaryK(AdALUXorX)), Stmt(ClassRET|SrcA, 0)}, nil, 5},
		{"anc unknown", []Instruction{Stmt(ClassLD|SizeW|ModeABS, AncillaryK(2)), Stmt(ClassRET|SrcK, 1)}, nil, 0},
		{"ll off", []Instruction{Stmt(ClassLD|SizeB|ModeABS, negK(LLOff+7)), Stmt(ClassRET|SrcA, 0)}, nil, 0xff},
		{"net off", []Instruction{Stmt(ClassLD|SizeB|ModeABS, negK(NetOff+1)), Stmt(ClassRET|SrcA, 0)}, &Metadata{NetOffset: 6}, 0xff},
		{"net off out of bounds", []Instruction{Stmt(ClassLD|SizeH|ModeABS, negK(NetOff+1)), Stmt(ClassRET|SrcK, 1)}, &Metadata{NetOffset: 6}, 0},
		{"fused ldh+jeq", []Instruction{Stmt(ClassLD|SizeH|ModeABS, 2), Jump(ClassJMP|JmpJEQ|SrcK, 0x0203, 0, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcK, 20)}, nil, 10},
		{"fused ldb+jset", []Instruction{Stmt(ClassLD|SizeB|ModeABS, 6), Jump(ClassJMP|JmpJSET|SrcK, 0x02, 0, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcK, 20)}, nil, 20},
		{"fused ld+jeq out of bounds", []Instruction{Stmt(ClassLD|SizeW|ModeABS, 6), Jump(ClassJMP|JmpJEQ|SrcK, 0, 0, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcK, 20)}, nil, 0},
		{"fused ind+jeq", []Instruction{Stmt(ClassLDX|ModeIMM, 2), Stmt(ClassLD|SizeH|ModeIND, 1), Jump(ClassJMP|JmpJEQ|SrcK, 0x0304, 0, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcK, 20)}, nil, 10},
		{"fused indb+jeq false", []Instruction{Stmt(ClassLDX|ModeIMM, 2), Stmt(ClassLD|SizeB|ModeIND, 1), Jump(ClassJMP|JmpJEQ|SrcK, 4, 0, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcA, 0)}, nil, 3},
		{"fused ind+jeq out of bounds", []Instruction{Stmt(ClassLDX|ModeIMM, 7), Stmt(ClassLD|SizeH|ModeIND, 0), Jump(ClassJMP|JmpJEQ|SrcK, 0, 0, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcK, 20)}, nil, 0},
		{"fused ind+jeq negative", []Instruction{Stmt(ClassLDX|ModeIMM, negK(LLOff)), Stmt(ClassLD|SizeB|ModeIND, 7), Jump(ClassJMP|JmpJEQ|SrcK, 0xff, 0, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcK, 20)}, nil, 10},
		{"jump into fused pair", []Instruction{Stmt(ClassLD|ModeIMM, 0x45ff), Stmt(ClassJMP|JmpJA, 1), Stmt(ClassLD|SizeH|ModeABS, 0), Jump(ClassJMP|JmpJEQ|SrcK, 0x45ff, 0, 1), Stmt(ClassRET|SrcK, 10), Stmt(ClassRET|SrcK, 20)}, nil, 10},
		{"below ll off", []Instruction{Stmt(ClassLD|SizeB|ModeABS, negK(LLOff-1)), Stmt(ClassRET|SrcK, 1)}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vm, err := NewVM(tt.prog)
			if err != nil {
				t.Fatal(err)
			}
			if got := vm.Run(pkt, tt.md); got != tt.want {
				t.Errorf("Run = %#x, want %#x", got, tt.want)
			}
		})
	}
}

func TestNLAttr(t *testing.T) {
	// Two attributes: type 1 (len 5, padded to 8) and a nested type 2 holding type 7.
	pkt := make([]byte, 0, 32)
	attr := func(l, typ uint16) {
		pkt = binary.NativeEndian.AppendUint16(pkt, l)
		pkt = binary.NativeEndian.AppendUint16(pkt, typ)
	}
	attr(5, 1)
	pkt = append(pkt, 0xaa, 0, 0, 0)
	attr(12, 2|0x8000)
	attr(8, 7)
	pkt = append(pkt, 1, 2, 3, 4)
	run := func(ad int32, a, x uint32) uint32 {
		vm, err := NewVM([]Instruction{
			Stmt(ClassLD|ModeIMM, a), Stmt(ClassLDX|ModeIMM, x),
			Stmt(ClassLD|SizeW|ModeABS, AncillaryK(ad)), Stmt(ClassRET|SrcA, 0),
		})
		if err != nil {
			t.Fatal(err)
		}
		return vm.Run(pkt, nil)
	}
	for _, tt := range []struct {
		ad   int32
		a, x uint32
		want uint32
	}{
		{AdNLAttr, 0, 1, 0}, {AdNLAttr, 0, 2, 8}, {AdNLAttr, 0, 9, 0}, {AdNLAttr, 100, 1, 0},
		{AdNLAttrNest, 8, 7, 12}, {AdNLAttrNest, 8, 1, 0}, {AdNLAttrNest, 0, 7, 0},
	} {
		if got := run(tt.ad, tt.a, tt.x); got != tt.want {
			t.Errorf("ad %d a=%d x=%d: got %d, want %d", tt.ad, tt.a, tt.x, got, tt.want)
		}
	}
}

func TestCheck(t *testing.T) {
	ret := Stmt(ClassRET|SrcK, 0)
	long := make([]Instruction, MaxInstructions+1)
	for i := range long {
		long[i] = ret
	}
	tests := []struct {
		name  string
		prog  []Instruction
		index int // -2: no error
	}{
		{"ok", []Instruction{ret}, -2},
		{"empty", nil, -1},
		{"too long", long, -1},
		{"max length", long[:MaxInstructions], -2},
		{"bad opcode", []Instruction{Stmt(0xff, 0), ret}, 0},
		{"ret x", []Instruction{Stmt(ClassRET|SrcX, 0)}, 0},
		{"no ret", []Instruction{Stmt(ClassLD|ModeIMM, 0)}, 0},
		{"last not ret", []Instruction{ret, Stmt(ClassMISC|MiscTAX, 0)}, 1},
		{"div zero", []Instruction{Stmt(ClassALU|AluDIV|SrcK, 0), ret}, 0},
		{"mod zero", []Instruction{Stmt(ClassLD|ModeIMM, 0), Stmt(ClassALU|AluMOD|SrcK, 0), ret}, 1},
		{"shift 32", []Instruction{Stmt(ClassALU|AluLSH|SrcK, 32), ret}, 0},
		{"mem index", []Instruction{Stmt(ClassST, 16), ret}, 0},
		{"ja out", []Instruction{Stmt(ClassJMP|JmpJA, 1), ret}, 0},
		{"ja ok", []Instruction{Stmt(ClassJMP|JmpJA, 0), ret}, -2},
		{"jt out", []Instruction{Jump(ClassJMP|JmpJEQ|SrcK, 0, 1, 0), ret}, 0},
		{"jf out", []Instruction{Jump(ClassJMP|JmpJGT|SrcX, 0, 0, 1), ret}, 0},
		{"read before write", []Instruction{Stmt(ClassLD|ModeMEM, 2), ret}, 0},
		{"write then read", []Instruction{Stmt(ClassST, 2), Stmt(ClassLDX|ModeMEM, 2), ret}, -2},
		{"written on one path", []Instruction{
			Jump(ClassJMP|JmpJEQ|SrcK, 0, 0, 1),
			Stmt(ClassST, 1),
			Stmt(ClassLD|ModeMEM, 1),
			ret,
		}, 2},
		{"written on both paths", []Instruction{
			Stmt(ClassST, 1),
			Jump(ClassJMP|JmpJEQ|SrcK, 0, 0, 1),
			Stmt(ClassST, 2),
			Stmt(ClassLD|ModeMEM, 1),
			ret,
		}, -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.prog)
			if tt.index == -2 {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var ce *CheckError
			if !errors.As(err, &ce) || !errors.Is(err, ErrInvalidProgram) {
				t.Fatalf("Check = %v, want a CheckError", err)
			}
			if ce.Index != tt.index {
				t.Errorf("index %d, want %d (%v)", ce.Index, tt.index, err)
			}
		})
	}
}

func negK(off int32) uint32 { return uint32(off) }

func TestBackwardJumps(t *testing.T) {
	loop := []Instruction{
		Stmt(ClassLD|ModeIMM, 0),
		Stmt(ClassALU|AluADD|SrcK, 1),          // 1
		Jump(ClassJMP|JmpJEQ|SrcK, 5, 1, 0),    // 2: A == 5 -> 4
		Stmt(ClassJMP|JmpJA, uint32(negK(-3))), // 3: back to 1
		Stmt(ClassRET|SrcA, 0),                 // 4
	}
	if _, err := NewVM(loop); err == nil {
		t.Fatal("NewVM accepted a backward jump")
	}
	vm, err := NewVMOptions(loop, VMOptions{BackwardJumps: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := vm.Run(nil, nil); got != 5 {
		t.Errorf("loop returned %d, want 5", got)
	}
	forever := []Instruction{Stmt(ClassJMP|JmpJA, uint32(negK(-1))), Stmt(ClassRET|SrcK, 1)}
	vm, err = NewVMOptions(forever, VMOptions{BackwardJumps: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := vm.Run(nil, nil); got != 0 {
		t.Errorf("endless loop returned %d, want 0", got)
	}
	if _, err := NewVMOptions([]Instruction{Stmt(ClassJMP|JmpJA, uint32(negK(-2))), Stmt(ClassRET|SrcK, 1)}, VMOptions{BackwardJumps: true}); err == nil {
		t.Error("accepted a jump before the first instruction")
	}
}
