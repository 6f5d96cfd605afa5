package bpftrace

import (
	"encoding/binary"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/helpers"
	"github.com/gbpf/gbpf/kernel"
)

// copier feeds the records of tracepoints, copied from the kernel through
// perf rings, to their in-process programs: the same programs the kernel
// would run, run by gbpf on what the kernel recorded.
type copier struct {
	readers []*kernel.TracepointReader
	done    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	errs    []error
	comms   map[uint32][16]byte
}

func startCopier(b *inprocBackend, probes []int) (*copier, error) {
	c := &copier{done: make(chan struct{}), comms: map[uint32][16]byte{}}
	for _, i := range probes {
		p := b.s.Probes[i]
		r, err := kernel.OpenTracepoint(p.Group, p.Event, kernel.ReaderOptions{})
		if err != nil {
			c.stop()
			return nil, err
		}
		c.readers = append(c.readers, r)
		prog := b.coll.Programs[progName(i)]
		c.wg.Add(1)
		go c.loop(r, prog)
	}
	return c, nil
}

func (c *copier) loop(r *kernel.TracepointReader, prog *gbpf.Program) {
	defer c.wg.Done()
	var task helpers.Task
	opts := gbpf.RunOptions{Task: &task}
	// On stop, the rings are drained of the records from before the stop;
	// newer ones (the tracepoint keeps firing) end the loop.
	var stopAt uint64
	for {
		if stopAt == 0 {
			select {
			case <-c.done:
				stopAt = monotonicNow()
			default:
			}
		}
		wait := 20 * time.Millisecond
		if stopAt != 0 {
			wait = time.Millisecond
		}
		past := false
		n, err := r.Read(wait, func(s *kernel.Sample) error {
			if stopAt != 0 && s.Time > stopAt {
				past = true
				return nil
			}
			if len(s.Raw) < 8 {
				return nil
			}
			// common_pid is the thread; the record has no process id or
			// name, which are looked up in /proc.
			pid := binary.LittleEndian.Uint32(s.Raw[4:])
			task = helpers.Task{PID: pid, TGID: c.tgid(pid), Comm: c.comm(pid)}
			opts.Context = s.Raw
			_, err := prog.Run(&opts)
			return err
		})
		if err != nil && !errors.Is(err, kernel.ErrClosed) {
			c.mu.Lock()
			c.errs = append(c.errs, err)
			c.mu.Unlock()
			return
		}
		if stopAt != 0 && (n == 0 || past) || err != nil {
			return
		}
	}
}

// comm returns the name of thread pid, cached.
func (c *copier) comm(pid uint32) [16]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.comms[pid]; ok {
		return v
	}
	if len(c.comms) >= 4096 { // pids are reused: forget the old ones
		clear(c.comms)
	}
	var v [16]byte
	b, err := os.ReadFile("/proc/" + strconv.Itoa(int(pid)) + "/comm")
	if err == nil {
		copy(v[:15], strings.TrimSuffix(string(b), "\n"))
	}
	c.comms[pid] = v
	return v
}

// tgid returns the process of thread pid.
func (c *copier) tgid(pid uint32) uint32 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(int(pid)) + "/status")
	if err != nil {
		return pid
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Tgid:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err == nil {
				return uint32(n)
			}
		}
	}
	return pid
}

func (c *copier) stop() error {
	close(c.done)
	c.wg.Wait()
	for _, r := range c.readers {
		r.Close()
	}
	return errors.Join(c.errs...)
}
