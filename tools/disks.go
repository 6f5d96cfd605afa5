package tools

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// The kernel's internal dev_t, which block tracepoints record: major in
// the high 12 bits, minor in the low 20.
const minorBits = 20

// MkDev returns the kernel-internal dev_t of a block device.
func MkDev(major, minor uint32) uint32 { return major<<minorBits | minor }

// Partitions maps block devices to their names, as /proc/partitions lists
// them.
type Partitions map[uint32]string

// LoadPartitions reads /proc/partitions.
func LoadPartitions() (Partitions, error) {
	f, err := os.Open("/proc/partitions")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParsePartitions(f)
}

// ParsePartitions parses the text of /proc/partitions.
func ParsePartitions(r io.Reader) (Partitions, error) {
	p := Partitions{}
	s := bufio.NewScanner(r)
	line := 0
	for s.Scan() {
		line++
		fields := strings.Fields(s.Text())
		if len(fields) == 0 || fields[0] == "major" {
			continue
		}
		if len(fields) != 4 {
			return nil, fmt.Errorf("/proc/partitions line %d: %d fields, want 4", line, len(fields))
		}
		major, err1 := strconv.ParseUint(fields[0], 10, 12)
		minor, err2 := strconv.ParseUint(fields[1], 10, 20)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("/proc/partitions line %d: bad device number %s:%s", line, fields[0], fields[1])
		}
		p[MkDev(uint32(major), uint32(minor))] = fields[3]
	}
	return p, s.Err()
}

// Name returns the name of dev, or "Unknown" as libbpf-tools prints it.
func (p Partitions) Name(dev uint32) string {
	if n, ok := p[dev]; ok {
		return n
	}
	return "Unknown"
}

// Dev returns the device called name.
func (p Partitions) Dev(name string) (uint32, error) {
	for dev, n := range p {
		if n == name {
			return dev, nil
		}
	}
	return 0, fmt.Errorf("disk %q: no such partition in /proc/partitions", name)
}
