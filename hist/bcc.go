package hist

import (
	"bufio"
	"fmt"
	"io"
	"math/bits"
	"strings"
)

// bccStarsMax is the width of bcc's distribution bar.
const bccStarsMax = 40

// WriteBCC prints h as bcc's print_log2_hist and print_linear_hist do, with
// valType (such as "kbytes" or "usecs") naming the values. An empty
// histogram prints nothing, as in bcc.
//
// bcc never prints the slot of the value 0 on its own: its first row,
// "0 -> 1", counts both 0 and 1 here, as in libbpf-tools. A linear
// histogram prints its in-range steps up to the last non-empty one,
// labelled by their lower bound; its slots below Min and at or above Max
// have no bcc row.
func WriteBCC(w io.Writer, h *Hist, valType string) error {
	bw := bufio.NewWriter(w)
	if h.Kind == Linear {
		writeBCCLinear(bw, h, valType)
	} else {
		writeBCCLog2(bw, h, valType)
	}
	return bw.Flush()
}

func writeBCCLog2(w *bufio.Writer, h *Hist, valType string) {
	_, last := h.used()
	if last < 0 {
		return
	}
	last = max(last, 1)
	row := func(i int) uint64 {
		if i == 1 {
			return h.Slots[0] + h.Slots[1]
		}
		return h.Slots[i]
	}
	var valMax uint64
	for i := 1; i <= last; i++ {
		valMax = max(valMax, row(i))
	}
	width, stars := 10, bccStarsMax
	if last <= 32 {
		fmt.Fprintf(w, "     %-19s : count     distribution\n", valType)
	} else {
		fmt.Fprintf(w, "               %-29s : count     distribution\n", valType)
		width, stars = 20, bccStarsMax/2
	}
	for i := 1; i <= last; i++ {
		low, high := Log2Range(i)
		if low == high {
			low--
		}
		val := row(i)
		fmt.Fprintf(w, "%*d -> %-*d : %-8d |%s|\n", width, low, width, high, val, bccStars(val, valMax, stars))
	}
}

func writeBCCLinear(w *bufio.Writer, h *Hist, valType string) {
	last := -1
	var valMax uint64
	for i := 1; i < len(h.Slots)-1; i++ {
		if c := h.Slots[i]; c != 0 {
			last = i
			valMax = max(valMax, c)
		}
	}
	if last < 0 {
		return
	}
	fmt.Fprintf(w, "     %-13s : count     distribution\n", valType)
	for i := 1; i <= last; i++ {
		val := h.Slots[i]
		fmt.Fprintf(w, "        %-10d : %-8d |%s|\n", h.Bucket(i).Low, val, bccStars(val, valMax, bccStarsMax))
	}
}

// bccStars returns width*val/valMax stars padded with spaces to width.
func bccStars(val, valMax uint64, width int) string {
	n := 0
	if valMax > 0 {
		hi, lo := bits.Mul64(min(val, valMax), uint64(width))
		q, _ := bits.Div64(hi, lo, valMax)
		n = int(q)
	}
	return strings.Repeat("*", n) + strings.Repeat(" ", width-n)
}
