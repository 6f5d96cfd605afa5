package bpftrace

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"

	"github.com/gbpf/gbpf/isa"
	"github.com/gbpf/gbpf/kernel"
)

func monotonicNow() uint64 {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) != nil {
		return 0
	}
	return uint64(ts.Nano())
}

// kernelBackend runs the programs in the Linux kernel: tracepoint probes
// attached to their tracepoints, BEGIN, END and interval probes as raw
// tracepoint programs that user space runs with BPF_PROG_TEST_RUN.
type kernelBackend struct {
	s      *Script
	coll   *kernel.Collection
	reader *ringbuf.Reader
}

// ciliumInstructions converts a generated program for cilium/ebpf,
// turning map index loads into references to the maps by name.
func ciliumInstructions(p isa.Program) (asm.Instructions, error) {
	var insns asm.Instructions
	r := bytes.NewReader(p.Encode())
	for r.Len() > 0 {
		var ins asm.Instruction
		if err := ins.Unmarshal(r, nativeEndian, "linux"); err != nil {
			return nil, err
		}
		insns = append(insns, ins)
	}
	for i, ins := range insns {
		if ins.OpCode == asm.LoadImmOp(asm.DWord) && ins.Src == asm.Register(isa.PseudoMapIdx) {
			insns[i] = asm.LoadMapPtr(ins.Dst, 0).WithReference(mapName(int(ins.Constant)))
		}
	}
	return insns, nil
}

func newKernelBackend(s *Script, progs []*ProbeProgram) (*kernelBackend, error) {
	if err := kernel.Supported(); err != nil {
		return nil, err
	}
	spec := &ebpf.CollectionSpec{Maps: map[string]*ebpf.MapSpec{}, Programs: map[string]*ebpf.ProgramSpec{}}
	for i, ms := range s.mapSpecs() {
		t := ebpf.MapType(ms.Type) // gbpf's map types carry Linux's numbers
		spec.Maps[mapName(i)] = &ebpf.MapSpec{Name: mapName(i), Type: t, KeySize: ms.KeySize, ValueSize: ms.ValueSize, MaxEntries: ms.MaxEntries}
	}
	for i, p := range progs {
		insns, err := ciliumInstructions(p.Insns)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		t := ebpf.TracePoint
		switch p.Provider {
		case "BEGIN", "END", "interval":
			t = ebpf.RawTracepoint
		case "uprobe", "uretprobe":
			t = ebpf.Kprobe
		case "hook":
			return nil, fmt.Errorf("%s: hook probes run in-process (--mode inprocess)", p.Name)
		}
		spec.Programs[progName(i)] = &ebpf.ProgramSpec{Name: progName(i), Type: t, Instructions: insns, License: "GPL"}
	}
	coll, err := kernel.LoadCollection(spec)
	if err != nil {
		return nil, err
	}
	rd, err := ringbuf.NewReader(coll.Maps[mapName(eventsMap)])
	if err != nil {
		coll.Close()
		return nil, err
	}
	return &kernelBackend{s: s, coll: coll, reader: rd}, nil
}

func (b *kernelBackend) runOnce(i int) error {
	_, err := b.coll.Programs[progName(i)].Run(&ebpf.RunOptions{})
	return err
}

func (b *kernelBackend) attach() error {
	for i, p := range b.s.Probes {
		var err error
		switch p.Provider {
		case "tracepoint":
			err = b.coll.AttachTracepoint(progName(i), p.Group, p.Event)
		case "uprobe":
			err = b.coll.AttachUprobe(progName(i), p.Group, p.Event)
		case "uretprobe":
			err = b.coll.AttachUretprobe(progName(i), p.Group, p.Event)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *kernelBackend) detach() error { return b.coll.Detach() }

func (b *kernelBackend) read(deadline time.Time) ([]byte, error) {
	b.reader.SetDeadline(deadline)
	rec, err := b.reader.Read()
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return rec.RawSample, nil
}

func (b *kernelBackend) iterate(m int, fn func(key, value []byte) error) error {
	km := b.coll.Maps[mapName(m)]
	if !b.s.Maps[m].perCPU() {
		return kernel.IterateMap(km, fn)
	}
	// Per-CPU values come one per CPU; hand them on as the kernel lays
	// them out, each padded to 8 bytes.
	stride := (int(km.ValueSize()) + 7) &^ 7
	var key []byte
	var vals [][]byte
	var flat []byte
	it := km.Iterate()
	for it.Next(&key, &vals) {
		flat = flat[:0]
		for _, v := range vals {
			flat = append(flat, v...)
			flat = append(flat, make([]byte, stride-len(v))...)
		}
		if err := fn(key, flat); err != nil {
			return err
		}
	}
	return it.Err()
}

func (b *kernelBackend) clear(m int) error { return kernel.ClearMap(b.coll.Maps[mapName(m)]) }

func (b *kernelBackend) update(m int, key, value []byte) error {
	km := b.coll.Maps[mapName(m)]
	if value == nil { // zero every CPU's value
		n, err := ebpf.PossibleCPU()
		if err != nil {
			return err
		}
		zeros := make([][]byte, n)
		for i := range zeros {
			zeros[i] = make([]byte, km.ValueSize())
		}
		return km.Update(key, zeros, ebpf.UpdateAny)
	}
	return km.Update(key, value, ebpf.UpdateAny)
}

func (b *kernelBackend) close() error {
	err := b.reader.Close()
	return errors.Join(err, b.coll.Close())
}
