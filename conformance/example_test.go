package conformance_test

import (
	"fmt"

	"github.com/gbpf/gbpf/conformance"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/interp"
	"github.com/gbpf/gbpf/isa"
)

// A test in the suite's format, run on the checked interpreter.
func ExampleRunTest() {
	data := `
-- asm
ldxh %r0, [%r1+2]    # the input's second 16-bit word
be16 %r0
exit
-- mem
00 01 02 03
-- result
0x0203
`
	t, err := conformance.ParseData("example.data", []byte(data))
	if err != nil {
		fmt.Println(err)
		return
	}
	e := conformance.Engine{Name: "interp-checked", Compile: func(p isa.Program) (engine.Program, error) {
		return interp.Compile(p, interp.Options{Checked: true})
	}}
	fmt.Println(conformance.RunTest(t, e))

	t.Result = 0x0302
	fmt.Println(conformance.RunTest(t, e))
	// Output:
	// <nil>
	// r0 = 0x203, want 0x302
}
