package conformance_test

import (
	"fmt"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/conformance"
)

// A test in the suite's format, verified and run on the interpreter.
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
	fmt.Println(conformance.RunTest(t, gbpf.EngineInterpreter))

	t.Result = 0x0302
	fmt.Println(conformance.RunTest(t, gbpf.EngineInterpreter))
	// Output:
	// <nil>
	// r0 = 0x203, want 0x302
}
