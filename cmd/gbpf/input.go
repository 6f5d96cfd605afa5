package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/progtype"
)

// maxVarInput is the most the CLI reads for a context whose size is given
// at load time (a Raw program's input, a tracepoint record): the largest
// context the verifier accepts, 1 MiB. The root API then holds the input
// to the size the program was verified for.
const maxVarInput = 1 << 20

// inputLimit returns the most bytes that --flag ("mem", "data" or "ctx")
// may give a program of type t: the root API's limits (gbpf.MaxInput),
// read up to the limit and no further, so that "@/dev/zero" or an endless
// pipe is an error, not an endless read.
func inputLimit(flag string, t progtype.Type) int {
	info, ok := progtype.Lookup(t)
	if !ok || info.VarCtx {
		return maxVarInput
	}
	data, ctx := gbpf.MaxInput(t)
	if flag == "ctx" {
		return ctx
	}
	return data
}

// inputTooLarge is the error for an input of flag over limit bytes.
func inputTooLarge(flag string, limit int, t progtype.Type) error {
	size := fmt.Sprintf("%d bytes", limit)
	if limit%(1<<20) == 0 {
		size = fmt.Sprintf("%d MiB", limit>>20)
	}
	return fmt.Errorf("--%s: the input is larger than %s, the most %v programs take", flag, size, t)
}

// readInput reads the file that --flag gives ("-" is standard input), of
// at most limit bytes for a program of type t.
func readInput(stdin io.Reader, flag, path string, limit int, t progtype.Type) ([]byte, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", flag, err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flag, err)
	}
	if len(b) > limit {
		return nil, inputTooLarge(flag, limit, t)
	}
	return b, nil
}
