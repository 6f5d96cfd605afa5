package tools

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"

	"github.com/gbpf/gbpf/kernel"
)

// userCollection is a tool's collection loaded into gbpf's runtime: what
// copy mode runs each record through.
type userCollection interface {
	// run runs program prog (an index into the names the collection was
	// loaded with) with the record as its context; the program's
	// bpf_ktime_get_ns returns now, the record's time.
	run(prog int, record []byte, now uint64) error
	update(mapName string, key, value []byte) error
	iterate(mapName string, fn func(key, value []byte) error) error
	clear(mapName string) error
	close() error
}

// copyBackend copies records to user space and runs the programs on them.
type copyBackend struct {
	user  userCollection
	src   RecordSource
	progs []int // program per tracepoint of src, as an index into sessionSpec.programs

	syncReq chan chan error
	stop    chan struct{}
	done    chan struct{}
	err     error // the loop's end, after done

	records atomic.Uint64
	faults  atomic.Uint64
	mu      sync.Mutex
	lastErr error
}

func startCopy(spec *ebpf.CollectionSpec, ss sessionSpec) (*copyBackend, error) {
	byTP := map[Tracepoint]int{}
	var tps []Tracepoint
	for i, name := range ss.programs {
		tp, err := programTracepoint(spec.Programs[name])
		if err != nil {
			return nil, err
		}
		byTP[tp] = i
		tps = append(tps, tp)
	}
	src := ss.source
	if src == nil {
		var err error
		if src, err = OpenLive(tps, kernel.ReaderOptions{RingPages: ss.ringPages}); err != nil {
			return nil, fmt.Errorf("mode copy: %w", err)
		}
	}
	c := &copyBackend{src: src, syncReq: make(chan chan error), stop: make(chan struct{}), done: make(chan struct{})}
	fail := func(err error) (*copyBackend, error) {
		src.Close()
		if c.user != nil {
			c.user.close()
		}
		return nil, err
	}
	for i, tp := range src.Tracepoints() {
		prog, ok := byTP[tp]
		if !ok {
			return fail(fmt.Errorf("mode copy: the source gives records of %s, which no program of %s takes", tp, ss.object))
		}
		if err := checkLayout(tp, src.Formats()[i]); err != nil {
			return fail(err)
		}
		c.progs = append(c.progs, prog)
	}
	user, err := loadRuntime(ss.object, ss.programs)
	if err != nil {
		return fail(fmt.Errorf("mode copy: %w", err))
	}
	c.user = user
	if ss.config != nil {
		if err := user.update("config", binary.LittleEndian.AppendUint32(nil, 0), ss.config); err != nil {
			return fail(err)
		}
	}
	go c.loop()
	return c, nil
}

// pollInterval bounds how long a record waits in a ring before copy mode
// runs the program on it.
const pollInterval = 50 * time.Millisecond

func (c *copyBackend) loop() {
	defer close(c.done)
	handle := func(r *Record) error {
		c.records.Add(1)
		if err := c.user.run(c.progs[r.TP], r.Raw, r.Time); err != nil {
			c.faults.Add(1)
			c.mu.Lock()
			c.lastErr = err
			c.mu.Unlock()
		}
		return nil
	}
	eof := false
	for {
		select {
		case <-c.stop:
			return
		case reply := <-c.syncReq:
			var err error
			if !eof {
				// Records younger than settle wait in the source; let the
				// ones from before the request age past it.
				time.Sleep(settle)
				err = c.src.Read(0, handle)
			}
			if errors.Is(err, io.EOF) {
				eof, err = true, nil
			}
			reply <- err
			continue
		default:
		}
		if eof {
			select {
			case <-c.stop:
				return
			case reply := <-c.syncReq:
				reply <- nil
			}
			continue
		}
		err := c.src.Read(pollInterval, handle)
		if errors.Is(err, io.EOF) {
			eof = true
			continue
		}
		if err != nil {
			c.err = err
			// Answer sync requests with the error until closed.
			for {
				select {
				case <-c.stop:
					return
				case reply := <-c.syncReq:
					reply <- err
				}
			}
		}
	}
}

func (c *copyBackend) sync() error {
	reply := make(chan error, 1)
	select {
	case c.syncReq <- reply:
		return <-reply
	case <-c.done:
		return c.err
	}
}

func (c *copyBackend) update(mapName string, key, value []byte) error {
	return c.user.update(mapName, key, value)
}

func (c *copyBackend) iterate(mapName string, fn func(key, value []byte) error) error {
	return c.user.iterate(mapName, fn)
}

func (c *copyBackend) clear(mapName string) error { return c.user.clear(mapName) }

func (c *copyBackend) stats() Stats {
	return Stats{Records: c.records.Load(), Lost: c.src.Lost(), Faults: c.faults.Load()}
}

// lastFault returns the most recent run-time error of a program.
func (c *copyBackend) lastFault() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastErr
}

func (c *copyBackend) close() error {
	close(c.stop)
	err := c.src.Close() // wakes a Read waiting in epoll
	<-c.done
	return errors.Join(err, c.user.close())
}
