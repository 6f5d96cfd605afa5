package tools

import (
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/kernel"
)

// Stats counts what a session has seen.
type Stats struct {
	// Records is the number of tracepoint records copied to user space
	// (copy mode only).
	Records uint64
	// Lost is the number of records the kernel dropped because a perf ring
	// was full (copy mode only).
	Lost uint64
	// Faults is the number of program runs that ended in a run-time error
	// (copy mode only).
	Faults uint64
}

// backend is where a session's program runs and its maps live.
type backend interface {
	// update writes one map element.
	update(mapName string, key, value []byte) error
	// iterate calls fn with every element of a map; the slices are only
	// valid during the call.
	iterate(mapName string, fn func(key, value []byte) error) error
	// clear deletes every element of a hash map.
	clear(mapName string) error
	// sync makes every event seen so far visible in the maps.
	sync() error
	stats() Stats
	close() error
}

// session is one tool object running in one mode.
type session struct {
	mode Mode
	be   backend
}

// sessionSpec is what a tool needs started: which object, which of its
// programs, and the value of its config map (element 0).
type sessionSpec struct {
	object   string
	programs []string
	config   []byte
	// source replaces the live tracepoints of copy mode, for tests.
	source RecordSource
	// ringPages sizes copy mode's perf rings; 0 means the default.
	ringPages int
}

// startSession loads and attaches a tool in mode.
func startSession(mode Mode, ss sessionSpec) (*session, error) {
	spec, err := loadSpec(ss.object)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, name := range ss.programs {
		if spec.Programs[name] == nil {
			return nil, fmt.Errorf("tools: %s object has no program %s", ss.object, name)
		}
		keep[name] = true
	}
	for name := range spec.Programs {
		if !keep[name] {
			delete(spec.Programs, name)
		}
	}
	var be backend
	switch mode {
	case ModeKernel:
		be, err = startKernel(spec, ss)
	case ModeCopy:
		be, err = startCopy(spec, ss)
	default:
		err = fmt.Errorf("tools: unknown mode %q", mode)
	}
	if err != nil {
		return nil, err
	}
	return &session{mode: mode, be: be}, nil
}

func (s *session) close() error { return s.be.close() }

// kernelBackend runs the programs in the kernel.
type kernelBackend struct {
	coll *kernel.Collection
}

func startKernel(spec *ebpf.CollectionSpec, ss sessionSpec) (*kernelBackend, error) {
	if err := kernel.Supported(); err != nil {
		return nil, fmt.Errorf("mode kernel: %w", err)
	}
	tps := map[string]Tracepoint{}
	for name, p := range spec.Programs {
		tp, err := programTracepoint(p)
		if err != nil {
			return nil, err
		}
		format, err := kernel.TracepointFormat(tp.Group, tp.Name)
		if err != nil {
			return nil, err
		}
		if err := checkLayout(tp, format); err != nil {
			return nil, err
		}
		tps[name] = tp
	}
	coll, err := kernel.LoadCollection(spec)
	if err != nil {
		return nil, err
	}
	k := &kernelBackend{coll: coll}
	if ss.config != nil {
		if err := k.update("config", binary.LittleEndian.AppendUint32(nil, 0), ss.config); err != nil {
			coll.Close()
			return nil, err
		}
	}
	for name, tp := range tps {
		if err := coll.AttachTracepoint(name, tp.Group, tp.Name); err != nil {
			coll.Close()
			return nil, err
		}
	}
	return k, nil
}

func (k *kernelBackend) update(mapName string, key, value []byte) error {
	m, err := k.coll.Map(mapName)
	if err != nil {
		return err
	}
	if err := m.Update(key, value, ebpf.UpdateAny); err != nil {
		return fmt.Errorf("tools: map %s: %w", mapName, err)
	}
	return nil
}

func (k *kernelBackend) iterate(mapName string, fn func(key, value []byte) error) error {
	m, err := k.coll.Map(mapName)
	if err != nil {
		return err
	}
	return kernel.IterateMap(m, fn)
}

func (k *kernelBackend) clear(mapName string) error {
	m, err := k.coll.Map(mapName)
	if err != nil {
		return err
	}
	return kernel.ClearMap(m)
}

func (k *kernelBackend) sync() error  { return nil }
func (k *kernelBackend) stats() Stats { return Stats{} }
func (k *kernelBackend) close() error { return k.coll.Close() }
