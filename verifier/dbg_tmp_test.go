package verifier

import (
	"fmt"
	"testing"
	"time"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/progtype"
)

func TestDbgTmp(t *testing.T) {
	seed := uint64(123457199)
	typ := progtype.Raw
	if seed%2 == 1 {
		typ = progtype.XDP
	}
	g := newGen(seed, typ)
	src := g.program()
	p, _ := asm.Assemble(src)
	opts := Options{Type: typ, Maps: genMaps(), CtxSize: 64}
	if typ != progtype.Raw {
		opts.CtxSize = 0
	}
	start := time.Now()
	res, err := Verify(p, opts)
	fmt.Println(time.Since(start), err)
	if res != nil {
		fmt.Println(res.Processed, res.TotalStates, res.PeakStates)
	}
	fmt.Println(src)
}
