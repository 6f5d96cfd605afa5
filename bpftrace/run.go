package bpftrace

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/gbpf/gbpf"
	"github.com/gbpf/gbpf/maps"
	"github.com/gbpf/gbpf/progtype"
	"github.com/gbpf/gbpf/verifier"
)

// Mode says where a script's programs run.
type Mode int

const (
	// ModeKernel loads the programs into the Linux kernel and attaches
	// them to its tracepoints.
	ModeKernel Mode = iota
	// ModeInProcess runs the programs in gbpf's runtime, on hooks that
	// the host fires (hook:NAME probes) and on tracepoint records copied
	// from the kernel (the event's process name is read from /proc when
	// its record is copied, so a process that has exited by then has none;
	// str() of a user pointer reads nothing, as the process's memory is
	// not the runtime's).
	ModeInProcess
)

// ParseMode parses "kernel" or "inprocess".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "kernel":
		return ModeKernel, nil
	case "inprocess", "in-process", "copy":
		// Copy mode (tracepoint records copied to user space, programs run
		// there) is what in-process mode does with tracepoint probes.
		return ModeInProcess, nil
	}
	return 0, fmt.Errorf("unknown mode %q: want kernel, inprocess or copy", s)
}

func (m Mode) String() string {
	if m == ModeInProcess {
		return "inprocess"
	}
	return "kernel"
}

// RunOptions configure Script.Start.
type RunOptions struct {
	Mode Mode
	// Output receives printf output and maps; nil means os.Stdout.
	Output io.Writer
	// Runtime runs in-process programs and owns their hooks; nil means a
	// new runtime.
	Runtime *gbpf.Runtime
	// Engine runs in-process programs.
	Engine gbpf.Engine
	// Verbose receives the verifier's statistics for every program.
	Verbose io.Writer
}

// backend is where the programs run and the maps live.
type backend interface {
	// runOnce runs probe program i once (BEGIN, END, interval).
	runOnce(i int) error
	// attach attaches tracepoint and hook probes; detach removes them.
	attach() error
	detach() error
	// read returns the next event, or nil once the deadline passes.
	read(deadline time.Time) ([]byte, error)
	iterate(m int, fn func(key, value []byte) error) error
	clear(m int) error
	update(m int, key, value []byte) error
	close() error
}

// Session is a running script.
type Session struct {
	s       *Script
	opts    RunOptions
	out     io.Writer
	be      backend
	mu      sync.Mutex // serialises output and map actions
	exited  chan struct{}
	exitOne sync.Once
	stop    chan struct{}
	loop    sync.WaitGroup
	tickers []*time.Ticker
	stopped bool
	err     error
	hooks   map[string]*gbpf.Hook
}

// attachCount is the number of probes bpftrace reports attaching.
func (s *Script) attachCount() int { return s.attached }

// Verify checks every program with gbpf's verifier, as the kernel will,
// and writes the statistics to log if it is not nil.
func (s *Script) Verify(log io.Writer) error {
	specs := s.mapSpecs()
	for _, p := range s.Probes {
		res, err := verifier.Verify(p.Insns, verifier.Options{
			Type: progtype.Tracepoint, CtxSize: max(p.CtxSize, 8), Maps: specs, Privileged: true,
		})
		if err != nil {
			return fmt.Errorf("%s: rejected by gbpf's verifier: %w", p.Name, err)
		}
		if log != nil {
			fmt.Fprintf(log, "%s: %d insns, verified: processed %d insns, %d states, peak %d, %v\n",
				p.Name, len(p.Insns.Insns), res.Processed, res.TotalStates, res.PeakStates, res.Time.Round(time.Microsecond))
		}
	}
	return nil
}

// ringSize is the size of the events ring buffer.
const ringSize = 1 << 20

// maxEntries bounds every map, as bpftrace's default BPFTRACE_MAP_KEYS.
const maxEntries = 4096

func (s *Script) mapSpecs() []*maps.Spec {
	specs := make([]*maps.Spec, len(s.Maps))
	for i, m := range s.Maps {
		if m.ringbuf {
			specs[i] = &maps.Spec{Name: "events", Type: maps.RingBuf, MaxEntries: ringSize, SpinLockOffset: -1}
			continue
		}
		if m.scratch {
			specs[i] = &maps.Spec{Name: mapName(i), Type: maps.PerCPUArray, KeySize: 4, ValueSize: joinSize, MaxEntries: 1, SpinLockOffset: -1}
			continue
		}
		t, n := maps.Hash, uint32(maxEntries)
		switch {
		case m.array():
			t, n = maps.PerCPUArray, 1
		case m.perCPU():
			t = maps.PerCPUHash
		}
		specs[i] = &maps.Spec{Name: mapName(i), Type: t, KeySize: uint32(m.KeySize), ValueSize: uint32(m.ValueSize),
			MaxEntries: n, SpinLockOffset: -1}
	}
	return specs
}

