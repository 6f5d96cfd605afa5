package bpftrace

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/loader"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
)

// inprocBackend runs the programs in gbpf's runtime.
type inprocBackend struct {
	s      *Script
	rt     *gbpf.Runtime
	coll   *gbpf.Collection
	reader *gbpf.RingBufReader
	hooks  map[string]*gbpf.Hook
	owned  []*gbpf.Hook
	copier *copier // tracepoint records copied from the kernel
}

func newInprocBackend(s *Script, progs []*ProbeProgram, opts *RunOptions) (*inprocBackend, error) {
	rt := opts.Runtime
	if rt == nil {
		var err error
		if rt, err = gbpf.NewRuntime(nil); err != nil {
			return nil, err
		}
	}
	spec := &loader.CollectionSpec{Programs: map[string]*loader.ProgramSpec{}, Maps: map[string]*maps.Spec{}}
	var names []string
	for i, ms := range s.mapSpecs() {
		spec.Maps[mapName(i)] = ms
		names = append(names, mapName(i))
	}
	for i, p := range progs {
		if p.Provider == "uprobe" || p.Provider == "uretprobe" {
			return nil, fmt.Errorf("%s: uprobes run in the kernel (--mode kernel)", p.Name)
		}
		spec.Programs[progName(i)] = &loader.ProgramSpec{
			Name: progName(i), Type: progtype.Tracepoint, Instructions: p.Insns, Maps: names,
			License: "GPL", CtxSize: max(p.CtxSize, 8),
		}
	}
	coll, err := gbpf.NewCollection(spec, &gbpf.Options{Runtime: rt, Privileged: true, Engine: opts.Engine})
	if err != nil {
		return nil, err
	}
	rd, err := gbpf.NewRingBufReader(coll.Maps[mapName(eventsMap)])
	if err != nil {
		coll.Close()
		return nil, err
	}
	return &inprocBackend{s: s, rt: rt, coll: coll, reader: rd, hooks: map[string]*gbpf.Hook{}}, nil
}

func (b *inprocBackend) runOnce(i int) error {
	_, err := b.coll.Programs[progName(i)].Run(&gbpf.RunOptions{Context: make([]byte, max(b.s.Probes[i].CtxSize, 8))})
	return err
}

func (b *inprocBackend) attach() error {
	for i, p := range b.s.Probes {
		if p.Provider != "hook" {
			continue
		}
		h := b.rt.Hook(p.Event)
		if h == nil {
			var err error
			if h, err = b.rt.NewHook(p.Event, progtype.Tracepoint); err != nil {
				return err
			}
			b.owned = append(b.owned, h)
		}
		if err := h.Attach(b.coll.Programs[progName(i)]); err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		b.hooks[p.Event] = h
	}
	var tps []int
	for i, p := range b.s.Probes {
		if p.Provider == "tracepoint" {
			tps = append(tps, i)
		}
	}
	if len(tps) > 0 {
		c, err := startCopier(b, tps)
		if err != nil {
			return err
		}
		b.copier = c
	}
	return nil
}

func (b *inprocBackend) detach() error {
	for _, h := range b.hooks {
		h.Detach()
	}
	if b.copier != nil {
		err := b.copier.stop()
		b.copier = nil
		return err
	}
	return nil
}

func (b *inprocBackend) read(deadline time.Time) ([]byte, error) {
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

func (b *inprocBackend) iterate(m int, fn func(key, value []byte) error) error {
	it := b.coll.Maps[mapName(m)].Iterate()
	var k, v []byte
	for it.Next(&k, &v) {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return it.Err()
}

func (b *inprocBackend) clear(m int) error {
	var keys [][]byte
	err := b.iterate(m, func(k, _ []byte) error {
		keys = append(keys, append([]byte(nil), k...))
		return nil
	})
	for _, k := range keys {
		if e := b.coll.Maps[mapName(m)].Delete(k); e != nil && !errors.Is(e, gbpf.ErrKeyNotExist) {
			err = errors.Join(err, e)
		}
	}
	return err
}

func (b *inprocBackend) update(m int, key, value []byte) error {
	gm := b.coll.Maps[mapName(m)]
	if value == nil { // zero every CPU's value
		var cur []byte
		if err := gm.Lookup(key, &cur); err != nil {
			return err
		}
		value = make([]byte, len(cur))
	}
	return gm.Update(key, value, gbpf.UpdateAny)
}

func (b *inprocBackend) close() error {
	b.detach()
	err := b.reader.Close()
	b.coll.Close()
	return err
}
