package tools

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/internal/engine"
	"github.com/gbpf/gbpf/loader"
)

// runtimeCollection is a tool's collection in gbpf's runtime.
type runtimeCollection struct {
	coll  *gbpf.Collection
	progs []*gbpf.Program // in the order loadRuntime was given their names
	// now is what bpf_ktime_get_ns returns: the time of the record being
	// run, so latencies come out as in the kernel although the program
	// runs later.
	now  atomic.Uint64
	opts gbpf.RunOptions
}

// recordClock returns a helper set like helpers.Linux() whose
// bpf_ktime_get_ns reads *now.
func recordClock(now *atomic.Uint64) (*helpers.Set, error) {
	linux := helpers.Linux()
	set := helpers.NewSet()
	for _, id := range linux.IDs() {
		proto, _ := linux.Prototype(id)
		fn := linux.Func(id)
		if id == helpers.KtimeGetNS {
			fn = func(*engine.Env, uint64, uint64, uint64, uint64, uint64) uint64 { return now.Load() }
		}
		if err := set.Register(*proto, fn); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// loadRuntime loads a tool's object into gbpf's runtime, keeping only the
// named programs.
func loadRuntime(object string, programs []string) (userCollection, error) {
	obj, err := Object(object)
	if err != nil {
		return nil, err
	}
	spec, err := loader.LoadCollectionSpecFromBytes(obj)
	if err != nil {
		return nil, fmt.Errorf("%s object: %w", object, err)
	}
	keep := map[string]bool{}
	for _, p := range programs {
		keep[p] = true
	}
	for name := range spec.Programs {
		if !keep[name] {
			delete(spec.Programs, name)
		}
	}
	rc := &runtimeCollection{}
	set, err := recordClock(&rc.now)
	if err != nil {
		return nil, err
	}
	rc.coll, err = gbpf.NewCollection(spec, &gbpf.Options{Helpers: set})
	if err != nil {
		return nil, fmt.Errorf("gbpf runtime: %w", err)
	}
	for _, name := range programs {
		p := rc.coll.Programs[name]
		if p == nil {
			rc.coll.Close()
			return nil, fmt.Errorf("gbpf runtime: %s object has no program %s", object, name)
		}
		rc.progs = append(rc.progs, p)
	}
	return rc, nil
}

// run is called from one goroutine at a time (the copy loop).
func (rc *runtimeCollection) run(prog int, record []byte, now uint64) error {
	rc.now.Store(now)
	rc.opts.Context = record
	_, err := rc.progs[prog].Run(&rc.opts)
	return err
}

func (rc *runtimeCollection) m(name string) (*gbpf.Map, error) {
	m := rc.coll.Maps[name]
	if m == nil {
		return nil, fmt.Errorf("gbpf runtime: no map %q", name)
	}
	return m, nil
}

func (rc *runtimeCollection) update(mapName string, key, value []byte) error {
	m, err := rc.m(mapName)
	if err != nil {
		return err
	}
	return m.Update(key, value, gbpf.UpdateAny)
}

func (rc *runtimeCollection) iterate(mapName string, fn func(key, value []byte) error) error {
	m, err := rc.m(mapName)
	if err != nil {
		return err
	}
	key, value := make([]byte, m.KeySize()), make([]byte, m.ValueSize())
	it := m.Iterate()
	for it.Next(&key, &value) {
		if err := fn(key, value); err != nil {
			return err
		}
	}
	return it.Err()
}

func (rc *runtimeCollection) clear(mapName string) error {
	m, err := rc.m(mapName)
	if err != nil {
		return err
	}
	var keys [][]byte
	err = rc.iterate(mapName, func(key, _ []byte) error {
		keys = append(keys, append([]byte(nil), key...))
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range keys {
		if err := m.Delete(k); err != nil && !errors.Is(err, gbpf.ErrKeyNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (rc *runtimeCollection) close() error {
	for _, p := range rc.progs {
		p.Close()
	}
	rc.coll.Close()
	return nil
}
