package tools

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// Machine describes the machine measurements were taken on.
type Machine struct {
	CPUModel string
	CPUs     int
	Kernel   string // uname -r
	Arch     string
	Go       string
}

// DescribeMachine reads the CPU model from /proc/cpuinfo and the kernel
// release from uname.
func DescribeMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), Arch: runtime.GOARCH, Go: runtime.Version(), CPUModel: "unknown"}
	m.Kernel = kernelRelease()
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			k, v, ok := strings.Cut(s.Text(), ":")
			if ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// String describes the machine in one line.
func (m Machine) String() string {
	return fmt.Sprintf("%s, %d CPUs (%s), Linux %s, %s", m.CPUModel, m.CPUs, m.Arch, m.Kernel, m.Go)
}
