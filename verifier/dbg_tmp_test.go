package verifier

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/progtype"
)

func TestDbgTmp(t *testing.T) {
	seed, _ := strconv.ParseUint(os.Getenv("SEED"), 10, 64)
	g := newGen(seed, progtype.XDP)
	src := g.program()
	p, _ := asm.Assemble(src)
	_, err := Verify(p, Options{Type: progtype.XDP, Maps: genMaps(), LogLevel: 1})
	if err != nil {
		fmt.Println(err.(*Error).Log)
	}
	f, _ := asm.Format(p, asm.SyntaxConformance)
	fmt.Println(f)
}
