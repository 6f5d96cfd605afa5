package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

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

// bytesArg reads the value of --flag: @FILE (@- for standard input) or hex
// bytes, with or without spaces and 0x prefixes ("7" is the byte 07), of
// at most the input --flag may give a program of type t.
func bytesArg(stdin io.Reader, flag, s string, t progtype.Type) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	limit := inputLimit(flag, t)
	if path, ok := strings.CutPrefix(s, "@"); ok {
		return readInput(stdin, flag, path, limit, t)
	}
	var digits strings.Builder
	for _, f := range strings.Fields(s) {
		f = strings.TrimPrefix(strings.TrimPrefix(f, "0x"), "0X")
		switch {
		case len(f) == 1:
			f = "0" + f
		case len(f)%2 != 0:
			return nil, fmt.Errorf("--%s: %q has an odd number of hex digits", flag, f)
		}
		digits.WriteString(f)
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		return nil, fmt.Errorf("--%s: not hex bytes or @FILE: %w", flag, err)
	}
	if len(b) > limit {
		return nil, inputTooLarge(flag, limit, t)
	}
	return b, nil
}
