package tcpdump_test

import (
	"github.com/gbpf/gbpf/tcpdump"
	"testing"
	"time"
)

// fuzzLinkTypes are the link types the renderer decodes, and one it does
// not.
var fuzzLinkTypes = []int{0, 1, 8, 12, 104, 105, 108, 113, 127, 129, 140, 192, 228, 229, 276, 281, 284}

// FuzzFormat renders random bytes as packets of every link type with
// several flag sets: the renderer must not panic, and must end each
// packet with exactly one trailing newline.
func FuzzFormat(f *testing.F) {
	f.Add(uint8(1), []byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x08\x00E\x00\x00\x1c\x00\x00\x00\x00@\x11\x00\x00\x7f\x00\x00\x01\x7f\x00\x00\x01\x005\x005\x00\x08\x00\x00"))
	f.Add(uint8(12), []byte("`\x00\x00\x00\x00\x08\x3a\x40\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x80\x00\x00\x00\x00\x01\x00\x01"))
	f.Add(uint8(0), []byte{})
	f.Add(uint8(3), []byte("\x02\x00\x00\x00E"))
	opts := []tcpdump.Options{
		{Numeric: 1, Location: time.UTC},
		{Numeric: 2, Ether: true, Verbose: 2, HexASCII: 2, Location: time.UTC},
		{Numeric: 1, Verbose: 3, Hex: 1, Quiet: true, Time: 3, Location: time.UTC},
		{Numeric: 1, ASCII: 1, Absolute: true, Time: 4, Location: time.UTC},
	}
	f.Fuzz(func(t *testing.T, lt uint8, data []byte) {
		link := tcpdump.LinkType(fuzzLinkTypes[int(lt)%len(fuzzLinkTypes)])
		for _, o := range opts {
			p := tcpdump.New(link, o)
			for i := 0; i < 2; i++ {
				out := p.Format(nil, time.Unix(1, 0), data, len(data)+i*10)
				if len(out) == 0 || out[len(out)-1] != '\n' {
					t.Fatalf("output does not end in a newline: %q", out)
				}
			}
		}
	})
}
