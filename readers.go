package gbpf

import (
	"fmt"

	"github.com/gbpf/gbpf/maps"
)

// NewRingBufReader returns a reader of the records that programs submit to
// a ring buffer map. Read blocks until a record arrives, the reader's
// deadline passes or it is closed.
func NewRingBufReader(m *Map) (*maps.RingBufReader, error) {
	r, err := maps.NewRingBufReader(m.m)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", m.name, err)
	}
	return r, nil
}

// NewPerfReader attaches a reader with a buffer of perCPUBuffer bytes per
// CPU to a perf event array map; bpf_perf_event_output sends to it.
func NewPerfReader(m *Map, perCPUBuffer int) (*maps.PerfReader, error) {
	r, err := maps.NewPerfReader(m.m, perCPUBuffer)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", m.name, err)
	}
	return r, nil
}