func mapName(i int) string {
	if i == eventsMap {
		return "events"
	}
	return fmt.Sprintf("map%d", i)
}

func progName(i int) string { return fmt.Sprintf("probe%d", i) }

// withStart returns the programs with the start time patched in.
func (s *Script) withStart(start uint64) []*ProbeProgram {
	out := make([]*ProbeProgram, len(s.Probes))
	for i, p := range s.Probes {
		cp := *p
		cp.Insns.Insns = append(cp.Insns.Insns[:0:0], p.Insns.Insns...)
		for _, at := range p.startAt {
			cp.Insns.Insns[at].Imm = int32(uint32(start))
			cp.Insns.Insns[at+1].Imm = int32(uint32(start >> 32))
		}
		out[i] = &cp
	}
	return out
}

// Start loads and attaches the script's programs, prints "Attaching N
// probes...", runs BEGIN and starts delivering events.
func (s *Script) Start(opts *RunOptions) (*Session, error) {
	if opts == nil {
		opts = &RunOptions{}
	}
	ss := &Session{s: s, opts: *opts, out: opts.Output, exited: make(chan struct{}), stop: make(chan struct{})}
	if ss.out == nil {
		ss.out = os.Stdout
	}
	if err := s.Verify(opts.Verbose); err != nil {
		return nil, err
	}
	progs := s.withStart(monotonicNow())
	var err error
	switch opts.Mode {
	case ModeKernel:
		ss.be, err = newKernelBackend(s, progs)
	case ModeInProcess:
		var ib *inprocBackend
		ib, err = newInprocBackend(s, progs, opts)
		if ib != nil {
			ss.hooks = ib.hooks
			ss.be = ib
		}
	default:
		err = fmt.Errorf("unknown mode %v", opts.Mode)
	}
	if err != nil {
		return nil, err
	}
	if err := ss.be.attach(); err != nil {
		ss.be.close()
		return nil, err
	}
	fmt.Fprintf(ss.out, "Attaching %d probe%s...\n", s.attachCount(), plural(s.attachCount()))
	for i, p := range s.Probes {
		if p.Provider == "BEGIN" {
			if err := ss.be.runOnce(i); err != nil {
				ss.be.close()
				return nil, fmt.Errorf("BEGIN: %w", err)
			}
		}
	}
	ss.loop.Add(1)
	go ss.events()
	for i, p := range s.Probes {
		if p.Provider == "interval" {
			t := time.NewTicker(p.Interval)
			ss.tickers = append(ss.tickers, t)
			ss.loop.Add(1)
			go ss.interval(i, t)
		}
	}
	return ss, nil
}

// Hook returns the hook of a hook:NAME probe (in-process mode), for the
// host to fire.
func (ss *Session) Hook(name string) *gbpf.Hook { return ss.hooks[name] }

// Exited is closed when the script calls exit().
func (ss *Session) Exited() <-chan struct{} { return ss.exited }

// Wait blocks until the script calls exit() or ctx is done.
func (ss *Session) Wait(ctx context.Context) {
	select {
	case <-ss.exited:
	case <-ctx.Done():
	}
}

func (ss *Session) interval(i int, t *time.Ticker) {
	defer ss.loop.Done()
	for {
		select {
		case <-ss.stop:
			return
		case <-ss.exited:
			return
		case <-t.C:
			if err := ss.be.runOnce(i); err != nil {
				ss.fail(err)
				return
			}
		}
	}
}

func (ss *Session) fail(err error) {
	ss.mu.Lock()
	if ss.err == nil {
		ss.err = err
	}
	ss.mu.Unlock()
}

// events delivers events until Stop.
func (ss *Session) events() {
	defer ss.loop.Done()
	for {
		select {
		case <-ss.stop:
			return
		default:
		}
		rec, err := ss.be.read(time.Now().Add(10 * time.Millisecond))
		if err != nil {
			ss.fail(err)
			return
		}
		if rec != nil {
			ss.handle(rec)
		}
	}
}

