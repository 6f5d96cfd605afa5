package amd64

import (
	"errors"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
)

// TestPacketLoad runs legacy packet loads (BPF_LD_ABS, BPF_LD_IND) on the
// JIT, plain and blinded, and on the interpreter, which must agree: the
// loaded value, 0 for a load outside the packet (which ends the program),
// ErrNoPacket without a packet.
func TestPacketLoad(t *testing.T) {
	if !Supported {
		t.Skip("JIT not supported")
	}
	mem, err := engine.Alloc(64)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Free()
	for i := range mem.Bytes() {
		mem.Bytes()[i] = byte(i*7 + 1)
	}
	frame := mem.Addr() + 4
	pk := engine.Packet{Start: frame, End: frame + 50, Data: frame + 14, MAC: frame, Net: frame + 14}
	for _, src := range []string{
		"ldabsb 0\nexit",
		"ldabsh 1\nexit",
		"ldabsw 32\nexit",
		"ldabsw 33\nmov %r0, 5\nexit",
		"mov %r7, 3\nldindh %r7, 2\nexit",
		"lddw %r7, 0xffffffff00000010\nldindw %r7, -4\nexit",
		"mov %r7, -1\nldindb %r7, 0\nexit",
		"ldabsh -0x1ffff4\nexit",
		"ldabsb -0x100000\nmov %r1, %r0\nldabsb -0x200000\nadd %r0, %r1\nexit",
	} {
		p, err := asm.Assemble("mov %r6, %r1\nmov %r0, 9\n" + src)
		if err != nil {
			t.Fatal(err)
		}
		ip, err := interp.Compile(p, interp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want, err := ip.Run(&engine.Env{Packet: pk}, 0, 0)
		ip.Close()
		if err != nil {
			t.Fatalf("%q on the interpreter: %v", src, err)
		}
		for _, opts := range []Options{{}, {Blind: true}} {
			jp, err := Compile(p, opts)
			if err != nil {
				t.Fatalf("%q: %v", src, err)
			}
			if jp.Leaf() {
				t.Errorf("%q: a leaf, which cannot leave to Go for the load", src)
			}
			got, err := jp.Run(&engine.Env{Packet: pk}, 0, 0)
			if err != nil || got != want {
				t.Errorf("%q %+v: %#x, %v; the interpreter %#x", src, opts, got, err, want)
			}
			if _, err := jp.Run(&engine.Env{}, 0, 0); !errors.Is(err, engine.ErrNoPacket) {
				t.Errorf("%q %+v without a packet: %v, want ErrNoPacket", src, opts, err)
			}
			jp.Close()
		}
	}
}
