package hist

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// bpftraceBarMax is the width of bpftrace's bar of @ signs.
const bpftraceBarMax = 52

// WriteBpftrace prints the rows of h as bpftrace prints a hist() or lhist()
// value: from the first to the last non-empty slot, each a bucket label
// padded to 16 columns, the count right-aligned in 8, and a bar of up to 52
// @ signs. It prints nothing for an empty histogram. The caller prints the
// "@name:" line above and the blank line below, as bpftrace does for a map.
func WriteBpftrace(w io.Writer, h *Hist) error {
	bw := bufio.NewWriter(w)
	first, last := h.used()
	valMax := h.max()
	for i := first; i >= 0 && i <= last; i++ {
		c := h.Slots[i]
		n := int(float32(c) / float32(valMax) * bpftraceBarMax)
		fmt.Fprintf(bw, "%-16s%8d |%-52s|\n", BpftraceLabel(h, i), c, strings.Repeat("@", n))
	}
	return bw.Flush()
}

// BpftraceLabel returns bpftrace's label for slot i of h, such as "[0]",
// "[4K, 8K)", "(..., 0)" or "[100, ...)".
func BpftraceLabel(h *Hist, i int) string {
	if h.Kind == Log2 {
		switch i {
		case 0:
			return "[0]"
		case 1:
			return "[1]"
		}
		return "[" + powerLabel(i-1) + ", " + powerLabel(i) + ")"
	}
	b := h.Bucket(i)
	switch {
	case b.Under:
		return "(..., " + strconv.FormatUint(h.Min, 10) + ")"
	case b.Over:
		return "[" + strconv.FormatUint(h.Max, 10) + ", ...)"
	}
	return "[" + strconv.FormatUint(b.Low, 10) + ", " + strconv.FormatUint(b.Low+h.Step, 10) + ")"
}

// powerLabel returns 2^p the way bpftrace writes bucket bounds: 512, 1K,
// 2M, 4G.
func powerLabel(p int) string {
	const suffixes = "KMGTPE"
	suffix := ""
	for s := len(suffixes); s >= 1; s-- {
		if p >= 10*s {
			suffix = suffixes[s-1 : s]
			p -= 10 * s
			break
		}
	}
	return strconv.FormatUint(1<<p, 10) + suffix
}
