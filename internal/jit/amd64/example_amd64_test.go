//go:build amd64

package amd64_test

import (
	"fmt"

	"github.com/gbpf/gbpf/asm"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/internal/jit/amd64"
)

// Compile a program that calls a helper in a loop, and run it.
func ExampleCompile() {
	p, err := asm.Assemble(`
mov %r6, 0
mov %r7, 0
loop:
mov %r1, %r6
call 1
add %r7, %r0
add %r6, 1
jlt %r6, 10, loop
mov %r0, %r7
exit
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	prog, err := amd64.Compile(p, amd64.Options{Blind: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prog.Close()
	square := func(_ *engine.Env, r1, _, _, _, _ uint64) uint64 { return r1 * r1 }
	r0, err := prog.Run(&engine.Env{Helpers: []engine.Helper{1: square}}, 0, 0)
	fmt.Println(r0, err)
	// Output: 285 <nil>
}