// handle performs the action of one event.
func (ss *Session) handle(rec []byte) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	select {
	case <-ss.exited:
		if !ss.stopped {
			return // bpftrace stops reading events at exit()
		}
	default:
	}
	if len(rec) < 8 {
		return
	}
	id := binary.LittleEndian.Uint64(rec)
	if id >= uint64(len(ss.s.Actions)) {
		return
	}
	a := &ss.s.Actions[id]
	switch a.Kind {
	case ActPrintf:
		io.WriteString(ss.out, formatPrintf(a, rec[8:]))
	case ActTime:
		io.WriteString(ss.out, strftime(a.Format, time.Now()))
	case ActJoin:
		io.WriteString(ss.out, formatJoin(a.Format, rec[8:]))
	case ActExit:
		ss.exitOne.Do(func() { close(ss.exited) })
	case ActPrint:
		ss.printMap(a.Map, a.Top, a.Div)
	case ActClear:
		if ss.s.Maps[a.Map].array() {
			ss.zeroMap(a.Map) // an array's element cannot be deleted
			break
		}
		if err := ss.be.clear(a.Map); err != nil && ss.err == nil {
			ss.err = err
		}
	case ActZero:
		ss.zeroMap(a.Map)
	}
}

func (ss *Session) entries(m int) []entry {
	var es []entry
	mi := ss.s.Maps[m]
	err := ss.be.iterate(m, func(k, v []byte) error {
		if mi.perCPU() {
			v = foldCPUs(mi, v)
		}
		es = append(es, entry{key: append([]byte(nil), k...), value: append([]byte(nil), v...)})
		return nil
	})
	if err != nil && ss.err == nil {
		ss.err = err
	}
	return es
}

func (ss *Session) printMap(m int, top, div int64) {
	if err := writeMap(ss.out, ss.s.Maps[m], ss.entries(m), top, div); err != nil && ss.err == nil {
		ss.err = err
	}
}

func (ss *Session) zeroMap(m int) {
	zero := make([]byte, ss.s.Maps[m].ValueSize)
	if ss.s.Maps[m].perCPU() {
		zero = nil // the backend zeroes every CPU's value
	}
	for _, e := range ss.entries(m) {
		if err := ss.be.update(m, e.key, zero); err != nil && ss.err == nil {
			ss.err = err
		}
	}
}

// drain handles every event waiting in the ring.
func (ss *Session) drain() error {
	for {
		rec, err := ss.be.read(time.Now().Add(time.Millisecond))
		if err != nil {
			return err
		}
		if rec == nil {
			return nil
		}
		ss.handle(rec)
	}
}

// Stop detaches the probes, runs END, prints the remaining events and
// every map as bpftrace does at exit, and frees everything.
func (ss *Session) Stop() error {
	for _, t := range ss.tickers {
		t.Stop()
	}
	close(ss.stop)
	ss.loop.Wait()
	errs := []error{ss.be.detach()}
	errs = append(errs, ss.drain())
	ss.mu.Lock()
	ss.stopped = true
	ss.mu.Unlock()
	for i, p := range ss.s.Probes {
		if p.Provider == "END" {
			errs = append(errs, ss.be.runOnce(i))
		}
	}
	errs = append(errs, ss.drain())
	ss.mu.Lock()
	io.WriteString(ss.out, "\n\n")
	for _, m := range ss.s.sortedMaps() {
		ss.printMap(m, 0, 0)
	}
	errs = append(errs, ss.err)
	ss.mu.Unlock()
	errs = append(errs, ss.be.close())
	return errors.Join(errs...)
}

// Run starts the script, waits for exit() or ctx, and stops it.
func (s *Script) Run(ctx context.Context, opts *RunOptions) error {
	ss, err := s.Start(opts)
	if err != nil {
		return err
	}
	ss.Wait(ctx)
	return ss.Stop()
}

// foldCPUs merges the per-CPU values of an aggregation (one per CPU, each
// padded to 8 bytes) into one value.
func foldCPUs(m *MapInfo, v []byte) []byte {
	stride := (m.ValueSize + 7) &^ 7
	out := make([]byte, m.ValueSize)
	u := func(b []byte, off int) uint64 { return binary.LittleEndian.Uint64(b[off:]) }
	put := func(off int, x uint64) { binary.LittleEndian.PutUint64(out[off:], x) }
	set := false
	for c := 0; c+stride <= len(v); c += stride {
		cv := v[c : c+stride]
		switch m.Value.Kind {
		case KindMin, KindMax:
			if u(cv, 8) == 0 {
				continue
			}
			x, best := u(cv, 0), u(out, 0)
			better := x < best
			if m.Value.Signed {
				better = int64(x) < int64(best)
			}
			if m.Value.Kind == KindMax {
				better = x > best
				if m.Value.Signed {
					better = int64(x) > int64(best)
				}
			}
			if !set || better {
				put(0, x)
				put(8, 1)
				set = true
			}
		case KindAvg, KindStats:
			put(0, u(out, 0)+u(cv, 0))
			put(8, u(out, 8)+u(cv, 8))
		default:
			put(0, u(out, 0)+u(cv, 0))
		}
	}
	return out
}
