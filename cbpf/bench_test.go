package cbpf

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"
)

// benchProg is tcpdump -dd 'tcp dst port 80 and (ip src 10.0.0.1 or ip src
// 10.0.0.2)' on Ethernet.
var benchProg = []Instruction{
	{0x28, 0, 0, 0x0000000c},
	{0x15, 12, 0, 0x000086dd},
	{0x15, 0, 11, 0x00000800},
	{0x30, 0, 0, 0x00000017},
	{0x15, 0, 9, 0x00000006},
	{0x28, 0, 0, 0x00000014},
	{0x45, 7, 0, 0x00001fff},
	{0xb1, 0, 0, 0x0000000e},
	{0x48, 0, 0, 0x00000010},
	{0x15, 0, 4, 0x00000050},
	{0x20, 0, 0, 0x0000001a},
	{0x15, 1, 0, 0x0a000001},
	{0x15, 0, 1, 0x0a000002},
	{0x6, 0, 0, 0x00040000},
	{0x6, 0, 0, 0x00000000},
}

// benchPacket returns a 1500-byte Ethernet/IPv4/TCP packet from src to
// port dport.
func benchPacket(src [4]byte, dport uint16) []byte {
	p := make([]byte, 1500)
	binary.BigEndian.PutUint16(p[12:], 0x0800)
	p[14] = 0x45
	binary.BigEndian.PutUint16(p[16:], 1500-14)
	p[23] = 6
	copy(p[26:], src[:])
	copy(p[30:], []byte{10, 0, 0, 9})
	binary.BigEndian.PutUint16(p[34:], 40000)
	binary.BigEndian.PutUint16(p[36:], dport)
	return p
}

func TestBenchProgram(t *testing.T) {
	vm, err := NewVM(benchProg)
	if err != nil {
		t.Fatal(err)
	}
	if got := vm.Run(benchPacket([4]byte{10, 0, 0, 2}, 80), nil); got != 262144 {
		t.Errorf("match: %d", got)
	}
	if got := vm.Run(benchPacket([4]byte{10, 0, 0, 3}, 80), nil); got != 0 {
		t.Errorf("no match: %d", got)
	}
}

func benchCases() []struct {
	name string
	pkt  []byte
} {
	return []struct {
		name string
		pkt  []byte
	}{
		{"match", benchPacket([4]byte{10, 0, 0, 2}, 80)},
		{"nomatch", benchPacket([4]byte{10, 0, 0, 1}, 443)},
	}
}

func BenchmarkVM(b *testing.B) {
	vm, err := NewVM(benchProg)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				vm.Run(c.pkt, nil)
			}
		})
	}
}

func BenchmarkXNetVM(b *testing.B) {
	vm, err := bpf.NewVM(ToBPF(benchProg))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range benchCases() {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				vm.Run(c.pkt)
			}
		})
	}
}
