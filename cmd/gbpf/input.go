package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gbpf/gbpf/progtype"
)

// The CLI's input limits. A flag's input is read up to its limit and no
// further, so that "@/dev/zero" or an endless pipe is an error, not an
// endless read.
const (
	// maxRawInput is the largest context the verifier accepts for a
	// variable-sized context (a Raw program's input, a tracepoint record):
	// 1 MiB.
	maxRawInput = 1 << 20
	// maxSkbData is the largest packet Linux's BPF_PROG_TEST_RUN takes
	// for socket filter and tc programs on x86-64: a 4 KiB page less
	// NET_SKB_PAD (64) and the aligned struct skb_shared_info (320).
	maxSkbData = 4096 - 64 - 320
	// maxXDPData is the largest packet BPF_PROG_TEST_RUN takes for XDP:
	// a page less XDP_PACKET_HEADROOM (256) and skb_shared_info in the
	// linear part, and MAX_SKB_FRAGS (17) pages of fragments.
	maxXDPData = 4096 - 256 - 320 + 17*4096
)

// inputLimit returns the most bytes that --flag ("mem", "data" or "ctx")
// may give a program of type t.
func inputLimit(flag string, t progtype.Type) int {
	info, ok := progtype.Lookup(t)
	switch {
	case t == progtype.Raw:
		return maxRawInput // --mem, --data and --ctx are all its input
	case flag == "data" && t == progtype.XDP:
		return maxXDPData
	case flag == "data" && (t == progtype.SocketFilter || t == progtype.SchedCLS || t == progtype.SchedACT):
		return maxSkbData
	case ok && !info.VarCtx:
		return info.CtxSize
	}
	return maxRawInput // the context (given by --data or --ctx) of a tracing program
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
