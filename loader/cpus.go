package loader

import (
	"os"
	"runtime"
	"strconv"
	"strings"
)

// possibleCPUs returns the number of CPUs the system may bring online
// (/sys/devices/system/cpu/possible, as libbpf_num_possible_cpus reads
// it), or runtime.NumCPU() where that file cannot be read.
func possibleCPUs() int {
	b, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		return runtime.NumCPU()
	}
	if n := parseCPURange(strings.TrimSpace(string(b))); n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// parseCPURange returns one more than the highest CPU of a list such as
// "0-3,5", or 0 if it cannot be read.
func parseCPURange(s string) int {
	high := -1
	for _, part := range strings.Split(s, ",") {
		_, last, _ := strings.Cut(part, "-")
		if last == "" {
			last = part
		}
		n, err := strconv.Atoi(last)
		if err != nil || n < 0 {
			return 0
		}
		high = max(high, n)
	}
	return high + 1
}
